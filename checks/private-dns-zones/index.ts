/**
 * https://learn.microsoft.com/azure/private-link/private-endpoint-dns
 * https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 *
 * Every private endpoint a job or an image build resolves must resolve from the computes' VNets:
 * the registry (`registry`), the storage account (`blob`, `file`, and `dfs`, `queue`, `table` when
 * it has endpoints for them), the workspace's key vault (`vault`), and the workspace's own endpoint
 * (`amlworkspace`) when the workspace is reached privately. For each, the zone Microsoft's private
 * endpoint DNS table names for the sub-resource and cloud (`zones.ts`) must exist, hold the
 * endpoint's records (through its DNS zone group, or an A record put there by hand), and be linked
 * to every compute VNet. A zone with a near-miss name (`privatelink.vault.azure.net` for
 * `privatelink.vaultcore.azure.net`) is named as the likely mistake.
 *
 * A VNet with custom DNS servers resolves through them: while the zones are linked to it the
 * verdict stands (and the servers must forward to Azure DNS, 168.63.129.16); when a zone is not
 * linked, ARM does not show what those servers answer, and the finding says it is undecided.
 *
 * Only the customer's own endpoints are checked: the DNS of a managed virtual network's endpoints
 * is Microsoft's (https://learn.microsoft.com/azure/machine-learning/how-to-managed-network).
 */
import type { PrivateDnsZoneGroup } from '@azure/arm-network';
import { defineCheck, type CheckContext } from '../../src/engine/check.js';
import { idKey, parseResourceId, sameId, tryParseResourceId } from '../../src/base/resource-id.js';
import { nameOf, type EndpointPlacement } from '../../src/network/exposure.js';
import { networkModel } from '../../src/network/gather/model.js';
import { isManagedEndpoint } from '../../src/network/gather/nodes.js';
import { cloudOf, isNearMiss, STORAGE_GROUPS, ZONES, type Group } from './zones.js';
import { placements, readKeyVault, recordByHand, workspaceConnections, zoneLinks, type Expectation, type LinkLike } from './reads.js';

type M = 'noZoneGroup' | 'wrongZone' | 'nearMissZone' | 'zoneMissing' | 'missingRecord' | 'notLinked' | 'customDns' | 'customDnsUndecided';

export default defineCheck<M>({
  meta: {
    id: 'private-dns-zones',
    title: 'Private endpoints a job resolves (registry, storage, key vault, workspace) resolve from the compute VNets',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/private-link/private-endpoint-dns',
      'https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns',
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
    ],
    reads: [
      'workspace (its private endpoint connections)',
      'workspace computes',
      'storage account',
      'container registry',
      'key vault',
      'private endpoints and their DNS zone groups',
      'private DNS zones, their A records and virtual network links',
      'virtual networks (DNS servers)',
    ],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.KeyVault/vaults/read',
      'Microsoft.Network/privateEndpoints/read',
      'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read',
      'Microsoft.Network/privateDnsZones/read',
      'Microsoft.Network/privateDnsZones/A/read',
      'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read',
      'Microsoft.Network/virtualNetworks/read',
    ],
    messages: {
      noZoneGroup:
        'Private endpoint {{endpoint}} ({{group}} of {{resource}}) has no private DNS zone group: {{fqdn}} will not resolve to it.',
      wrongZone: 'Private endpoint {{endpoint}} ({{group}} of {{resource}}) registers its records in {{zones}}, not in {{expected}}.',
      nearMissZone:
        'Private endpoint {{endpoint}} ({{group}} of {{resource}}) registers its records in {{zone}}, likely a mistake for {{expected}}: {{fqdn}} resolves to its public address from the computes.',
      zoneMissing:
        'Private endpoint {{endpoint}} ({{group}} of {{resource}}) registers its records in private DNS zone {{zone}}, which does not exist.',
      missingRecord: 'The DNS zone group of private endpoint {{endpoint}} has no A record {{record}} in {{zone}}.',
      notLinked:
        'Private DNS zone {{zone}} is not linked to VNet {{vnet}} of {{computes}}: {{resource}} will resolve to its public address there.',
      customDns:
        'VNet {{vnet}} uses custom DNS servers ({{servers}}): they must forward {{zones}} to Azure DNS (168.63.129.16), or the private endpoints will not resolve.',
      customDnsUndecided:
        'VNet {{vnet}} uses custom DNS servers ({{servers}}) and private DNS zone {{zone}} is not linked to it: whether {{resource}} resolves privately from {{computes}} depends on those servers, which ARM does not show. Not decided.',
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const estateRead = ctx.inventory.workspaceEstate(ctx.workspaceId, opts);
    const modelRead = networkModel(ctx.inventory, ctx.workspaceId, opts);
    // The key vault and the workspace's own endpoints hang off the workspace alone: read beside the
    // network model, not after it (a round trip less before the zone groups). Awaited below in the
    // order the check decides in, so the same failure wins.
    const vaultRead = estateRead.then(({ workspace }) => readKeyVault(ctx.inventory, workspace.keyVault, opts));
    const wsPlacementsRead = estateRead.then(({ workspace }) => placements(ctx.inventory, workspaceConnections(workspace), opts));
    for (const p of [modelRead, vaultRead, wsPlacementsRead]) p.catch(() => undefined);
    const { workspace, storage, registry } = await estateRead;
    const model = await modelRead;
    for (const t of [model.registry, model.storage]) if (t?.endpointReadError) throw t.endpointReadError;
    const managed = model.managed !== undefined;
    const wsSub = parseResourceId(ctx.workspaceId).subscriptionId;
    const vaultOrMissing = await vaultRead;
    if (vaultOrMissing === 'missing')
      ctx.note(`key vault ${nameOf(workspace.keyVault!)} was not found, so its private endpoints were not checked`);
    const vault = vaultOrMissing === 'missing' ? undefined : vaultOrMissing;
    const cloud = cloudOf(
      [registry?.loginServer, storage?.primaryEndpoints?.blob, vault?.vaultUri, workspace.discoveryUrl],
      ctx.inventory.endpoint,
    );
    const zonesOf = (group: Group): readonly string[] => ZONES[cloud][group];

    const endpoints: { placement: EndpointPlacement; expect: Expectation }[] = [];
    let managedCount = (model.registry?.managedConnections.length ?? 0) + (model.storage?.managedConnections.length ?? 0);
    if (registry) {
      const name = registry.name ?? '';
      const dataRecords = (registry.dataEndpointHostNames ?? [])
        .map((h) => h.replace(/\.azurecr\..*$/i, ''))
        .filter((r) => r.toLowerCase() !== name.toLowerCase());
      for (const p of model.registry?.customerEndpoints ?? []) {
        const zones = zonesOf('registry').map((zone) => ({ zone, records: [name, ...dataRecords] }));
        endpoints.push({ placement: p, expect: { group: 'registry', zones, resourceId: registry.id!, resourceName: name } });
      }
    }
    if (storage) {
      const name = storage.name ?? '';
      for (const p of model.storage?.customerEndpoints ?? []) {
        for (const group of STORAGE_GROUPS.filter((g) => p.groupIds.includes(g))) {
          const zones = zonesOf(group).map((zone) => ({ zone, records: [name] }));
          endpoints.push({ placement: p, expect: { group, zones, resourceId: storage.id!, resourceName: name } });
        }
      }
    }
    if (vault) {
      const connections = vault.privateEndpointConnections.filter((c) => /^approved$/i.test(c.status));
      const own = connections.filter(
        (c) => !(managed && isManagedEndpoint(c.privateEndpointId, wsSub, tryParseResourceId(vault.id)?.subscriptionId)),
      );
      managedCount += connections.length - own.length;
      for (const p of await placements(ctx.inventory, own, opts)) {
        const zones = zonesOf('vault').map((zone) => ({ zone, records: [vault.name] }));
        endpoints.push({ placement: p, expect: { group: 'vault', zones, resourceId: vault.id, resourceName: vault.name } });
      }
    }
    const workspaceName = workspace.name ?? nameOf(ctx.workspaceId);
    const region = (workspace.location ?? '').toLowerCase().replace(/\s+/g, '');
    const workspaceGuid = workspace.workspaceId;
    // The workspace's own endpoint: how clients and computes reach the workspace when it is private.
    for (const p of await wsPlacementsRead) {
      if (p.groupIds.length > 0 && !p.groupIds.includes('amlworkspace')) continue;
      const [api, ...rest] = zonesOf('amlworkspace');
      // `<workspace id>.workspace.<region>` is the record the workspace's API resolves through (how-to-custom-dns).
      const zones = [
        { zone: api!, records: workspaceGuid && region ? [`${workspaceGuid}.workspace.${region}`] : [] },
        ...rest.map((zone) => ({ zone, records: [] })),
      ];
      endpoints.push({
        placement: p,
        expect: { group: 'amlworkspace', zones, resourceId: workspace.id ?? ctx.workspaceId, resourceName: workspaceName },
      });
    }

    if (endpoints.length === 0) {
      if (managedCount > 0)
        return ctx.skip(
          "the registry and storage account are reached only through the managed virtual network's private endpoints, whose DNS is Microsoft's",
        );
      return ctx.skip('neither the registry nor the storage account has an approved private endpoint');
    }
    if (managedCount > 0)
      ctx.note(`${managedCount} private endpoint(s) of the managed virtual network are not checked: their DNS is Microsoft's`);

    // The VNets the computes resolve names from.
    const computeVnets = new Map<string, { id: string; computes: string[] }>();
    for (const c of model.computes) {
      // A compute whose subnet is gone resolves nothing (same-vnet-placement reports it): its VNet is no evidence.
      if (c.placement.kind !== 'subnet' || c.placement.exists === false) continue;
      const v = c.placement.vnetId;
      const entry = computeVnets.get(idKey(v)) ?? { id: v, computes: [] };
      entry.computes.push(c.name);
      computeVnets.set(idKey(v), entry);
    }
    if (computeVnets.size === 0) ctx.note('no compute sits in a customer VNet, so zone links to compute VNets were not checked');

    const zonesToLink = new Map<string, { zoneId: string; resource: string; endpoint: string; group: Group }>();
    // Read every endpoint's zone groups at once; then judge them in order.
    const allGroups = await Promise.all(
      endpoints.map(({ placement }) => ctx.inventory.privateDnsZoneGroups(placement.privateEndpointId, opts)),
    );
    for (const [i, { placement, expect }] of endpoints.entries()) {
      const endpoint = nameOf(placement.privateEndpointId);
      const groups: readonly PrivateDnsZoneGroup[] = allGroups[i]!;
      // A zone id that is not a string (a malformed answer) counts as no zone.
      const configs = groups
        .flatMap((g) => g.privateDnsZoneConfigs ?? [])
        .filter((c) => c.privateDnsZoneId === undefined || typeof c.privateDnsZoneId === 'string');
      const base = { endpoint, group: expect.group, resource: expect.resourceName };
      for (const need of expect.zones) {
        const fqdn = `${need.records[0] ?? expect.resourceName}.${publicSuffix(need.zone, expect.group)}`;
        if (configs.length === 0) {
          // No zone group: an A record put in the zone by hand resolves it as well.
          const byHand = await recordByHand(ctx.inventory, placement.privateEndpointId, need, expect, opts);
          if (byHand.kind === 'found') {
            zonesToLink.set(idKey(byHand.zoneId), { zoneId: byHand.zoneId, resource: expect.resourceName, endpoint, group: expect.group });
            continue;
          }
          if (byHand.kind === 'near-miss') {
            reportNearMiss(ctx, placement.privateEndpointId, base, byHand.zoneId, need.zone, fqdn, 'A record');
            continue;
          }
          ctx.report({
            messageId: 'noZoneGroup',
            data: { ...base, fqdn },
            resourceId: placement.privateEndpointId,
            evidence: { privateEndpointId: placement.privateEndpointId, expectedZone: need.zone, zoneGroups: groups.map((g) => g.name) },
            remediation: `az network private-endpoint dns-zone-group create --resource-group <rg> --endpoint-name ${endpoint} --name default --private-dns-zone ${need.zone} --zone-name ${need.zone.replace(/\./g, '-')}`,
          });
          // One finding per endpoint: its other zones have no group either.
          break;
        }
        const config = configs.find((c) => nameOf(c.privateDnsZoneId ?? '').toLowerCase() === need.zone);
        if (!config?.privateDnsZoneId) {
          const near = configs.find((c) => isNearMiss(nameOf(c.privateDnsZoneId ?? ''), need.zone, expect.group));
          if (near?.privateDnsZoneId) {
            reportNearMiss(ctx, placement.privateEndpointId, base, near.privateDnsZoneId, need.zone, fqdn, 'zone group');
            continue;
          }
          ctx.report({
            messageId: 'wrongZone',
            data: { ...base, zones: configs.map((c) => nameOf(c.privateDnsZoneId ?? '?')).join(', '), expected: need.zone },
            resourceId: placement.privateEndpointId,
            evidence: { zoneIds: configs.map((c) => c.privateDnsZoneId), expectedZone: need.zone },
            remediation: `Recreate the zone group with the ${need.zone} zone: az network private-endpoint dns-zone-group create --endpoint-name ${endpoint} --name default --private-dns-zone ${need.zone} --zone-name ${need.zone.replace(/\./g, '-')} --resource-group <rg>`,
          });
          continue;
        }
        const zone = nameOf(config.privateDnsZoneId);
        const have = new Set((config.recordSets ?? []).map((r) => (r.recordSetName ?? '').toLowerCase()));
        // A zone group answer without record sets says nothing about them; only check when it lists some.
        if (have.size > 0) {
          for (const record of need.records) {
            if (have.has(record.toLowerCase())) continue;
            ctx.report({
              messageId: 'missingRecord',
              data: { endpoint, record, zone },
              resourceId: config.privateDnsZoneId,
              evidence: { privateEndpointId: placement.privateEndpointId, recordSets: [...have], expected: need.records },
              remediation: `Recreate the DNS zone group of ${endpoint} so that it registers every FQDN of the endpoint (the registry's login server and its regional data endpoint).`,
            });
          }
        }
        zonesToLink.set(idKey(config.privateDnsZoneId), {
          zoneId: config.privateDnsZoneId,
          resource: expect.resourceName,
          endpoint,
          group: expect.group,
        });
      }
    }

    const customDnsZones: string[] = [...new Set([...zonesToLink.values()].map((z) => nameOf(z.zoneId)))];
    const zones = [...zonesToLink.values()];
    const [vnetAnswers, linkAnswers] = await Promise.all([
      Promise.all([...computeVnets.values()].map((v) => ctx.inventory.virtualNetwork(v.id, opts))),
      Promise.all(zones.map((z) => zoneLinks(ctx.inventory, z.zoneId, opts))),
    ]);
    // A zone the zone group names but ARM does not have: nothing resolves through it.
    for (const [zi, z] of zones.entries()) {
      if (linkAnswers[zi] !== 'missing') continue;
      ctx.report({
        messageId: 'zoneMissing',
        data: { endpoint: z.endpoint, group: z.group, resource: z.resource, zone: nameOf(z.zoneId) },
        resourceId: z.zoneId,
        evidence: { zoneId: z.zoneId },
        remediation: `az network private-dns zone create --resource-group ${String(z.zoneId).split('/')[4]} --name ${nameOf(z.zoneId)}, then link it to the compute VNets and recreate the endpoint's DNS zone group.`,
      });
    }
    for (const [vi, vnet] of [...computeVnets.values()].entries()) {
      const v = vnetAnswers[vi]!;
      const servers = v.dhcpOptions?.dnsServers ?? [];
      const unlinked: { zoneId: string; resource: string; links: readonly LinkLike[] }[] = [];
      for (const [zi, { zoneId, resource }] of zones.entries()) {
        const links = linkAnswers[zi]!;
        if (links === 'missing') continue;
        const linked = links.some(
          (l) => sameId(l.virtualNetwork?.id, vnet.id) && (!l.virtualNetworkLinkState || /^completed$/i.test(l.virtualNetworkLinkState)),
        );
        if (!linked) unlinked.push({ zoneId, resource, links });
      }
      if (servers.length > 0) {
        ctx.report({
          messageId: 'customDns',
          data: { vnet: nameOf(vnet.id), servers: servers.join(', '), zones: customDnsZones.join(', ') || 'the privatelink zones' },
          resourceId: vnet.id,
          evidence: { dnsServers: servers, zones: customDnsZones },
          remediation:
            'On each custom DNS server, add conditional forwarders for the public zones (azurecr.io, blob.core.windows.net, file.core.windows.net, vault.azure.net, api.azureml.ms, notebooks.azure.net) to 168.63.129.16: https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns',
          level: 'warning',
        });
        // The servers answer, not the zone links: an unlinked zone decides nothing.
        for (const { zoneId, resource } of unlinked) {
          ctx.report({
            messageId: 'customDnsUndecided',
            data: {
              vnet: nameOf(vnet.id),
              servers: servers.join(', '),
              zone: nameOf(zoneId),
              resource,
              computes: vnet.computes.join(', '),
            },
            resourceId: zoneId,
            evidence: { zoneId, vnetId: vnet.id, dnsServers: servers, decided: false },
            remediation: `Make sure the DNS servers ${servers.join(', ')} resolve ${nameOf(zoneId)} (a conditional forwarder to 168.63.129.16 from a VNet linked to the zone), or link the zone to ${nameOf(vnet.id)}: az network private-dns link vnet create --resource-group ${String(zoneId).split('/')[4]} --zone-name ${nameOf(zoneId)} --name link-${nameOf(vnet.id)} --virtual-network ${vnet.id} --registration-enabled false`,
            level: 'warning',
          });
        }
        continue;
      }
      for (const { zoneId, resource, links } of unlinked) {
        ctx.report({
          messageId: 'notLinked',
          data: { zone: nameOf(zoneId), vnet: nameOf(vnet.id), computes: vnet.computes.join(', '), resource },
          resourceId: zoneId,
          // This VNet's own link when there is one (not Completed), and how many others the zone
          // has: a zone shared by a whole subscription links hundreds of other workspaces' VNets,
          // which do not belong in this finding.
          evidence: {
            zoneId,
            vnetId: vnet.id,
            linkState: links.find((l) => sameId(l.virtualNetwork?.id, vnet.id))?.virtualNetworkLinkState ?? null,
            otherLinkedVnets: links.filter((l) => !sameId(l.virtualNetwork?.id, vnet.id)).length,
          },
          remediation: `az network private-dns link vnet create --resource-group ${String(zoneId).split('/')[4]} --zone-name ${nameOf(zoneId)} --name link-${nameOf(vnet.id)} --virtual-network ${vnet.id} --registration-enabled false`,
        });
      }
    }
  },
});

function reportNearMiss(
  ctx: CheckContext<M>,
  privateEndpointId: string,
  base: { endpoint: string; group: Group; resource: string },
  zoneId: string,
  expected: string,
  fqdn: string,
  via: 'zone group' | 'A record',
): void {
  ctx.report({
    messageId: 'nearMissZone',
    data: { ...base, zone: nameOf(zoneId), expected, fqdn },
    resourceId: privateEndpointId,
    evidence: { privateEndpointId, zoneId, expectedZone: expected, via },
    remediation: `Create the ${expected} zone, link it to the compute VNets and point the endpoint's zone group at it: az network private-dns zone create --resource-group <rg> --name ${expected}; az network private-endpoint dns-zone-group create --resource-group <rg> --endpoint-name ${base.endpoint} --name default --private-dns-zone ${expected} --zone-name ${expected.replace(/\./g, '-')}`,
  });
}

/** The public name a zone stands in for (`vault.azure.net` for `privatelink.vaultcore.azure.net`). */
function publicSuffix(zone: string, group: Group): string {
  const suffix = zone.replace(/^privatelink\./, '');
  return group === 'vault' ? suffix.replace(/^vaultcore\./, 'vault.') : suffix;
}
