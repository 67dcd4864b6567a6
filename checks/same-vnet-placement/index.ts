/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 * https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet
 * https://learn.microsoft.com/azure/private-link/private-endpoint-overview
 * https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview
 *
 * The storage account, the container registry and the workspace's compute clusters must be
 * reachable in the same virtual network. Microsoft's rule is finer than "same subnet":
 * - through an approved private endpoint, a resource is reachable from the endpoint's VNet and from
 *   VNets peered with it (`Connected` on both sides);
 * - through a service endpoint, only from exactly the subnets its network rules list, and only if
 *   that subnet carries the matching `serviceEndpoints` entry (and public network access is not
 *   disabled, which turns service endpoints off too);
 * - with public network access and no rule, from everywhere.
 *
 * In a managed virtual network (https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
 * a compute with no subnet sits in the managed network, and reaches each of registry, blob and file
 * through an `Active` private-endpoint outbound rule for that resource and sub-resource, with the
 * connection on the resource `Approved`; with `AllowInternetOutbound` also through public access.
 * The decision is the network model's (`src/network/model.ts`), shared with the other checks.
 */
import { defineCheck, type CheckContext } from '../../src/engine/check.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import { nameOf, serviceEndpointsApply, vnetOf } from '../../src/network/exposure.js';
import { networkModel, type ComputeNode, type NetworkModel, type TargetNode } from '../../src/network/gather/model.js';
import { closedToPublic, reach, type Link, type Unreachable } from '../../src/network/reach.js';
import { managedFix, managedWhy } from '../../src/network/managed-words.js';

type M = 'notInVnet' | 'unreachable' | 'serviceEndpointMissing' | 'subnetMissing' | 'managedUnreachable';

export default defineCheck<M>({
  meta: {
    id: 'same-vnet-placement',
    title: 'Storage, registry and compute clusters are reachable in the same virtual network',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
      'https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet',
      'https://learn.microsoft.com/azure/machine-learning/how-to-managed-network',
      'https://learn.microsoft.com/azure/private-link/private-endpoint-overview',
      'https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview',
    ],
    reads: [
      'workspace (managed network)',
      'managed network outbound rules',
      'workspace computes',
      'storage account',
      'container registry',
      'private endpoints',
      'virtual networks (subnets, peerings)',
    ],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/outboundRules/read',
      'Microsoft.MachineLearningServices/workspaces/managedNetworks/read',
      'Microsoft.MachineLearningServices/workspaces/managedNetworks/outboundRules/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.Network/privateEndpoints/read',
      'Microsoft.Network/virtualNetworks/read',
      'Microsoft.Network/virtualNetworks/subnets/read',
    ],
    messages: {
      notInVnet: 'Compute cluster {{compute}} is not in a virtual network, but {{kind}} {{resource}} is reachable only {{how}}.',
      unreachable: 'Compute cluster {{compute}} in subnet {{subnet}} cannot reach {{kind}} {{resource}} ({{groups}}): {{how}}.',
      serviceEndpointMissing:
        'Compute cluster {{compute}}: {{kind}} {{resource}} admits subnet {{subnet}} through a service endpoint rule, but the subnet has no {{service}} service endpoint.',
      subnetMissing:
        'Compute cluster {{compute}} sits in subnet {{subnet}}, which does not exist: its nodes cannot allocate and it reaches nothing.',
      managedUnreachable:
        'Compute cluster {{compute}} in the managed virtual network cannot reach {{kind}} {{resource}} ({{group}}): {{why}}.',
    },
  },
  async run(ctx) {
    const model = await networkModel(ctx.inventory, ctx.workspaceId, { abortSignal: ctx.abortSignal });
    const targets = [model.storage, model.registry].filter((t): t is TargetNode => t !== undefined);
    const clusters = model.computes.filter((c) => c.computeType === 'AmlCompute');
    // In a managed network every resource is reached through its rules (or, with
    // AllowInternetOutbound, public access), so every resource is asked about.
    const asked = model.managed ? targets : targets.filter(closedToPublic);
    if (asked.length === 0 && !clusters.some((c) => c.placement.kind === 'subnet')) {
      return ctx.skip('neither the storage account nor the registry is network-restricted, and no compute cluster is in a virtual network');
    }
    if (clusters.length === 0) return ctx.skip('the workspace has no compute cluster');

    for (const cluster of clusters) {
      const p = cluster.placement;
      // Only an attached compute's network is unknown, and an AmlCompute cluster is never attached.
      if (p.kind === 'unknown') continue;
      if (p.kind === 'subnet' && p.exists === false) {
        reportSubnetMissing(ctx, model, cluster, p.subnetId);
        continue;
      }
      for (const t of asked) {
        if (p.kind === 'managed') {
          for (const group of t.groups) {
            const r = reach(model, cluster, t, group);
            if (!r.ok) reportManaged(ctx, model, cluster, t, group, r.why);
          }
          continue;
        }
        if (p.kind === 'none') {
          const r = reach(model, cluster, t, t.groups[0]!);
          if (r.ok) continue;
          ctx.report({
            messageId: 'notInVnet',
            data: { compute: cluster.name, kind: t.kind, resource: t.name, how: exposedHow(t) },
            resourceId: cluster.id,
            evidence: { computeId: cluster.id, resourceId: t.id, exposure: evidenceOf(t) },
            remediation: `Recreate ${cluster.name} in the virtual network that holds the private endpoints of ${t.name} (az ml compute create --name ${cluster.name} --type AmlCompute --vnet-name <vnet> --subnet <subnet> …).`,
          });
          continue;
        }
        checkSubnetCluster(ctx, model, cluster, p.subnetId, t);
      }
    }
  },
});

function checkSubnetCluster(ctx: CheckContext<M>, model: NetworkModel, cluster: ComputeNode, subnetId: string, t: TargetNode): void {
  const vnetId = vnetOf(subnetId);
  const subnetName = `${nameOf(vnetId)}/${nameOf(subnetId)}`;
  const missing: string[] = [];
  const links: { group: string; endpoint: string; endpointVnet: string; link: Link }[] = [];
  for (const group of t.groups) {
    const r = reach(model, cluster, t, group);
    if (r.ok) continue;
    if (r.why.kind === 'service-endpoint-missing') {
      const rid = parseResourceId(subnetId);
      ctx.report({
        messageId: 'serviceEndpointMissing',
        data: { compute: cluster.name, kind: t.kind, resource: t.name, subnet: subnetName, service: t.service },
        resourceId: subnetId,
        evidence: {
          computeId: cluster.id,
          subnetServiceEndpoints: r.why.subnetServiceEndpoints,
          resourceId: t.id,
          exposure: evidenceOf(t),
        },
        remediation: `az network vnet subnet update --resource-group ${rid.resourceGroup} --vnet-name ${nameOf(vnetId)} --name ${nameOf(subnetId)} --service-endpoints ${t.service}`,
      });
      return;
    }
    if (r.why.kind === 'no-endpoint-path')
      for (const l of r.why.links)
        links.push({ group, endpoint: l.endpoint.privateEndpointId, endpointVnet: l.endpoint.vnetId, link: l.link });
    missing.push(group);
  }
  if (missing.length === 0) return;
  const how =
    links.length > 0
      ? links
          .map((l) => {
            const detail = l.link.kind === 'peering-not-connected' ? l.link.detail : '';
            return `its ${l.group} private endpoint ${nameOf(l.endpoint)} is in VNet ${nameOf(l.endpointVnet)}, ${l.link.kind === 'not-peered' ? `not peered with ${nameOf(vnetId)}` : `peering not connected (${detail})`}`;
          })
          .join('; ')
      : `it is exposed ${exposedHow(t)}`;
  const peVnet = links[0]?.endpointVnet;
  const group = t.groups.length > 1 ? missing[0]! : t.groups[0]!;
  ctx.report({
    messageId: 'unreachable',
    data: { compute: cluster.name, subnet: subnetName, kind: t.kind, resource: t.name, groups: missing.join(', '), how },
    resourceId: cluster.id,
    evidence: {
      computeId: cluster.id,
      subnetId,
      computeVnetId: vnetId,
      resourceId: t.id,
      unreachable: missing,
      exposure: evidenceOf(t),
      endpointLinks: links,
    },
    remediation: [
      `Add a private endpoint for ${t.name} in VNet ${nameOf(vnetId)}: az network private-endpoint create --resource-group ${parseResourceId(subnetId).resourceGroup} --name pe-${t.name}-${group} --vnet-name ${nameOf(vnetId)} --subnet <endpoint-subnet> --private-connection-resource-id ${t.id} --group-id ${group} --connection-name pe-${t.name}-${group}`,
      peVnet
        ? `or peer ${nameOf(vnetId)} with ${nameOf(peVnet)} (az network vnet peering create, both directions, until both show Connected)`
        : '',
      serviceEndpointsApply(t.exposure) && t.exposure.serviceEndpointSubnets.length > 0 && t.kind === 'storage account'
        ? `or admit ${nameOf(subnetId)} the way the others are: az network vnet subnet update --resource-group ${parseResourceId(subnetId).resourceGroup} --vnet-name ${nameOf(vnetId)} --name ${nameOf(subnetId)} --service-endpoints ${t.service} && az storage account network-rule add --resource-group ${parseResourceId(t.id).resourceGroup} --account-name ${t.name} --vnet-name ${nameOf(vnetId)} --subnet ${nameOf(subnetId)}`
        : '',
    ]
      .filter(Boolean)
      .join('; '),
  });
}

function reportSubnetMissing(ctx: CheckContext<M>, model: NetworkModel, cluster: ComputeNode, subnetId: string): void {
  const vnetId = vnetOf(subnetId);
  const rid = parseResourceId(subnetId);
  ctx.report({
    messageId: 'subnetMissing',
    data: { compute: cluster.name, subnet: `${nameOf(vnetId)}/${nameOf(subnetId)}` },
    resourceId: cluster.id,
    evidence: { computeId: cluster.id, subnetId, vnetId },
    remediation: `Recreate the subnet (az network vnet subnet create --resource-group ${rid.resourceGroup} --vnet-name ${nameOf(vnetId)} --name ${nameOf(subnetId)} --address-prefixes <prefix>), or move the cluster: delete it and create it again in an existing subnet (az ml compute create --name ${cluster.name} --type AmlCompute --workspace-name ${model.workspace.name} --vnet-name <vnet> --subnet <subnet> …).`,
  });
}

function reportManaged(
  ctx: CheckContext<M>,
  model: NetworkModel,
  cluster: ComputeNode,
  t: TargetNode,
  group: string,
  why: Unreachable,
): void {
  ctx.report({
    messageId: 'managedUnreachable',
    data: { compute: cluster.name, kind: t.kind, resource: t.name, group, why: managedWhy(why, t, group) },
    resourceId: cluster.id,
    evidence: {
      computeId: cluster.id,
      resourceId: t.id,
      subresource: group,
      isolationMode: model.managed!.isolationMode,
      managedNetworkStatus: model.managed!.status,
      ...managedEvidence(why),
      exposure: evidenceOf(t),
    },
    remediation: managedFix(model, why, t, group),
  });
}

function managedEvidence(why: Unreachable): Record<string, unknown> {
  if (why.kind === 'rule-not-active' || why.kind === 'connection-not-approved') {
    const r = why.rule;
    return {
      rule: {
        name: r.name,
        type: r.type,
        category: r.category,
        status: r.status,
        destination: { serviceResourceId: r.serviceResourceId, subresourceTarget: r.subresourceTarget },
        ...(r.errorInformation ? { errorInformation: r.errorInformation } : {}),
      },
      ...(why.kind === 'connection-not-approved' ? { managedConnections: why.connections } : {}),
    };
  }
  return { rule: null };
}

/** How a resource is reachable today, in words. */
function exposedHow(t: TargetNode): string {
  const parts: string[] = [];
  const approved = t.customerEndpoints.map((p) => `${nameOf(p.privateEndpointId)} in VNet ${nameOf(p.vnetId)}`);
  if (approved.length > 0) parts.push(`through private endpoint${approved.length > 1 ? 's' : ''} ${approved.join(', ')}`);
  if (serviceEndpointsApply(t.exposure) && t.exposure.serviceEndpointSubnets.length > 0)
    parts.push(
      `through service endpoint rules for ${t.exposure.serviceEndpointSubnets.map((s) => `${nameOf(vnetOf(s))}/${nameOf(s)}`).join(', ')}`,
    );
  if (parts.length === 0) parts.push(`through no network path (${t.exposure.reasons.join(', ') || 'restricted'})`);
  return parts.join(' and ');
}

function evidenceOf(t: TargetNode): Record<string, unknown> {
  return {
    publicNetworkAccess: t.exposure.publicNetworkAccess,
    defaultAction: t.exposure.defaultAction,
    privateEndpoints: t.customerEndpoints.map((p) => ({ id: p.privateEndpointId, vnet: p.vnetId, groups: p.groupIds })),
    serviceEndpointSubnets: t.exposure.serviceEndpointSubnets,
    ...(t.managedConnections.length > 0
      ? { managedPrivateEndpointConnections: t.managedConnections.map((c) => ({ id: c.privateEndpointId, status: c.status })) }
      : {}),
  };
}
