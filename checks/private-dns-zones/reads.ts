/**
 * What private-dns-zones reads beyond the network model: the workspace's key vault and own
 * endpoints, where approved private endpoints sit, a zone's links, and A records put in a zone by
 * hand.
 */
import { ArmRequestError } from '../../src/arm/errors.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import type { Inventory, ReadOptions, WorkspaceView } from '../../src/inventory/index.js';
import { vnetOf, type EndpointPlacement } from '../../src/network/exposure.js';
import { isNearMiss, type Group } from './zones.js';

/** One zone an endpoint's records must be in, and the records (relative names) it must hold. */
export interface ZoneNeed {
  readonly zone: string;
  readonly records: readonly string[];
}

export interface Expectation {
  readonly group: Group;
  readonly zones: readonly ZoneNeed[];
  readonly resourceId: string;
  readonly resourceName: string;
}

/** A private DNS zone's virtual network link, as far as the check reads it. */
export interface LinkLike {
  readonly virtualNetwork?: { readonly id?: string };
  readonly virtualNetworkLinkState?: string;
}

/** The workspace's key vault; `missing` when it is gone (the check notes it). */
export async function readKeyVault(inventory: Inventory, id: string | undefined, opts: ReadOptions) {
  if (!id) return undefined;
  try {
    return await inventory.keyVault(id, opts);
  } catch (err) {
    if (err instanceof ArmRequestError && err.statusCode === 404) return 'missing' as const;
    throw err;
  }
}

/** The workspace's approved private endpoint connections. */
export function workspaceConnections(workspace: WorkspaceView): { privateEndpointId: string }[] {
  return (workspace.privateEndpointConnections ?? []).flatMap((c) =>
    c.privateEndpoint?.id && /^approved$/i.test(c.privateLinkServiceConnectionState?.status ?? '')
      ? [{ privateEndpointId: c.privateEndpoint.id }]
      : [],
  );
}

/** Where approved private endpoints sit, read (an endpoint without a subnet is not placed). */
export async function placements(
  inventory: Inventory,
  connections: readonly { privateEndpointId: string }[],
  opts: ReadOptions,
): Promise<EndpointPlacement[]> {
  const reads = await Promise.all(connections.map((c) => inventory.privateEndpoint(c.privateEndpointId, opts)));
  return reads.flatMap((pe, i) => {
    const subnetId = pe.subnet?.id;
    if (!subnetId) return [];
    const groupIds = [...(pe.privateLinkServiceConnections ?? []), ...(pe.manualPrivateLinkServiceConnections ?? [])]
      .flatMap((x) => x.groupIds ?? [])
      .map((g) => g.toLowerCase());
    return [
      {
        privateEndpointId: pe.id ?? connections[i]!.privateEndpointId,
        subnetId,
        vnetId: vnetOf(subnetId),
        location: pe.location,
        groupIds,
      },
    ];
  });
}

/** A zone's links, or `missing` when the zone itself is gone. */
export async function zoneLinks(inventory: Inventory, zoneId: string, opts: ReadOptions): Promise<readonly LinkLike[] | 'missing'> {
  try {
    return await inventory.privateDnsZoneLinks(zoneId, opts);
  } catch (err) {
    if (err instanceof ArmRequestError && err.statusCode === 404) return 'missing';
    throw err;
  }
}

/**
 * An endpoint without a zone group still resolves when someone put its A records in the zone by
 * hand: look for the zone (or a near miss of it) in the endpoint's subscription, and its records.
 */
export async function recordByHand(
  inventory: Inventory,
  privateEndpointId: string,
  need: ZoneNeed,
  expect: Expectation,
  opts: ReadOptions,
): Promise<{ kind: 'found' | 'near-miss'; zoneId: string } | { kind: 'none' }> {
  const sub = parseResourceId(privateEndpointId).subscriptionId;
  const zones = (await inventory.privateDnsZones(sub, opts)).filter((z) => typeof z.id === 'string' && typeof z.name === 'string');
  const wanted = need.records.length > 0 ? need.records.map((r) => r.toLowerCase()) : [expect.resourceName.toLowerCase()];
  const holds = async (zoneId: string): Promise<boolean> => {
    const records = await inventory.privateDnsARecords(zoneId, opts);
    const names = new Set(records.filter((r) => (r.aRecords ?? []).length > 0).map((r) => (r.name ?? '').toLowerCase()));
    return wanted.every((w) => names.has(w));
  };
  for (const z of zones.filter((z) => z.name!.toLowerCase() === need.zone)) if (await holds(z.id!)) return { kind: 'found', zoneId: z.id! };
  for (const z of zones.filter((z) => isNearMiss(z.name!, need.zone, expect.group)))
    if (await holds(z.id!)) return { kind: 'near-miss', zoneId: z.id! };
  return { kind: 'none' };
}
