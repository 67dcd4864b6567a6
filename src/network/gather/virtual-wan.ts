/**
 * A spoke connected to a Virtual WAN hub (issue 21): which hub, and the routes the hub injects
 * into the spoke's subnets, so the egress evaluation sends what they cover to the hub's firewall.
 *
 * - The spoke side shows the hub as a peering Azure creates with the connection, named
 *   `RemoteVnetToHubPeering_<guid>`, whose remote VNet is the hub's managed VNet in Microsoft's
 *   subscription (`…/resourceGroups/RG_<hub>_<guid>/…/virtualNetworks/HV_<hub, truncated>_<guid>`,
 *   unreadable to customers); its `remoteAddressSpace` is the hub's address prefix. The hub itself
 *   is found by name among the virtual hubs of the readable subscriptions (one Resource Graph
 *   query in Resource Graph mode), and proven by its `hubVirtualNetworkConnections` entry whose
 *   `remoteVirtualNetwork` is the spoke.
 * - Routing intent (https://learn.microsoft.com/azure/virtual-wan/how-to-routing-policies): an
 *   Internet routing policy makes the hub advertise `0.0.0.0/0` to its connections, a private
 *   traffic policy the RFC 1918 aggregates, each with the policy's next hop (a hub Azure Firewall
 *   of SKU `AZFW_Hub`, whose `hubIPAddresses.privateIPAddress` is the address). A VNet connection
 *   learns the default route only with `enableInternetSecurity` (the portal's "Propagate default
 *   route") on.
 * - Without routing intent, the connection's associated hub route table
 *   (`routingConfiguration.associatedRouteTable`, else the hub's `defaultRouteTable`) may send
 *   `0.0.0.0/0` (or other CIDRs) to the firewall (`nextHopType` `ResourceId`).
 *
 * Hub-learned routes rank below user-defined routes of the same prefix
 * (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route):
 * `subnetEgress` places them after the route table's.
 */
import type {
  AzureFirewall,
  HubRouteTable,
  HubVirtualNetworkConnection,
  RoutingIntent,
  VirtualNetwork,
  VirtualNetworkPeering,
} from '@azure/arm-network';
import { ArmRequestError } from '../../arm/errors.js';
import { idKey, sameId } from '../../base/resource-id.js';
import type { Inventory, ReadOptions } from '../../inventory/index.js';
import type { Route } from '../routes.js';
import type { HubEgress, HubRoute } from '../egress-types.js';

/** The RFC 1918 aggregates a private traffic routing policy advertises by default. */
export const PRIVATE_TRAFFIC_PREFIXES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

const MANAGED_HUB_VNET =
  /\/resourcegroups\/rg_(.+)_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/providers\/microsoft\.network\/virtualnetworks\/hv_[^/]+$/i;

/** Whether a peering is the one Azure creates for a hub virtual network connection. */
export function isHubPeering(p: VirtualNetworkPeering): boolean {
  return /^RemoteVnetToHubPeering_/i.test(p.name ?? '') || MANAGED_HUB_VNET.test(p.remoteVirtualNetwork?.id ?? '');
}

/** The hub's name, from its managed VNet's resource group (the VNet's own name truncates it). */
export function hubNameOf(p: VirtualNetworkPeering): string | undefined {
  const id = p.remoteVirtualNetwork?.id ?? '';
  const m = MANAGED_HUB_VNET.exec(id) ?? /\/resourcegroups\/rg_(.+)_[0-9a-f-]{36}\//i.exec(id);
  return m?.[1];
}

/**
 * The hub the spoke is connected to and the routes it injects; undefined when the spoke has no
 * hub peering (then nothing is read). A 403 on the way is answered as `unreadable`, never thrown;
 * any other failure of a read is thrown (the read's own error).
 */
export async function virtualHubEgress(inventory: Inventory, spoke: VirtualNetwork, opts: ReadOptions): Promise<HubEgress | undefined> {
  const peering = (spoke.virtualNetworkPeerings ?? []).find((p) => /^connected$/i.test(p.peeringState ?? '') && isHubPeering(p));
  if (!peering) return undefined;
  const hubName = hubNameOf(peering);
  // Where an unknown hub sends the traffic is unknown: a gateway ARM says nothing past, never the Internet.
  const notFound: HubEgress = {
    kind: 'not-found',
    hubName: hubName ?? '(unknown)',
    peeringId: peering.id ?? '',
    routes: [unknownRoute(peering.id ?? spoke.id ?? '', undefined)],
  };
  if (!hubName) return notFound;
  try {
    const subscriptions = (await inventory.subscriptions(opts)).filter((s) => !/^deleted$/i.test(s.state)).map((s) => s.subscriptionId);
    const prefixes = peering.remoteAddressSpace?.addressPrefixes ?? [];
    const named = await inventory.virtualHubsNamed(subscriptions, hubName, opts);
    const hubs = named.filter((h) => prefixes.length === 0 || !h.addressPrefix || prefixes.includes(h.addressPrefix));
    if (hubs.length === 0) return notFound;
    // Name and prefix seldom leave more than one; the connection to the spoke decides.
    for (const hub of hubs) {
      const [connections, intents, tables, firewall] = await Promise.all([
        settle(inventory.hubVirtualNetworkConnections(hub.id, opts)),
        settle(inventory.routingIntents(hub.id, opts)),
        settle(inventory.hubRouteTables(hub.id, opts)),
        hub.azureFirewallId ? settle(inventory.azureFirewall(hub.azureFirewallId, opts)) : undefined,
      ]);
      const fw = firewall && !(firewall instanceof Error) ? firewall : undefined;
      const firewallIp = fw?.hubIPAddresses?.privateIPAddress ?? undefined;
      for (const failed of [connections, firewall, intents])
        if (failed instanceof Error) return unreadable(failed, hub.id, firewallIp, hub.id);
      const connection = (connections as readonly HubVirtualNetworkConnection[]).find((c) => sameId(c.remoteVirtualNetwork?.id, spoke.id));
      if (!connection) continue;
      const intent = (intents as readonly RoutingIntent[])[0];
      // Under routing intent the hub's route tables are its own: only without one do they decide.
      if (!intent && tables instanceof Error) return unreadable(tables, hub.id, firewallIp, hub.id);
      const routes = hubRoutes(hub.id, connection, intent, tables instanceof Error ? [] : tables, fw);
      return {
        kind: 'hub',
        hubId: hub.id,
        connectionId: connection.id ?? '',
        routingIntentId: intent?.id,
        routeTableIds: intent ? [] : unique(routes.map((r) => r.sourceId)),
        firewall: fw,
        firewallIp,
        routes,
      };
    }
    return notFound;
  } catch (err) {
    if (isForbidden(err)) return unreadable(err, undefined, undefined, peering.id ?? spoke.id ?? '');
    throw err;
  }
}

/** A 403 becomes the answer; anything else stays the read's failure. */
async function settle<T>(p: Promise<T>): Promise<T | ArmRequestError> {
  try {
    return await p;
  } catch (err) {
    if (isForbidden(err)) return err;
    throw err;
  }
}

function isForbidden(err: unknown): err is ArmRequestError {
  return err instanceof ArmRequestError && (err.statusCode === 403 || err.statusCode === 401);
}

/** `sourceId`: what the unknown route is attributed to (the hub, else the spoke's hub peering), always a resource id. */
function unreadable(err: ArmRequestError, hubId: string | undefined, ip: string | undefined, sourceId: string): HubEgress {
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(err.resourceId)?.[1] ?? '';
  return {
    kind: 'unreadable',
    hubId,
    resourceId: err.resourceId,
    subscriptionId,
    action: err.requiredAction ?? 'read',
    message: err.message,
    ip,
    // The hub's routes are unknown; the most a secured hub does is send everything to its firewall.
    routes: [unknownRoute(sourceId, ip)],
  };
}

/** The default route of a hub whose routes cannot be read: to its firewall when its address is known, else a gateway. */
function unknownRoute(sourceId: string, ip: string | undefined): HubRoute {
  return {
    name: 'virtual-hub-routes-unreadable',
    addressPrefix: '0.0.0.0/0',
    ...(ip ? { nextHopType: 'VirtualAppliance', nextHopIpAddress: ip } : { nextHopType: 'VirtualNetworkGateway', nextHopIpAddress: null }),
    sourceId,
  };
}

/**
 * The routes a hub injects into one connection (pure): routing intent when the hub has one, else
 * the connection's associated route table. A next hop other than the hub's firewall (an NVA or a
 * SaaS in the hub) is a gateway whose rules ARM does not show.
 */
export function hubRoutes(
  hubId: string,
  connection: HubVirtualNetworkConnection,
  intent: RoutingIntent | undefined,
  tables: readonly HubRouteTable[],
  firewall: AzureFirewall | undefined,
): HubRoute[] {
  const internet = connection.enableInternetSecurity === true;
  const ip = firewall?.hubIPAddresses?.privateIPAddress ?? undefined;
  const hop = (nextHop: string | undefined): Pick<Route, 'nextHopType' | 'nextHopIpAddress'> =>
    ip && firewall?.id && sameId(nextHop, firewall.id)
      ? { nextHopType: 'VirtualAppliance', nextHopIpAddress: ip }
      : { nextHopType: 'VirtualNetworkGateway', nextHopIpAddress: null };
  const out: HubRoute[] = [];
  if (intent) {
    for (const policy of intent.routingPolicies ?? []) {
      const dest = policy.destinations.map((d) => d.toLowerCase());
      const prefixes = [
        ...(dest.includes('internet') && internet ? ['0.0.0.0/0'] : []),
        ...(dest.includes('privatetraffic') ? PRIVATE_TRAFFIC_PREFIXES : []),
      ];
      for (const addressPrefix of prefixes)
        out.push({ name: policy.name, addressPrefix, ...hop(policy.nextHop), sourceId: intent.id ?? `${hubId}/routingIntent` });
    }
    return out;
  }
  const tableId = connection.routingConfiguration?.associatedRouteTable?.id ?? `${hubId}/hubRouteTables/defaultRouteTable`;
  const table = tables.find((t) => sameId(t.id, tableId));
  for (const route of table?.routes ?? []) {
    if (!/^cidr$/i.test(route.destinationType) || !/^resourceid$/i.test(route.nextHopType)) continue;
    for (const addressPrefix of route.destinations) {
      if (addressPrefix === '0.0.0.0/0' && !internet) continue;
      out.push({ name: route.name, addressPrefix, ...hop(route.nextHop), sourceId: table!.id ?? tableId });
    }
  }
  return out;
}

function unique(list: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const x of list) if (!seen.has(idKey(x))) seen.set(idKey(x), x);
  return [...seen.values()];
}
