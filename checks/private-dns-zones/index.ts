/**
 * https://learn.microsoft.com/azure/private-link/private-endpoint-dns
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 * https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns
 *
 * "The address could not be resolved for a container registry": each private endpoint of the
 * registry and the storage account (blob, file) needs a private DNS zone group that puts its A
 * records in the right zone (`privatelink.azurecr.io` for the login server and the regional data
 * endpoint, `privatelink.blob.core.windows.net`, `privatelink.file.core.windows.net`), and each zone
 * must be linked to the virtual network of the computes. A VNet with custom DNS servers resolves
 * through them instead, so conditional forwarding to Azure DNS (168.63.129.16) must be in place.
 *
 * Only the customer's own endpoints are checked: the DNS of a managed virtual network's endpoints
 * is Microsoft's (https://learn.microsoft.com/azure/machine-learning/how-to-managed-network).
 */
import type { PrivateDnsZoneGroup } from '@azure/arm-network';
import { defineCheck } from '../../src/engine/check.js';
import { idKey, sameId } from '../../src/base/resource-id.js';
import { nameOf, type EndpointPlacement } from '../../src/network/exposure.js';
import { networkModel } from '../../src/network/model.js';

interface Expectation {
  group: string;
  /** The zone's name pattern (public cloud names, and the sovereign clouds' suffixes). */
  zone: RegExp;
  zoneName: string;
  /** Relative record names the zone group must have created. */
  records: string[];
  resourceId: string;
  resourceName: string;
}

export default defineCheck({
  meta: {
    id: 'private-dns-zones',
    title: 'Private endpoints of the registry and storage resolve from the compute VNets',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/private-link/private-endpoint-dns',
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
      'https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns',
    ],
    reads: [
      'workspace',
      'workspace computes',
      'storage account',
      'container registry',
      'private endpoints and their DNS zone groups',
      'private DNS zone virtual network links',
      'virtual networks (DNS servers)',
    ],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.Network/privateEndpoints/read',
      'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read',
      'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read',
      'Microsoft.Network/virtualNetworks/read',
    ],
    messages: {
      noZoneGroup:
        'Private endpoint {{endpoint}} ({{group}} of {{resource}}) has no private DNS zone group: {{fqdn}} will not resolve to it.',
      wrongZone: 'Private endpoint {{endpoint}} ({{group}} of {{resource}}) registers its records in {{zones}}, not in {{expected}}.',
      missingRecord: 'The DNS zone group of private endpoint {{endpoint}} has no A record {{record}} in {{zone}}.',
      notLinked:
        'Private DNS zone {{zone}} is not linked to VNet {{vnet}} of {{computes}}: {{resource}} will resolve to its public address there.',
      customDns:
        'VNet {{vnet}} uses custom DNS servers ({{servers}}): they must forward {{zones}} to Azure DNS (168.63.129.16), or the private endpoints will not resolve.',
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const { storage, registry } = await ctx.inventory.workspaceEstate(ctx.workspaceId, opts);
    const model = await networkModel(ctx.inventory, ctx.workspaceId, opts);
    const endpoints: { placement: EndpointPlacement; expect: Expectation }[] = [];
    for (const t of [model.registry, model.storage]) if (t?.endpointReadError) throw t.endpointReadError;
    const registryPlacements = model.registry?.customerEndpoints ?? [];
    const storagePlacements = model.storage?.customerEndpoints ?? [];
    const managedCount = (model.registry?.managedConnections.length ?? 0) + (model.storage?.managedConnections.length ?? 0);
    if (registry) {
      const name = registry.name ?? '';
      const dataRecords = (registry.dataEndpointHostNames ?? [])
        .map((h) => h.replace(/\.azurecr\..*$/i, ''))
        .filter((r) => r.toLowerCase() !== name.toLowerCase());
      for (const p of registryPlacements) {
        endpoints.push({
          placement: p,
          expect: {
            group: 'registry',
            zone: /^privatelink\.azurecr\./i,
            zoneName: 'privatelink.azurecr.io',
            records: [name, ...dataRecords],
            resourceId: registry.id!,
            resourceName: name,
          },
        });
      }
    }
    if (storage) {
      const name = storage.name ?? '';
      for (const p of storagePlacements) {
        for (const group of p.groupIds.filter((g) => g === 'blob' || g === 'file')) {
          endpoints.push({
            placement: p,
            expect: {
              group,
              zone: new RegExp(`^privatelink\\.${group}\\.`, 'i'),
              zoneName: `privatelink.${group}.core.windows.net`,
              records: [name],
              resourceId: storage.id!,
              resourceName: name,
            },
          });
        }
      }
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

    const zonesToLink = new Map<string, { zoneId: string; resource: string }>();
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
      const fqdn = `${expect.resourceName}.${expect.group === 'registry' ? 'azurecr.io' : `${expect.group}.core.windows.net`}`;
      if (configs.length === 0) {
        ctx.report({
          messageId: 'noZoneGroup',
          data: { endpoint, group: expect.group, resource: expect.resourceName, fqdn },
          resourceId: placement.privateEndpointId,
          evidence: {
            privateEndpointId: placement.privateEndpointId,
            expectedZone: expect.zoneName,
            zoneGroups: groups.map((g) => g.name),
          },
          remediation: `az network private-endpoint dns-zone-group create --resource-group <rg> --endpoint-name ${endpoint} --name default --private-dns-zone ${expect.zoneName} --zone-name ${expect.zoneName.replace(/\./g, '-')}`,
        });
        continue;
      }
      const config = configs.find((c) => expect.zone.test(nameOf(c.privateDnsZoneId ?? '')));
      if (!config?.privateDnsZoneId) {
        ctx.report({
          messageId: 'wrongZone',
          data: {
            endpoint,
            group: expect.group,
            resource: expect.resourceName,
            zones: configs.map((c) => nameOf(c.privateDnsZoneId ?? '?')).join(', '),
            expected: expect.zoneName,
          },
          resourceId: placement.privateEndpointId,
          evidence: { zoneIds: configs.map((c) => c.privateDnsZoneId), expectedZone: expect.zoneName },
          remediation: `Recreate the zone group with the ${expect.zoneName} zone: az network private-endpoint dns-zone-group create --endpoint-name ${endpoint} --name default --private-dns-zone ${expect.zoneName} --zone-name ${expect.zoneName.replace(/\./g, '-')} --resource-group <rg>`,
        });
        continue;
      }
      const zone = nameOf(config.privateDnsZoneId);
      const have = new Set((config.recordSets ?? []).map((r) => (r.recordSetName ?? '').toLowerCase()));
      // A zone group answer without record sets says nothing about them; only check when it lists some.
      if (have.size > 0) {
        for (const record of expect.records) {
          if (have.has(record.toLowerCase())) continue;
          ctx.report({
            messageId: 'missingRecord',
            data: { endpoint, record, zone },
            resourceId: config.privateDnsZoneId,
            evidence: { privateEndpointId: placement.privateEndpointId, recordSets: [...have], expected: expect.records },
            remediation: `Recreate the DNS zone group of ${endpoint} so that it registers every FQDN of the endpoint (the registry's login server and its regional data endpoint).`,
          });
        }
      }
      zonesToLink.set(idKey(config.privateDnsZoneId), { zoneId: config.privateDnsZoneId, resource: expect.resourceName });
    }

    const customDnsZones: string[] = [...new Set([...zonesToLink.values()].map((z) => nameOf(z.zoneId)))];
    const zones = [...zonesToLink.values()];
    const [vnetAnswers, linkAnswers] = await Promise.all([
      Promise.all([...computeVnets.values()].map((v) => ctx.inventory.virtualNetwork(v.id, opts))),
      Promise.all(zones.map((z) => ctx.inventory.privateDnsZoneLinks(z.zoneId, opts))),
    ]);
    for (const [vi, vnet] of [...computeVnets.values()].entries()) {
      const v = vnetAnswers[vi]!;
      const servers = v.dhcpOptions?.dnsServers ?? [];
      if (servers.length > 0) {
        ctx.report({
          messageId: 'customDns',
          data: { vnet: nameOf(vnet.id), servers: servers.join(', '), zones: customDnsZones.join(', ') || 'the privatelink zones' },
          resourceId: vnet.id,
          evidence: { dnsServers: servers, zones: customDnsZones },
          remediation:
            'On each custom DNS server, add conditional forwarders for azurecr.io, blob.core.windows.net and file.core.windows.net (or the privatelink zones) to 168.63.129.16: https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns',
          level: 'warning',
        });
      }
      for (const [zi, { zoneId, resource }] of zones.entries()) {
        const links = linkAnswers[zi]!;
        const linked = links.some(
          (l) => sameId(l.virtualNetwork?.id, vnet.id) && (!l.virtualNetworkLinkState || /^completed$/i.test(l.virtualNetworkLinkState)),
        );
        if (linked) continue;
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
