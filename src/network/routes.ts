/**
 * Where egress to a destination set goes, by the subnet's route table: longest prefix match over
 * user-defined routes, then Azure's system default route (0.0.0.0/0 and ::/0 to Internet).
 *
 * https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route
 * - Azure picks the route with the longest prefix match.
 * - A route's address prefix may be a service tag; it counts as each of the tag's prefixes, and on
 *   an exact tie a route with an explicit prefix wins over one with a service tag.
 * - Next hop `None` drops the traffic; `VirtualAppliance` sends it through a firewall or appliance
 *   the NSG cannot vouch for; `VirtualNetworkGateway` forces it on-premises.
 */
import { parseCidr } from 'cidr-tools';
import { ALL, intersect, isCidr, minus, union, type AddressSet } from './cidr.js';
import type { ServiceTagIndex } from './service-tags.js';

export interface Route {
  readonly name: string;
  readonly addressPrefix: string;
  readonly nextHopType: string;
  readonly nextHopIpAddress?: string | null;
}

export interface RouteSegment {
  readonly destination: AddressSet;
  /** The winning user route; absent for the system default route. */
  readonly route?: Route;
  readonly nextHopType: string;
}

interface Entry {
  readonly prefix: string;
  readonly length: number;
  readonly explicit: boolean;
  readonly route: Route;
}

/** The address prefixes of user-defined routes (they belong to the `VirtualNetwork` tag). */
export function routePrefixes(routes: readonly Route[], tags: ServiceTagIndex): AddressSet {
  return union(...routes.map((r) => (isCidr(r.addressPrefix) ? [r.addressPrefix] : [...(tags.get(r.addressPrefix)?.prefixes ?? [])])));
}

export function evaluateRoutes(destination: AddressSet, routes: readonly Route[], tags: ServiceTagIndex): RouteSegment[] {
  const entries: Entry[] = [];
  for (const route of routes) {
    const explicit = isCidr(route.addressPrefix);
    const prefixes = explicit ? [route.addressPrefix] : [...(tags.get(route.addressPrefix)?.prefixes ?? [])];
    for (const prefix of prefixes) entries.push({ prefix, length: Number(parseCidr(prefix).prefix), explicit, route });
  }
  // Longest prefix first; on a tie the explicit prefix wins over the service tag.
  entries.sort((a, b) => b.length - a.length || Number(b.explicit) - Number(a.explicit));
  const byRoute = new Map<Route, AddressSet>();
  let rest = union([...destination]);
  for (const e of entries) {
    if (rest.length === 0) break;
    const part = intersect(rest, [e.prefix]);
    if (part.length === 0) continue;
    byRoute.set(e.route, union(byRoute.get(e.route) ?? [], part));
    rest = minus(rest, part);
  }
  const segments: RouteSegment[] = [...byRoute].map(([route, dst]) => ({ destination: dst, route, nextHopType: route.nextHopType }));
  const system = intersect(rest, ALL);
  if (system.length > 0) segments.push({ destination: system, nextHopType: 'Internet' });
  return segments;
}
