/** The demo world `aml-preflight demo` and `npm start` audit. */
import type { WorldInput } from '../../src/world/schema.js';
import { diagnoseAnswer, ids, type Json, LOCATION, res, secrets, SUB } from './base.js';
import { DIAGNOSE_FINDINGS } from './diagnose.js';
import { mutate } from './healthy.js';
import { nsgRules } from './nsg.js';
import { storageByServiceEndpoint } from './placement.js';

/**
 * The demo: a workspace in trouble, with one defect per check so `aml-preflight demo` shows what
 * each finds. Changing it changes what `npm start` prints.
 */
export function demoWorld(): WorldInput {
  return mutate(
    'demo: a private workspace with one defect per check: storage admits only another subnet, the registry endpoint region lacks ACR support, a GPU build cluster, trusted services off without a workspace endpoint, an unlinked DNS zone, Front Door blocked, a rotated storage key.',
    (w) => {
      storageByServiceEndpoint(w, ids.endpointsSubnet, ids.endpointsSubnet);
      const types = w.responses![
        `GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/availablePrivateEndpointTypes`
      ]!.body as Json;
      types.value = (types.value as Json[]).filter((t) => t.resourceName !== 'Microsoft.ContainerRegistry/registries');
      res(w, ids.workspace).properties.imageBuildCompute = 'gpu-train-cluster';
      res(w, ids.registry).properties.networkRuleBypassOptions = 'None';
      res(w, ids.workspace).properties.privateEndpointConnections = [];
      w.resources = w.resources.filter(
        (r) =>
          r.id !== ids.peWorkspace && !r.id.startsWith(`${ids.peWorkspace}/`) && !r.id.startsWith(`${ids.zoneAcr}/virtualNetworkLinks/`),
      );
      res(w, ids.nsg).properties.securityRules = nsgRules(w).filter((r) => r.name !== 'AllowFrontDoorFirstPartyOutbound');
      (w.responses![`POST ${ids.storage}/listKeys`]!.body as Json).keys[0].value = secrets.storageKey1Rotated;
      res(w, ids.storage).properties.keyCreationTime.key1 = '2026-11-28T21:04:37.1184632Z';
      w.responses![`POST ${ids.workspace}/diagnose`] = { headers: { 'Retry-After': '0' }, body: diagnoseAnswer(DIAGNOSE_FINDINGS) };
    },
  );
}
