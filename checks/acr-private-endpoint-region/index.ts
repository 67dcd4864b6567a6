/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 * https://learn.microsoft.com/azure/container-registry/container-registry-private-link
 * https://learn.microsoft.com/rest/api/virtualnetwork/available-endpoint-services
 *
 * Each private endpoint of the workspace registry must sit in a region where private endpoints
 * for `Microsoft.ContainerRegistry/registries` are available (the live
 * `availablePrivateEndpointTypes` of the endpoint's location), on a Premium registry (private link
 * needs Premium), with an Approved connection.
 *
 * A managed virtual network's endpoints sit in Microsoft's subscription and are never read (the
 * caller gets 403 there): they are recognised from the connection's endpoint id, judged by the SKU
 * and the connection state, and their region is Microsoft's choice (the workspace's region).
 * https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
 */
import { defineCheck } from '../../src/engine/check.js';
import { ArmRequestError } from '../../src/arm/errors.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import { normaliseLocation } from '../../src/arm/location.js';
import { nameOf, registryExposure } from '../../src/network/exposure.js';
import { networkModel } from '../../src/network/gather/model.js';

const TYPE = 'microsoft.containerregistry/registries';

export default defineCheck({
  meta: {
    id: 'acr-private-endpoint-region',
    title: 'Registry private endpoints are Approved, on Premium, in a region that supports them',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
      'https://learn.microsoft.com/azure/container-registry/container-registry-private-link',
      'https://learn.microsoft.com/rest/api/virtualnetwork/available-endpoint-services',
    ],
    reads: ['workspace', 'container registry', 'private endpoints of the registry', 'available private endpoint types of their regions'],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.Network/privateEndpoints/read',
      'Microsoft.Network/locations/availablePrivateEndpointTypes/read',
    ],
    messages: {
      notPremium: 'Registry {{registry}} has private endpoint connections but is on the {{sku}} SKU: private endpoints need Premium.',
      notApproved:
        'Private endpoint connection {{connection}} of registry {{registry}} (endpoint {{endpoint}}) is {{status}}: "{{description}}".',
      unsupportedRegion:
        'Private endpoint {{endpoint}} of registry {{registry}} sits in {{location}}, where private endpoints for Microsoft.ContainerRegistry/registries are not available.',
      dangling:
        'Private endpoint connection {{connection}} of registry {{registry}} refers to private endpoint {{endpoint}}, which does not exist (404).',
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const found = await ctx.inventory.workspaceRegistry(ctx.workspaceId, opts);
    if (!found) return ctx.skip('the workspace has no container registry yet');
    const { registry, registryId, registryName } = found;
    const connections = registryExposure(registry).connections;
    if (connections.length === 0) return ctx.skip(`registry ${registryName} has no private endpoint`);
    const model = await networkModel(ctx.inventory, ctx.workspaceId, opts);
    const managed = new Set((model.registry?.managedConnections ?? []).map((c) => c.privateEndpointId.toLowerCase()));
    if (managed.size > 0)
      ctx.note(
        `${managed.size} private endpoint${managed.size > 1 ? 's' : ''} of the registry belong${managed.size > 1 ? '' : 's'} to the managed virtual network (Microsoft's subscription): judged by SKU and connection state, not read; Azure ML places them in the workspace's region`,
      );
    // The SDK types `sku` as required; the shape check lets ARM omit it, so read it as it arrived.
    const { sku: skuAsSent } = registry as { sku?: { name?: string } | null };
    const sku = skuAsSent?.name ?? 'unknown';
    if (!/^premium$/i.test(sku)) {
      ctx.report({
        messageId: 'notPremium',
        data: { registry: registryName, sku },
        resourceId: registryId,
        evidence: { sku: skuAsSent ?? null, privateEndpointConnections: connections.length },
        remediation: `az acr update --name ${registryName} --sku Premium`,
      });
    }
    for (const c of connections) {
      const connection = c.connectionId ? nameOf(c.connectionId) : nameOf(c.privateEndpointId);
      if (!/^approved$/i.test(c.status)) {
        ctx.report({
          messageId: 'notApproved',
          data: {
            connection,
            registry: registryName,
            endpoint: nameOf(c.privateEndpointId),
            status: c.status,
            description: c.description ?? '',
          },
          resourceId: c.connectionId ?? c.privateEndpointId,
          evidence: { status: c.status, description: c.description ?? null, privateEndpointId: c.privateEndpointId },
          remediation: /^pending$/i.test(c.status)
            ? `Approve it: az network private-endpoint-connection approve --id ${c.connectionId ?? '<connection-id>'} --description "Approved for Azure ML"`
            : `The connection cannot carry traffic in state ${c.status}: delete the private endpoint ${nameOf(c.privateEndpointId)} and create it again (az network private-endpoint create … --group-id registry), then approve the connection.`,
        });
      }
      if (managed.has(c.privateEndpointId.toLowerCase())) continue;
      let pe;
      try {
        pe = await ctx.inventory.privateEndpoint(c.privateEndpointId, opts);
      } catch (err) {
        if (err instanceof ArmRequestError && err.statusCode === 404) {
          ctx.report({
            messageId: 'dangling',
            data: { connection, registry: registryName, endpoint: nameOf(c.privateEndpointId) },
            resourceId: c.connectionId ?? c.privateEndpointId,
            evidence: { privateEndpointId: c.privateEndpointId, status: c.status },
            remediation: `Remove the stale connection: az network private-endpoint-connection delete --id ${c.connectionId ?? '<connection-id>'}`,
          });
          continue;
        }
        throw err;
      }
      const location = normaliseLocation(pe.location ?? '');
      const sub = parseResourceId(pe.id ?? c.privateEndpointId).subscriptionId;
      const available = await ctx.inventory.availablePrivateEndpointTypes(sub, location, opts);
      if (!available.has(TYPE)) {
        ctx.report({
          messageId: 'unsupportedRegion',
          data: { endpoint: nameOf(c.privateEndpointId), registry: registryName, location },
          resourceId: pe.id ?? c.privateEndpointId,
          evidence: { location, availablePrivateEndpointTypes: available.size, containerRegistryListed: false },
          remediation: `As the troubleshooting guide says: expose the registry to the compute through a service endpoint or public access (portal: registry → Networking), or recreate the private endpoint in a region that lists Microsoft.ContainerRegistry/registries (az network list-endpoint-services is for service endpoints; for private endpoints check GET …/locations/<region>/availablePrivateEndpointTypes).`,
        });
      }
    }
  },
});
