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
 */
import type { Subnet } from '@azure/arm-network';
import { defineCheck, type CheckContext } from '../../src/engine/check.js';
import { parseResourceId, sameId } from '../../src/arm/resource-id.js';
import {
  approvedEndpointPlacements,
  isOpenToAll,
  nameOf,
  reachViaEndpoints,
  registryExposure,
  serviceEndpointsApply,
  storageExposure,
  vnetOf,
  type EndpointPlacement,
  type Exposure,
  type Link,
} from '../../src/network/exposure.js';

type M = 'notInVnet' | 'unreachable' | 'serviceEndpointMissing';

interface Target {
  kind: 'storage account' | 'container registry';
  id: string;
  name: string;
  exposure: Exposure;
  /** The service endpoint a subnet needs for it. */
  service: string;
  /** Sub-resources a cluster must reach: blob and file for storage, registry for ACR. */
  groups: readonly string[];
  placements: EndpointPlacement[];
}

export default defineCheck<M>({
  meta: {
    id: 'same-vnet-placement',
    title: 'Storage, registry and compute clusters are reachable in the same virtual network',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
      'https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet',
      'https://learn.microsoft.com/azure/private-link/private-endpoint-overview',
      'https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview',
    ],
    reads: ['workspace', 'workspace computes', 'storage account', 'container registry', 'private endpoints', 'virtual networks (subnets, peerings)'],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
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
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const { workspace: ws, computes, storage, registry } = await ctx.inventory.workspaceEstate(ctx.workspaceId, opts);
    const targets: Target[] = [];
    if (storage && ws.storageAccount) targets.push({ kind: 'storage account', id: storage.id ?? ws.storageAccount, name: storage.name ?? nameOf(ws.storageAccount), exposure: storageExposure(storage), service: 'Microsoft.Storage', groups: ['blob', 'file'], placements: [] });
    if (registry && ws.containerRegistry) targets.push({ kind: 'container registry', id: registry.id ?? ws.containerRegistry, name: registry.name ?? nameOf(ws.containerRegistry), exposure: registryExposure(registry), service: 'Microsoft.ContainerRegistry', groups: ['registry'], placements: [] });
    const clusters = computes.filter((c) => c.computeType === 'AmlCompute');
    const restricted = targets.filter((t) => !isOpenToAll(t.exposure));
    if (restricted.length === 0 && !clusters.some((c) => c.subnetId)) {
      return ctx.skip('neither the storage account nor the registry is network-restricted, and no compute cluster is in a virtual network');
    }
    if (clusters.length === 0) return ctx.skip('the workspace has no compute cluster');
    await Promise.all(restricted.map(async (t) => (t.placements = await approvedEndpointPlacements(ctx.inventory, t.exposure, opts))));

    for (const cluster of clusters) {
      for (const t of restricted) {
        const data = { compute: cluster.name, kind: t.kind, resource: t.name };
        if (!cluster.subnetId) {
          ctx.report({
            messageId: 'notInVnet',
            data: { ...data, how: exposedHow(t) },
            resourceId: cluster.id,
            evidence: { computeId: cluster.id, resourceId: t.id, exposure: evidenceOf(t) },
            remediation: `Recreate ${cluster.name} in the virtual network that holds the private endpoints of ${t.name} (az ml compute create --name ${cluster.name} --type AmlCompute --vnet-name <vnet> --subnet <subnet> …).`,
          });
          continue;
        }
        await checkCluster(ctx, cluster, t);
      }
    }
  },
});

async function checkCluster(ctx: CheckContext<M>, cluster: { id: string; name: string; subnetId?: string | undefined }, t: Target): Promise<void> {
  const opts = { abortSignal: ctx.abortSignal };
  const subnetId = cluster.subnetId!;
  const vnetId = vnetOf(subnetId);
  const subnetName = `${nameOf(vnetId)}/${nameOf(subnetId)}`;
  const missing: string[] = [];
  const links: { group: string; endpoint: string; endpointVnet: string; link: Link }[] = [];
  for (const group of t.groups) {
    const endpoints = t.placements.filter((p) => p.groupIds.length === 0 || p.groupIds.includes(group));
    const reach = endpoints.length > 0 ? await reachViaEndpoints(ctx.inventory, vnetId, endpoints, opts) : undefined;
    if (reach?.reachable) continue;
    if (reach) for (const l of reach.links) links.push({ group, endpoint: l.via.privateEndpointId, endpointVnet: l.via.vnetId, link: l.link });
    missing.push(group);
  }
  if (missing.length === 0) return;

  // No private endpoint path: a service endpoint rule for exactly this subnet may still admit it.
  if (serviceEndpointsApply(t.exposure) && t.exposure.serviceEndpointSubnets.some((s) => sameId(s, subnetId))) {
    const subnet: Subnet = await ctx.inventory.subnet(subnetId, opts);
    const has = (subnet.serviceEndpoints ?? []).some((se) => (se.service ?? '').toLowerCase().startsWith(t.service.toLowerCase()) && (!se.provisioningState || /^succeeded$/i.test(se.provisioningState)));
    if (has) return;
    const rid = parseResourceId(subnetId);
    ctx.report({
      messageId: 'serviceEndpointMissing',
      data: { compute: cluster.name, kind: t.kind, resource: t.name, subnet: subnetName, service: t.service },
      resourceId: subnetId,
      evidence: { computeId: cluster.id, subnetServiceEndpoints: (subnet.serviceEndpoints ?? []).map((se) => se.service), resourceId: t.id, exposure: evidenceOf(t) },
      remediation: `az network vnet subnet update --resource-group ${rid.resourceGroup} --vnet-name ${nameOf(vnetId)} --name ${nameOf(subnetId)} --service-endpoints ${t.service}`,
    });
    return;
  }

  const how = links.length > 0
    ? links.map((l) => `its ${l.group} private endpoint ${nameOf(l.endpoint)} is in VNet ${nameOf(l.endpointVnet)}, ${l.link.kind === 'not-peered' ? `not peered with ${nameOf(vnetId)}` : `peering not connected (${l.link.kind === 'peering-not-connected' ? l.link.detail : ''})`}`).join('; ')
    : `it is exposed ${exposedHow(t)}`;
  const peVnet = links[0]?.endpointVnet;
  const group = t.groups.length > 1 ? missing[0]! : t.groups[0]!;
  ctx.report({
    messageId: 'unreachable',
    data: { compute: cluster.name, subnet: subnetName, kind: t.kind, resource: t.name, groups: missing.join(', '), how },
    resourceId: cluster.id,
    evidence: { computeId: cluster.id, subnetId, computeVnetId: vnetId, resourceId: t.id, unreachable: missing, exposure: evidenceOf(t), endpointLinks: links },
    remediation: [
      `Add a private endpoint for ${t.name} in VNet ${nameOf(vnetId)}: az network private-endpoint create --resource-group ${parseResourceId(subnetId).resourceGroup} --name pe-${t.name}-${group} --vnet-name ${nameOf(vnetId)} --subnet <endpoint-subnet> --private-connection-resource-id ${t.id} --group-id ${group} --connection-name pe-${t.name}-${group}`,
      peVnet ? `or peer ${nameOf(vnetId)} with ${nameOf(peVnet)} (az network vnet peering create, both directions, until both show Connected)` : '',
      serviceEndpointsApply(t.exposure) && t.exposure.serviceEndpointSubnets.length > 0 && t.kind === 'storage account'
        ? `or admit ${nameOf(subnetId)} the way the others are: az network vnet subnet update --resource-group ${parseResourceId(subnetId).resourceGroup} --vnet-name ${nameOf(vnetId)} --name ${nameOf(subnetId)} --service-endpoints ${t.service} && az storage account network-rule add --resource-group ${parseResourceId(t.id).resourceGroup} --account-name ${t.name} --vnet-name ${nameOf(vnetId)} --subnet ${nameOf(subnetId)}`
        : '',
    ].filter(Boolean).join('; '),
  });
}

/** How a resource is reachable today, in words. */
function exposedHow(t: Target): string {
  const parts: string[] = [];
  const approved = t.placements.map((p) => `${nameOf(p.privateEndpointId)} in VNet ${nameOf(p.vnetId)}`);
  if (approved.length > 0) parts.push(`through private endpoint${approved.length > 1 ? 's' : ''} ${approved.join(', ')}`);
  if (serviceEndpointsApply(t.exposure) && t.exposure.serviceEndpointSubnets.length > 0) parts.push(`through service endpoint rules for ${t.exposure.serviceEndpointSubnets.map((s) => `${nameOf(vnetOf(s))}/${nameOf(s)}`).join(', ')}`);
  if (parts.length === 0) parts.push(`through no network path (${t.exposure.reasons.join(', ') || 'restricted'})`);
  return parts.join(' and ');
}

function evidenceOf(t: Target): Record<string, unknown> {
  return {
    publicNetworkAccess: t.exposure.publicNetworkAccess,
    defaultAction: t.exposure.defaultAction,
    privateEndpoints: t.placements.map((p) => ({ id: p.privateEndpointId, vnet: p.vnetId, groups: p.groupIds })),
    serviceEndpointSubnets: t.exposure.serviceEndpointSubnets,
  };
}
