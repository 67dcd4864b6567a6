/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 * https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet
 *
 * ACR Tasks cannot build images for a registry behind a virtual network, so Azure ML builds them on
 * the compute cluster the workspace names in `imageBuildCompute`. That cluster must exist, be an
 * AmlCompute cluster (not a compute instance), be provisioned, use a CPU VM size, and sit in a
 * virtual network that reaches the registry.
 *
 * In a managed virtual network (https://learn.microsoft.com/azure/machine-learning/how-to-managed-network)
 * the same holds: "configure your workspace to use a compute cluster or compute instance to build
 * images". The cluster sits in the managed network and reaches the registry through an `Active`
 * private-endpoint outbound rule with an `Approved` connection. With no `imageBuildCompute`, builds
 * fall back to serverless compute, which cannot reach a network-restricted registry
 * (https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet, MicrosoftDocs/azure-docs#123350).
 */
import { defineCheck } from '../../src/engine/check.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import { nameOf, vnetOf } from '../../src/network/exposure.js';
import { networkModel } from '../../src/network/gather/model.js';
import { closedToPublic, reach } from '../../src/network/reach.js';
import { managedFix, managedWhy } from '../../src/network/managed-words.js';

const GPU_SIZE = /^(standard_)?n[cdgv]/i;

export default defineCheck({
  meta: {
    id: 'image-build-compute',
    title: 'Image builds have a compute cluster when the registry is behind a VNet',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
      'https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet',
    ],
    reads: [
      'workspace (managed network)',
      'managed network outbound rules',
      'workspace computes',
      'container registry',
      'private endpoints of the registry',
      'virtual networks (peerings)',
    ],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/outboundRules/read',
      'Microsoft.MachineLearningServices/workspaces/managedNetworks/read',
      'Microsoft.MachineLearningServices/workspaces/managedNetworks/outboundRules/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.Network/privateEndpoints/read',
      'Microsoft.Network/virtualNetworks/read',
    ],
    messages: {
      missing:
        'Registry {{registry}} is behind a virtual network ({{why}}) but workspace {{workspace}} has no imageBuildCompute: ACR Tasks cannot build its images.',
      missingManaged:
        'Registry {{registry}} is network-restricted ({{why}}) but workspace {{workspace}} in a managed virtual network has no imageBuildCompute: image builds fall back to serverless compute, which cannot reach it.',
      subnetMissing: 'imageBuildCompute "{{compute}}" sits in subnet {{subnet}}, which does not exist.',
      managedUnreachable: 'imageBuildCompute "{{compute}}" in the managed virtual network cannot reach registry {{registry}}: {{why}}.',
      notFound: 'imageBuildCompute names "{{compute}}", but workspace {{workspace}} has no compute of that name.',
      notCluster: 'imageBuildCompute "{{compute}}" is a {{type}}, not an AmlCompute cluster: image builds need a compute cluster.',
      notSucceeded: 'imageBuildCompute "{{compute}}" is in provisioning state {{state}}, not Succeeded.',
      gpu: 'imageBuildCompute "{{compute}}" uses the GPU size {{vmSize}}; image builds need a CPU cluster.',
      notInVnet: 'imageBuildCompute "{{compute}}" is not in a virtual network, so it cannot reach registry {{registry}} ({{why}}).',
      noEndpoint:
        'Registry {{registry}} is network-restricted ({{why}}) but has no approved private endpoint: the build cluster "{{compute}}" cannot reach it from any virtual network.',
      unreachable: 'imageBuildCompute "{{compute}}" sits in VNet {{vnet}}, which cannot reach registry {{registry}}: {{detail}}.',
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const found = await ctx.inventory.workspaceRegistry(ctx.workspaceId, opts);
    if (!found) return ctx.skip('the workspace has no container registry yet (Azure ML creates one on the first image build)');
    const { workspace: ws, registryId, registryName } = found;
    const model = await networkModel(ctx.inventory, ctx.workspaceId, opts);
    const target = model.registry!;
    const managed = model.managed;
    const wsRid = parseResourceId(ctx.workspaceId);
    const wsName = ws.name ?? nameOf(ctx.workspaceId);
    const fix = (cluster: string): string =>
      `az ml workspace update --name ${wsName} --resource-group ${wsRid.resourceGroup} --image-build-compute ${cluster}`;
    const exposure = target.exposure;
    // A managed network's own endpoint on the registry does not close its public door: ACR Tasks
    // still build while public access is open.
    const restricted = managed ? closedToPublic(target) : exposure.restricted;
    if (!restricted) {
      return ctx.skip(
        `registry ${registryName} is not behind a virtual network (publicNetworkAccess ${exposure.publicNetworkAccess}, defaultAction ${exposure.defaultAction}${managed ? '' : ', no approved private endpoint'}): ACR Tasks can build`,
      );
    }
    const why = exposure.reasons.filter((r) => !managed || !r.includes('private endpoint')).join(', ');
    const computes = model.computes;
    const clusters = computes.filter(
      (c) => c.computeType === 'AmlCompute' && c.provisioningState === 'Succeeded' && !GPU_SIZE.test(c.vmSize ?? ''),
    );
    const suggestion =
      (managed ? clusters.find((c) => c.placement.kind === 'managed') : clusters.find((c) => c.subnetId))?.name ??
      (managed ? '<cpu-cluster>' : '<cpu-cluster-in-the-vnet>');
    const name = ws.imageBuildCompute?.trim();
    if (!name) {
      ctx.report({
        messageId: managed ? 'missingManaged' : 'missing',
        data: { registry: registryName, why, workspace: wsName },
        resourceId: ctx.workspaceId,
        evidence: {
          imageBuildCompute: ws.imageBuildCompute ?? null,
          registryId,
          restrictedBecause: exposure.reasons,
          candidateClusters: clusters.map((c) => c.name),
          ...(managed ? { isolationMode: managed.isolationMode } : {}),
        },
        remediation: managed
          ? `Name a CPU compute cluster of the workspace as the image build compute: ${fix(suggestion)}`
          : `Name a CPU compute cluster inside the registry's virtual network as the image build compute: ${fix(suggestion)}`,
      });
      return;
    }
    const compute = computes.find((c) => c.name.toLowerCase() === name.toLowerCase());
    const evidenceBase = { imageBuildCompute: name, registryId, restrictedBecause: exposure.reasons };
    if (!compute) {
      ctx.report({
        messageId: 'notFound',
        data: { compute: name, workspace: wsName },
        resourceId: ctx.workspaceId,
        evidence: { ...evidenceBase, computes: computes.map((c) => `${c.name} (${c.computeType})`) },
        remediation: `Create the cluster (az ml compute create --name ${name} --type AmlCompute --size Standard_DS3_v2${managed ? '' : ' --vnet-name <vnet> --subnet <subnet>'} …) or point imageBuildCompute at an existing one: ${fix(suggestion)}`,
      });
      return;
    }
    const computeEvidence = {
      ...evidenceBase,
      computeId: compute.id,
      computeType: compute.computeType,
      provisioningState: compute.provisioningState ?? null,
      vmSize: compute.vmSize ?? null,
      subnetId: compute.subnetId ?? null,
      placement: compute.placement.kind,
    };
    if (compute.computeType !== 'AmlCompute') {
      ctx.report({
        messageId: 'notCluster',
        data: { compute: compute.name, type: compute.computeType },
        resourceId: compute.id,
        evidence: computeEvidence,
        remediation: `Use an AmlCompute cluster instead: ${fix(suggestion)}`,
      });
      return;
    }
    if (compute.provisioningState !== 'Succeeded') {
      ctx.report({
        messageId: 'notSucceeded',
        data: { compute: compute.name, state: compute.provisioningState ?? 'unknown' },
        resourceId: compute.id,
        evidence: computeEvidence,
        remediation: `Fix or recreate the cluster (az ml compute show --name ${compute.name} shows its errors), or name another: ${fix(suggestion)}`,
      });
    }
    if (GPU_SIZE.test(compute.vmSize ?? '')) {
      ctx.report({
        messageId: 'gpu',
        data: { compute: compute.name, vmSize: compute.vmSize ?? '' },
        resourceId: compute.id,
        evidence: computeEvidence,
        remediation: `Use a CPU cluster (for example Standard_DS3_v2): ${fix(suggestion === compute.name ? (managed ? '<cpu-cluster>' : '<cpu-cluster-in-the-vnet>') : suggestion)}`,
      });
    }
    const p = compute.placement;
    // Only an attached compute's network is unknown, and an AmlCompute cluster is never attached.
    if (p.kind === 'unknown') return;
    if (p.kind === 'managed') {
      const r = reach(model, compute, target, 'registry');
      if (!r.ok) {
        ctx.report({
          messageId: 'managedUnreachable',
          data: { compute: compute.name, registry: registryName, why: managedWhy(r.why, target, 'registry') },
          resourceId: compute.id,
          evidence: {
            ...computeEvidence,
            isolationMode: managed!.isolationMode,
            managedNetworkStatus: managed!.status,
            reason: r.why.kind,
          },
          remediation: managedFix(model, r.why, target, 'registry'),
        });
      }
      return;
    }
    if (p.kind === 'none') {
      ctx.report({
        messageId: 'notInVnet',
        data: { compute: compute.name, registry: registryName, why },
        resourceId: compute.id,
        evidence: computeEvidence,
        remediation: `Recreate the cluster in the virtual network that holds the registry's private endpoint (az ml compute create … --vnet-name <vnet> --subnet <subnet>), then ${fix(compute.name)}`,
      });
      return;
    }
    if (p.exists === false) {
      ctx.report({
        messageId: 'subnetMissing',
        data: { compute: compute.name, subnet: `${nameOf(p.vnetId)}/${nameOf(p.subnetId)}` },
        resourceId: compute.id,
        evidence: computeEvidence,
        remediation: `Recreate the subnet, or name a cluster in an existing subnet that reaches the registry: ${fix(suggestion)}`,
      });
      return;
    }
    if (target.endpointReadError) throw target.endpointReadError;
    const placements = target.customerEndpoints;
    if (placements.length === 0) {
      ctx.report({
        messageId: 'noEndpoint',
        data: { registry: registryName, why, compute: compute.name },
        resourceId: registryId,
        evidence: { ...computeEvidence, privateEndpointConnections: exposure.connections },
        remediation: `Add a private endpoint for the registry in the cluster's VNet: az network private-endpoint create --name pe-${registryName} --vnet-name ${nameOf(vnetOf(p.subnetId))} --subnet ${nameOf(p.subnetId)} --private-connection-resource-id ${registryId} --group-id registry --connection-name ${registryName}`,
      });
      return;
    }
    const r = reach(model, compute, target, 'registry');
    if (!r.ok && r.why.kind === 'no-endpoint-path') {
      const links = r.why.links;
      const detail = links
        .map(
          ({ endpoint, link }) =>
            `endpoint ${nameOf(endpoint.privateEndpointId)} is in VNet ${nameOf(endpoint.vnetId)}, ${link.kind === 'not-peered' ? 'not peered with it' : `peering not connected (${link.kind === 'peering-not-connected' ? link.detail : ''})`}`,
        )
        .join('; ');
      ctx.report({
        messageId: 'unreachable',
        data: { compute: compute.name, vnet: nameOf(p.vnetId), registry: registryName, detail },
        resourceId: compute.id,
        evidence: {
          ...computeEvidence,
          computeVnetId: p.vnetId,
          registryEndpoints: placements,
          links: links.map((l) => ({ endpoint: l.endpoint.privateEndpointId, vnet: l.endpoint.vnetId, link: l.link })),
        },
        remediation: `Peer VNet ${nameOf(p.vnetId)} with ${nameOf(placements[0]!.vnetId)} (both directions Connected), add a registry private endpoint in ${nameOf(p.vnetId)}, or name a cluster in ${nameOf(placements[0]!.vnetId)}: ${fix(suggestion)}`,
      });
    }
  },
});
