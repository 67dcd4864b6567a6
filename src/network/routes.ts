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
import { parse } from './address.js';
import { RangeSet, isCidr, union, withCidrs, type AddressSet } from './cidr.js';
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

/** The routes' prefixes, longest first, per route list and tag answer: a subnet's routes are asked many destinations. */
const tables = new WeakMap<readonly Route[], WeakMap<ServiceTagIndex, readonly (Entry & { readonly set: RangeSet })[]>>();

function entriesOf(routes: readonly Route[], tags: ServiceTagIndex): readonly (Entry & { readonly set: RangeSet })[] {
  let byTags = tables.get(routes);
  if (!byTags) tables.set(routes, (byTags = new WeakMap()));
  const hit = byTags.get(tags);
  if (hit) return hit;
  const entries: (Entry & { set: RangeSet })[] = [];
  for (const route of routes) {
    const explicit = isCidr(route.addressPrefix);
    const prefixes = explicit ? [route.addressPrefix] : [...(tags.get(route.addressPrefix)?.prefixes ?? [])];
    for (const prefix of prefixes) entries.push({ prefix, length: parse(prefix)!.prefix, explicit, route, set: RangeSet.of([prefix]) });
  }
  // Longest prefix first; on a tie the explicit prefix wins over the service tag.
  entries.sort((a, b) => b.length - a.length || Number(b.explicit) - Number(a.explicit));
  byTags.set(tags, entries);
  return entries;
}

export function evaluateRoutes(destination: AddressSet | RangeSet, routes: readonly Route[], tags: ServiceTagIndex): RouteSegment[] {
  const byRoute = new Map<Route, RangeSet[]>();
  let rest = RangeSet.of(destination);
  for (const e of entriesOf(routes, tags)) {
    if (rest.empty) break;
    const part = rest.intersect(e.set);
    if (part.empty) continue;
    const parts = byRoute.get(e.route);
    if (parts) parts.push(part);
    else byRoute.set(e.route, [part]);
    rest = rest.minus(part);
  }
  const segments: RouteSegment[] = [...byRoute].map(([route, parts]) =>
    withCidrs({ route, nextHopType: route.nextHopType }, { destination: RangeSet.union(...parts) }),
  );
  if (!rest.empty) segments.push(withCidrs({ nextHopType: 'Internet' }, { destination: rest }));
  return segments;
}
