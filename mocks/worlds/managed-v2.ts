/**
 * The managed virtual network V2 worlds (api-version 2025-12-01, `managedNetworkKind: V2`): the
 * network is the child resource `…/workspaces/{ws}/managedNetworks/default`
 * (`properties.managedNetwork` with its `outboundRules` map and `status`, beside
 * `properties.provisioningState`), and its rules are served at `…/managedNetworks/default/outboundRules`.
 * The workspace's own `managedNetwork` says only that it is V2. Shapes follow Microsoft's examples
 * `ManagedNetwork-get-V2.json` and `ManagedNetwork-listRule-V2.json` in
 * `../shared/azure-examples/machinelearning/`.
 *
 * Each world is the V1 world of the same defect (`managed.ts`) with its network moved to V2, so the
 * two generations are judged by the same worlds, and a verdict that differs between them is a defect.
 */
import type { WorldInput } from '../../src/world/schema.js';
import { ids, res } from './base.js';
import { managedWorlds } from './managed.js';

// Free-form ARM JSON: the world schema validates every world built from it.
type Json = Record<string, any>;

export const managedNetworkV2Id = `${ids.workspace}/managedNetworks/default`;

/** The managed network's public address, which Azure gives its managed Azure Firewall (FQDN rules). */
const FIREWALL_IP = '20.103.131.49';

interface V2Options {
  /** Leave `managedNetwork.status` out of the V2 body: its `provisioningState` then says it. */
  readonly statusFrom?: 'status' | 'provisioningState';
  readonly provisioningState?: string;
  /** What the workspace body still holds of its V1 network after the move (Azure keeps no promise either way). */
  readonly v1Leftover?: Json;
}

/** Moves a V1 world's managed network into the V2 child resource. */
function toV2(w: WorldInput, description: string, options: V2Options = {}): WorldInput {
  w.description = description;
  const ws = res(w, ids.workspace);
  const v1 = ws.properties.managedNetwork as Json;
  const settings: Json = { ...structuredClone(v1), managedNetworkKind: 'V2' };
  if (settings.firewallSku) settings.firewallPublicIpAddress = FIREWALL_IP;
  if (options.statusFrom === 'provisioningState') delete settings.status;
  w.resources.push({
    id: managedNetworkV2Id,
    name: 'default',
    type: 'Microsoft.MachineLearningServices/workspaces/managedNetworks',
    properties: { managedNetwork: settings, provisioningState: options.provisioningState ?? 'Succeeded' },
  });
  ws.properties.managedNetwork = options.v1Leftover ?? { isolationMode: v1.isolationMode, managedNetworkKind: 'V2' };
  return w;
}

/** The V2 worlds, by file name. */
export function managedV2Worlds(): Record<string, WorldInput> {
  const v1 = managedWorlds();
  const from = (name: string): WorldInput => structuredClone(v1[name]!);
  return {
    'healthy-managed-v2': toV2(
      from('healthy-managed'),
      'healthy-managed-v2: the healthy managed-network workspace on managed network V2 (AllowOnlyApprovedOutbound, provisioned): the network and its Active rules are the child resource managedNetworks/default; the workspace says only managedNetworkKind V2. Every check passes or is not applicable.',
    ),
    'managed-v2-internet-outbound': toV2(
      from('managed-internet-outbound'),
      'managed-v2-internet-outbound: the healthy managed workspace on managed network V2 with isolation AllowInternetOutbound. Every check passes or is not applicable.',
    ),
    'managed-v2-status-from-provisioning-state': toV2(
      from('healthy-managed'),
      'managed-v2-status-from-provisioning-state: the healthy V2 workspace whose managedNetworks/default carries no managedNetwork.status, only provisioningState Succeeded: provisioned. Every check passes or is not applicable.',
      { statusFrom: 'provisioningState' },
    ),
    'managed-v2-provisioning': toV2(
      from('managed-not-provisioned'),
      'managed-v2-provisioning: a V2 managed network still being provisioned (no managedNetwork.status, provisioningState Updating): its rules are Inactive and no private endpoint exists yet.',
      { statusFrom: 'provisioningState', provisioningState: 'Updating' },
    ),
    'managed-v2-not-provisioned': toV2(
      from('managed-not-provisioned'),
      'managed-v2-not-provisioned: the V2 managed network was never provisioned (status Inactive): its rules are Inactive and no private endpoint exists yet, so image builds and jobs wait on it.',
    ),
    'managed-v2-registry-rule-failed': toV2(
      from('managed-registry-rule-failed'),
      'managed-v2-registry-rule-failed: on managed network V2, the registry private-endpoint rule is Failed, so no endpoint exists.',
    ),
    'managed-v2-storage-rule-missing': toV2(
      from('managed-storage-rule-missing'),
      'managed-v2-storage-rule-missing: the V2 managed network has no private-endpoint rule for the file share of the storage account.',
    ),
    'managed-v2-service-tag-missing': toV2(
      from('managed-service-tag-missing'),
      'managed-v2-service-tag-missing: V2, AllowOnlyApprovedOutbound without the AzureFrontDoor.FirstParty service-tag rule: base images cannot be pulled from MCR.',
    ),
    'managed-v2-package-fqdn-missing': toV2(
      from('managed-package-fqdn-missing'),
      'managed-v2-package-fqdn-missing: V2, AllowOnlyApprovedOutbound without FQDN rules for PyPI: pip installs in image builds fail or time out.',
    ),
    'managed-v2-ibc-missing': toV2(
      from('managed-ibc-missing'),
      'managed-v2-ibc-missing: the registry is private, but the V2 managed-network workspace names no imageBuildCompute, so builds fall back to serverless compute, which cannot reach it.',
    ),
    'managed-v2-moved-from-v1': movedFromV1(v1),
  };
}

/**
 * A workspace moved from V1 to V2: the workspace body (and so the V1 rule list) still holds the V1
 * network as it was before the move, never provisioned and without the package rules; the V2 network
 * is healthy. The verdicts are V2's: every check passes or is not applicable.
 */
function movedFromV1(v1: Record<string, WorldInput>): WorldInput {
  const before = structuredClone(res(v1['managed-not-provisioned']!, ids.workspace).properties.managedNetwork as Json);
  for (const name of Object.keys(before.outboundRules as Json)) if (name.startsWith('allow-')) delete (before.outboundRules as Json)[name];
  return toV2(
    structuredClone(v1['healthy-managed']!),
    'managed-v2-moved-from-v1: a workspace moved from managed network V1 to V2: its body and the V1 rule list still show the old V1 network (Inactive, no package rules); managedNetworks/default, the V2 network, is healthy. Every check passes or is not applicable.',
    { v1Leftover: { ...before, managedNetworkKind: 'V2' } },
  );
}
