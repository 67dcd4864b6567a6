/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet
 * https://learn.microsoft.com/azure/container-registry/allow-access-trusted-services
 *
 * When the registry is network-restricted, the workspace can still use it only if trusted Azure
 * services may bypass the registry's network rules (`networkRuleBypassOptions: AzureServices`), or
 * if the workspace's own virtual network holds (or is peered with the VNet of) an approved private
 * endpoint of the registry. The troubleshooting guide's "after you put the registry behind a VNet,
 * run the template so the workspace can communicate with it" becomes this concrete finding.
 * Authentication must match too: with the admin user disabled, the workspace needs a managed
 * identity.
 */
import { defineCheck } from '../../src/engine/check.js';
import { nameOf, registryExposure, vnetOf } from '../../src/network/exposure.js';
import { isActive } from '../../src/network/managed.js';
import { networkModel, withVnets } from '../../src/network/gather/model.js';
import { privateEndpointRule, reachEndpoints } from '../../src/network/reach.js';

export default defineCheck({
  meta: {
    id: 'acr-workspace-access',
    title: 'The workspace can use its network-restricted registry',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet',
      'https://learn.microsoft.com/azure/container-registry/allow-access-trusted-services',
    ],
    reads: ['workspace (its private endpoints and identity)', 'container registry', 'private endpoints', 'virtual networks (peerings)'],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.Network/privateEndpoints/read',
      'Microsoft.Network/virtualNetworks/read',
    ],
    messages: {
      blocked:
        'Registry {{registry}} is network-restricted ({{why}}) and does not let trusted Azure services through (networkRuleBypassOptions: {{bypass}}), and {{path}}: the workspace cannot reach it.',
      noIdentity:
        'Registry {{registry}} has the admin user disabled, and workspace {{workspace}} has no managed identity to authenticate with instead.',
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const found = await ctx.inventory.workspaceRegistry(ctx.workspaceId, opts);
    if (!found) return ctx.skip('the workspace has no container registry yet');
    const { workspace: ws, registry, registryId, registryName } = found;
    const wsName = ws.name ?? nameOf(ctx.workspaceId);
    const exposure = registryExposure(registry);

    const identity = ws.identity?.type ?? 'None';
    if (registry.adminUserEnabled !== true) {
      if (/^none$/i.test(identity)) {
        ctx.report({
          messageId: 'noIdentity',
          data: { registry: registryName, workspace: wsName },
          resourceId: ctx.workspaceId,
          evidence: { adminUserEnabled: registry.adminUserEnabled ?? false, workspaceIdentity: identity },
          remediation: `Give the workspace a managed identity with AcrPush on the registry, or enable the admin user: az acr update --name ${registryName} --admin-enabled true`,
        });
      } else {
        ctx.note(
          `the registry admin user is disabled: Azure ML authenticates with the workspace's ${identity} identity, which needs AcrPush/AcrPull on ${registryName} (role assignments are not read by this check)`,
        );
      }
    }

    if (!exposure.restricted) {
      if (registry.adminUserEnabled === true || !/^none$/i.test(identity))
        return ctx.skip(`registry ${registryName} is not network-restricted`);
      return;
    }
    if (/^azureservices$/i.test(exposure.bypass)) {
      ctx.note(
        `trusted Azure services, Azure ML among them, may bypass the network rules of ${registryName} (networkRuleBypassOptions: AzureServices)`,
      );
      return;
    }
    // In a managed network, the workspace reaches the registry through its Active private-endpoint rule.
    const model = await networkModel(ctx.inventory, ctx.workspaceId, opts);
    if (model.managed && model.registry) {
      const rule = privateEndpointRule(model.managed, model.registry.id, 'registry');
      if (rule && isActive(rule) && model.registry.managedConnections.some((c) => /^approved$/i.test(c.status))) {
        ctx.note(`the workspace reaches ${registryName} through the managed network's private-endpoint rule ${rule.name}`);
        return;
      }
    }
    // Without the bypass, the workspace must reach an approved registry endpoint from its own VNet.
    const wsEndpoints = (
      (ws.privateEndpointConnections ?? []) as {
        privateEndpoint?: { id?: string };
        privateLinkServiceConnectionState?: { status?: string };
      }[]
    )
      .filter((c) => c.privateEndpoint?.id && /^approved$/i.test(c.privateLinkServiceConnectionState?.status ?? ''))
      .map((c) => c.privateEndpoint!.id!);
    // The customer's endpoints only: the managed network's sit in Microsoft's subscription and are never read.
    if (model.registry?.endpointReadError) throw model.registry.endpointReadError;
    const registryPlacements = model.registry?.customerEndpoints ?? [];
    const wsVnets: string[] = [];
    for (const id of wsEndpoints) {
      const pe = await ctx.inventory.privateEndpoint(id, opts);
      if (pe.subnet?.id) wsVnets.push(vnetOf(pe.subnet.id));
    }
    if (registryPlacements.length > 0 && wsVnets.length > 0) {
      const withOwn = await withVnets(ctx.inventory, model, [...wsVnets, ...registryPlacements.map((p) => p.vnetId)], opts);
      if (wsVnets.some((vnet) => reachEndpoints(withOwn, vnet, registryPlacements).ok)) return;
    }
    const path =
      wsVnets.length === 0
        ? 'the workspace has no approved private endpoint, so it has no virtual network of its own'
        : registryPlacements.length === 0
          ? 'the registry has no approved private endpoint'
          : `no approved private endpoint of the registry is reachable from the workspace's VNet ${wsVnets.map(nameOf).join(', ')}`;
    ctx.report({
      messageId: 'blocked',
      data: { registry: registryName, why: exposure.reasons.join(', '), bypass: exposure.bypass, path },
      resourceId: registryId,
      evidence: {
        networkRuleBypassOptions: exposure.bypass,
        restrictedBecause: exposure.reasons,
        workspaceEndpointVnets: wsVnets,
        registryEndpoints: registryPlacements.map((p) => ({ id: p.privateEndpointId, vnet: p.vnetId })),
      },
      remediation: `Let trusted services through: az acr update --name ${registryName} --allow-trusted-services true; or add a registry private endpoint in the workspace's VNet (az network private-endpoint create … --private-connection-resource-id ${registryId} --group-id registry).`,
    });
  },
});
