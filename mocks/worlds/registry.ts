/** The container registry's worlds: public, private endpoint states, SKU, trusted services, admin user. */
import type { WorldInput } from '../../src/world/schema.js';
import { ids, type Json, LOCATION, res, SUB } from './base.js';
import { mutate } from './healthy.js';

export function registryConnection(w: WorldInput): Json {
  return res(w, ids.registry).properties.privateEndpointConnections[0].properties.privateLinkServiceConnectionState;
}

/** Every world of the family, by file name (without `.json`). */
export function registryWorlds(): Record<string, WorldInput> {
  return {
    'public-registry': mutate(
      'public-registry: the registry is public (no VNet, no private endpoint); image builds run on ACR Tasks, so image-build-compute is not applicable.',
      (w) => {
        const r = res(w, ids.registry);
        r.properties.publicNetworkAccess = 'Enabled';
        r.properties.networkRuleSet.defaultAction = 'Allow';
        r.properties.privateEndpointConnections = [];
        w.resources = w.resources.filter((x) => x.id !== ids.peRegistry);
        delete res(w, ids.workspace).properties.imageBuildCompute;
      },
    ),
    'acr-pe-pending': mutate('acr-pe-pending: the registry private endpoint connection is Pending approval.', (w) => {
      Object.assign(registryConnection(w), { status: 'Pending', description: 'Awaiting approval by the registry owner' });
      res(w, ids.peRegistry).properties.privateLinkServiceConnections[0].properties.privateLinkServiceConnectionState = {
        status: 'Pending',
        description: 'Awaiting approval by the registry owner',
        actionsRequired: 'None',
      };
    }),
    'acr-pe-rejected': mutate('acr-pe-rejected: the registry private endpoint connection was Rejected.', (w) => {
      Object.assign(registryConnection(w), { status: 'Rejected', description: 'Rejected: endpoint not in an approved network' });
      res(w, ids.peRegistry).properties.privateLinkServiceConnections[0].properties.privateLinkServiceConnectionState = {
        status: 'Rejected',
        description: 'Rejected: endpoint not in an approved network',
        actionsRequired: 'None',
      };
    }),
    'acr-pe-unsupported-region': mutate(
      'acr-pe-unsupported-region: availablePrivateEndpointTypes of the endpoint region does not list Microsoft.ContainerRegistry/registries.',
      (w) => {
        const body = w.responses![
          `GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/availablePrivateEndpointTypes`
        ]!.body as Json;
        body.value = (body.value as Json[]).filter((t) => t.resourceName !== 'Microsoft.ContainerRegistry/registries');
      },
    ),
    'acr-pe-location-display-name': mutate(
      'acr-pe-location-display-name: the registry private endpoint answers its location as the display name "West Europe"; verdicts must not change.',
      (w) => {
        res(w, ids.peRegistry).location = 'West Europe';
      },
    ),
    'acr-standard-sku': mutate('acr-standard-sku: the registry with a private endpoint is on the Standard SKU.', (w) => {
      res(w, ids.registry).sku = { name: 'Standard', tier: 'Standard' };
    }),
    'acr-trusted-services-off': mutate(
      'acr-trusted-services-off: the registry blocks trusted Azure services and the workspace has no private endpoint of its own.',
      (w) => {
        res(w, ids.registry).properties.networkRuleBypassOptions = 'None';
        res(w, ids.workspace).properties.privateEndpointConnections = [];
        w.resources = w.resources.filter((r) => r.id !== ids.peWorkspace && !r.id.startsWith(`${ids.peWorkspace}/`));
      },
    ),
    'acr-trusted-services-off-ws-endpoint': mutate(
      'acr-trusted-services-off-ws-endpoint: the registry blocks trusted services, but the workspace VNet holds an approved registry endpoint; usable.',
      (w) => {
        res(w, ids.registry).properties.networkRuleBypassOptions = 'None';
      },
    ),
    'acr-admin-disabled-no-identity': mutate(
      'acr-admin-disabled-no-identity: the registry admin user is disabled and the workspace has no managed identity to use instead.',
      (w) => {
        res(w, ids.registry).properties.adminUserEnabled = false;
        res(w, ids.workspace).identity = { type: 'None' };
      },
    ),
  };
}
