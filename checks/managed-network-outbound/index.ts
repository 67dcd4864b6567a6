/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 * https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#scenario-enable-access-to-python-packages
 *
 * A workspace in Azure ML's managed virtual network (isolation mode not `Disabled`) reaches
 * everything through its outbound rules, and image builds and jobs wait on the network:
 * - the network is provisioned (`status.status: Active`); Azure ML creates its private endpoints only
 *   at the first compute or a forced provision;
 * - every private-endpoint rule the workspace's computes need (registry; storage blob and file; key
 *   vault) is present and `Active`;
 * - with `AllowOnlyApprovedOutbound`: `MicrosoftContainerRegistry` and `AzureFrontDoor.FirstParty`
 *   service-tag rules on TCP 443 are present and `Active` (base images come from MCR behind Front
 *   Door: the troubleshooting guide's NSG condition, in managed form); FQDN rules cover the package
 *   sources image builds use (PyPI, conda), or builds fail with "package not found" or time out.
 * A project workspace is judged by its hub's managed network.
 */
import { defineCheck, type CheckContext } from '../../src/engine/check.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import { normaliseLocation } from '../../src/arm/location.js';
import { fqdnCovers, isActive, serviceTagRuleAllows, type OutboundRule } from '../../src/network/managed.js';
import { networkModel, type NetworkModel } from '../../src/network/gather/model.js';
import { closedToPublic, privateEndpointRule } from '../../src/network/reach.js';
import { nameOf } from '../../src/network/exposure.js';

type M = 'notProvisioned' | 'ruleMissing' | 'ruleNotActive' | 'serviceTagMissing' | 'serviceTagNotActive' | 'packageSourceMissing';

/** The package sources image builds use, and the hosts each needs (any one pattern per host). */
export const PACKAGE_SOURCES: readonly { readonly name: string; readonly hosts: readonly string[] }[] = [
  { name: 'PyPI', hosts: ['pypi.org', 'files.pythonhosted.org'] },
  { name: 'conda', hosts: ['conda.anaconda.org', 'repo.anaconda.com'] },
];

const SERVICE_TAGS = ['MicrosoftContainerRegistry', 'AzureFrontDoor.FirstParty'] as const;

export default defineCheck<M>({
  meta: {
    id: 'managed-network-outbound',
    title: 'The managed virtual network is provisioned and its outbound rules let builds and jobs out',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-managed-network',
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
      'https://learn.microsoft.com/azure/firewall/firewall-faq#how-do-wildcards-work-in-target-urls-and-target-fqdns-in-application-rules',
    ],
    reads: [
      "workspace (managed network; a project's hub)",
      'managed network V2 (managedNetworks/default)',
      'managed network outbound rules (V1 or V2)',
      'storage account',
      'container registry',
    ],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/outboundRules/read',
      'Microsoft.MachineLearningServices/workspaces/managedNetworks/read',
      'Microsoft.MachineLearningServices/workspaces/managedNetworks/outboundRules/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.ContainerRegistry/registries/read',
    ],
    messages: {
      notProvisioned:
        'The managed virtual network of {{workspace}} is {{status}}, not provisioned: its private endpoints do not exist yet, so image builds and jobs wait on it or fail.',
      ruleMissing:
        'The managed network of {{workspace}} has no private-endpoint outbound rule for {{what}} {{resource}} ({{subresource}}): its computes cannot reach it.',
      ruleNotActive:
        'Outbound rule {{rule}} ({{what}} {{resource}}, {{subresource}}) of the managed network of {{workspace}} is {{status}}, not Active{{error}}.',
      serviceTagMissing:
        'The managed network of {{workspace}} allows only approved outbound, and no service-tag rule allows TCP 443 to {{tag}}: base images cannot be pulled from Microsoft Container Registry.',
      serviceTagNotActive:
        'Service-tag rule {{rule}} ({{tag}}, TCP 443) of the managed network of {{workspace}} is {{status}}, not Active{{error}}.',
      packageSourceMissing:
        'The managed network of {{workspace}} allows only approved outbound, and no Active FQDN rule covers {{hosts}} ({{source}}): image builds that install {{source}} packages fail with "package not found" or time out.',
    },
  },
  async run(ctx) {
    const model = await networkModel(ctx.inventory, ctx.workspaceId, { abortSignal: ctx.abortSignal });
    const managed = model.managed;
    if (!managed)
      return ctx.skip('the workspace has no managed virtual network (isolation mode Disabled): its own VNet, if any, decides egress');
    const owner = parseResourceId(managed.ownerId);
    const data = { workspace: nameOf(managed.ownerId) };
    const az = `--resource-group ${owner.resourceGroup} --workspace-name ${nameOf(managed.ownerId)}`;
    const provision = `az ml workspace provision-network --resource-group ${owner.resourceGroup} --name ${nameOf(managed.ownerId)}`;
    if (managed.ownerId.toLowerCase() !== ctx.workspaceId.toLowerCase())
      ctx.note(`a project workspace: the managed network and its rules are those of hub ${nameOf(managed.ownerId)}`);
    const base = {
      managedNetworkOwner: managed.ownerId,
      managedNetworkKind: managed.kind,
      isolationMode: managed.isolationMode,
      managedNetworkStatus: managed.status,
      managedNetworkStatusSource: managed.statusSource,
    };

    if (!/^active$/i.test(managed.status)) {
      ctx.report({
        messageId: 'notProvisioned',
        data: { ...data, status: managed.status },
        resourceId: managed.ownerId,
        // `fixable` tells `audit --fix` what it may do about this finding.
        evidence: {
          ...base,
          inactiveRules: managed.rules.filter((r) => !isActive(r)).map((r) => r.name),
          fixable: 'provisionManagedNetwork',
        },
        remediation: `${provision} (or aml-preflight audit --fix); Azure ML otherwise provisions it only when the first compute is created`,
      });
    }

    const internet = managed.isolationMode === 'AllowInternetOutbound';
    for (const need of needs(model)) {
      const rule = privateEndpointRule(managed, need.id, need.subresource);
      const what = { ...data, what: need.what, resource: nameOf(need.id), subresource: need.subresource };
      if (!rule) {
        // With AllowInternetOutbound a resource open to the public is reached without its rule.
        if (internet && need.public === true) {
          ctx.note(
            `no private-endpoint rule for ${need.what} ${nameOf(need.id)} (${need.subresource}): reached over the Internet (AllowInternetOutbound, public access open)`,
          );
          continue;
        }
        ctx.report({
          // The key vault's network rules are not read: with Internet egress its public door may serve.
          ...(internet && need.public === undefined ? { level: 'warning' as const } : {}),
          messageId: 'ruleMissing',
          data: what,
          resourceId: managed.ownerId,
          evidence: {
            ...base,
            resourceId: need.id,
            subresourceTarget: need.subresource,
            privateEndpointRules: managed.rules.filter((r) => r.type === 'PrivateEndpoint').map(ruleEvidence),
          },
          remediation: `az ml workspace outbound-rule set ${az} --rule pe-${nameOf(need.id)}-${need.subresource} --type private_endpoint --service-resource-id ${need.id} --subresource-target ${need.subresource}`,
        });
        continue;
      }
      if (inForce(rule, managed)) continue;
      ctx.report({
        messageId: 'ruleNotActive',
        data: {
          ...what,
          rule: rule.name,
          status: rule.status,
          error: rule.errorInformation ? `: ${rule.errorInformation.replace(/\.$/, '')}` : '',
        },
        resourceId: `${managed.rulesId}/${rule.name}`,
        evidence: { ...base, rule: ruleEvidence(rule) },
        remediation: /^failed$/i.test(rule.status)
          ? `Fix what the error says, then set the rule again (az ml workspace outbound-rule set ${az} --rule ${rule.name} --type private_endpoint --service-resource-id ${need.id} --subresource-target ${need.subresource}) and ${provision}`
          : provision,
      });
    }

    if (managed.isolationMode !== 'AllowOnlyApprovedOutbound') return;
    checkServiceTags(ctx, model, az, provision, base);
    checkPackageSources(ctx, model, az, base);
  },
});

/**
 * The private-endpoint rules the workspace's computes need: registry, blob, file, key vault; with
 * whether the resource is open to the public (unknown for the key vault, whose rules are not read).
 */
function needs(model: NetworkModel): { id: string; subresource: string; what: string; public: boolean | undefined }[] {
  const out: { id: string; subresource: string; what: string; public: boolean | undefined }[] = [];
  if (model.registry)
    out.push({ id: model.registry.id, subresource: 'registry', what: 'container registry', public: !closedToPublic(model.registry) });
  if (model.storage)
    for (const g of model.storage.groups)
      out.push({ id: model.storage.id, subresource: g, what: 'storage account', public: !closedToPublic(model.storage) });
  const kv = model.workspace.keyVault;
  if (kv) out.push({ id: kv, subresource: 'vault', what: 'key vault', public: undefined });
  return out;
}

function checkServiceTags(ctx: CheckContext<M>, model: NetworkModel, az: string, provision: string, base: Record<string, unknown>): void {
  const managed = model.managed!;
  const region = normaliseLocation(model.workspace.location ?? '');
  const tagRules = managed.rules.filter((r): r is Extract<OutboundRule, { type: 'ServiceTag' }> => r.type === 'ServiceTag');
  for (const tag of SERVICE_TAGS) {
    // The regional form of MCR serves the workspace's region too.
    const accepted = tag === 'MicrosoftContainerRegistry' ? [tag, ...regionalTags(tag, region)] : [tag];
    const matching = tagRules.filter((r) => serviceTagRuleAllows(r, accepted, 443));
    const data = { workspace: nameOf(managed.ownerId), tag };
    if (matching.length === 0) {
      ctx.report({
        messageId: 'serviceTagMissing',
        data,
        resourceId: managed.ownerId,
        evidence: { ...base, tag, serviceTagRules: tagRules.map(ruleEvidence) },
        remediation: `az ml workspace outbound-rule set ${az} --rule allow-${tag.replace(/\./g, '-').toLowerCase()} --type service_tag --service-tag ${tag} --protocol TCP --port-ranges 443`,
      });
      continue;
    }
    if (matching.some((r) => inForce(r, managed))) continue;
    const rule = matching[0]!;
    ctx.report({
      messageId: 'serviceTagNotActive',
      data: {
        ...data,
        rule: rule.name,
        status: rule.status,
        error: rule.errorInformation ? `: ${rule.errorInformation.replace(/\.$/, '')}` : '',
      },
      resourceId: `${managed.rulesId}/${rule.name}`,
      evidence: { ...base, rule: ruleEvidence(rule) },
      remediation: provision,
    });
  }
}

function checkPackageSources(ctx: CheckContext<M>, model: NetworkModel, az: string, base: Record<string, unknown>): void {
  const managed = model.managed!;
  const fqdnRules = managed.rules.filter((r): r is Extract<OutboundRule, { type: 'FQDN' }> => r.type === 'FQDN');
  const usable = fqdnRules.filter((r) => inForce(r, managed));
  for (const source of PACKAGE_SOURCES) {
    const uncovered = source.hosts.filter((h) => !usable.some((r) => fqdnCovers(r.fqdn, h)));
    if (uncovered.length === 0) continue;
    ctx.report({
      messageId: 'packageSourceMissing',
      data: { workspace: nameOf(managed.ownerId), hosts: uncovered.join(' and '), source: source.name },
      resourceId: managed.ownerId,
      evidence: { ...base, uncovered, fqdnRules: fqdnRules.map(ruleEvidence), managedFirewall: managedFirewall(managed, fqdnRules.length) },
      remediation: uncovered
        .map((h) => `az ml workspace outbound-rule set ${az} --rule allow-${h.replace(/\./g, '-')} --type fqdn --destination ${h}`)
        .join('; '),
      level: 'warning',
    });
  }
}

/**
 * Whether a rule counts: `Active`, or `Inactive` only because the network is not provisioned yet
 * (the notProvisioned finding covers that, and provisioning activates it).
 */
function inForce(rule: OutboundRule, managed: { readonly status: string }): boolean {
  return isActive(rule) || (/^inactive$/i.test(rule.status) && !/^active$/i.test(managed.status));
}

/**
 * FQDN rules run on a managed Azure Firewall that Azure ML creates with the first FQDN rule
 * (Standard unless `firewallSku` says Basic), billed apart: what an FQDN-rule fix brings with it.
 * https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#pricing
 */
function managedFirewall(managed: { readonly firewallSku: string | undefined }, fqdnRules: number): string {
  const sku = managed.firewallSku ?? 'Standard';
  return fqdnRules === 0
    ? `no FQDN rule yet: the first one makes Azure ML create the managed network's Azure Firewall (SKU ${sku}${managed.firewallSku ? '' : ', the default'}), billed as Azure Firewall`
    : `FQDN rules run on the managed network's Azure Firewall (SKU ${sku}${managed.firewallSku ? '' : ', the default'})`;
}

function regionalTags(tag: string, region: string): string[] {
  // Service tags name regions in PascalCase (`MicrosoftContainerRegistry.WestEurope`); compare case-insensitively.
  return region ? [`${tag}.${region}`] : [];
}

function ruleEvidence(r: OutboundRule): Record<string, unknown> {
  const destination =
    r.type === 'PrivateEndpoint'
      ? { serviceResourceId: r.serviceResourceId, subresourceTarget: r.subresourceTarget }
      : r.type === 'ServiceTag'
        ? { serviceTag: r.serviceTag, protocol: r.protocol, portRanges: r.portRanges, action: r.action }
        : r.type === 'FQDN'
          ? r.fqdn
          : null;
  return {
    name: r.name,
    type: r.type === 'Other' ? r.rawType : r.type,
    category: r.category,
    status: r.status,
    destination,
    ...(r.errorInformation ? { errorInformation: r.errorInformation } : {}),
  };
}
