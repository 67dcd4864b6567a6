/**
 * One egress path, decided end to end and purely: from a compute subnet to a destination (a
 * service tag's addresses, host names, or both) on one protocol and port, what the subnet's NSG
 * decides, where its route table sends the traffic, and what owns the next hop and decides there
 * (an Azure Firewall's rules, a third-party appliance, nothing readable, a 403). The gathering is
 * `gather/egress-path.ts`; this file reads nothing.
 *
 * - NSG: https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
 *   (`nsg.ts`, over the destination's prefixes from the subnet's prefixes).
 * - Routes: https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route
 *   (`routes.ts`). Next hop `None` or `VnetLocal` drops the traffic; `VirtualAppliance` with an
 *   address leads to whatever owns it; any other hop but `Internet` leads where ARM says nothing.
 * - Azure Firewall: https://learn.microsoft.com/azure/firewall/rule-processing (`firewall.ts`).
 *
 * A destination known by name only (a package index, a registry without its service tag) has no
 * addresses the NSG and the routes can be asked about. It stands for "somewhere on the public
 * Internet, in no Azure service tag": every public unicast address (not RFC 1918, RFC 6598,
 * loopback, link-local, multicast or reserved; IPv6 global unicast) outside the VNet's own and
 * peered address space, asked of the NSG and the route table without their service-tag entries. A rule
 * or route for a service tag is about that Azure service, and a host outside Azure is in none; a
 * rule for the Internet, `*` or an explicit range does apply to it. (Subtracting the tags' prefixes
 * from the Internet instead says the same, but cuts it into tens of thousands of prefixes.) The
 * firewall is asked about it by name (application rules, DNS-proxied network rules) and by no
 * address.
 */
import { RangeSet, isCidr, minus, overlaps, rangesAt, union, withCidrs, type AddressSet } from './cidr.js';
import type { Appliance, SubnetEgress } from './egress-types.js';
import { evaluateFirewall, type FirewallContext, type FirewallEvaluation, type FirewallFlow } from './firewall.js';
import { evaluateNsg, type Evaluation, type Nsg, type NsgRule, type RuleRef } from './nsg.js';
import { evaluateRoutes, routePrefixes, type Route } from './routes.js';
import type { ServiceTagIndex } from './service-tags.js';

/** What `gather/egress-path.ts` read for one compute subnet: its egress, and what owns each appliance address its routes name. */
export interface GatheredPath {
  readonly egress: SubnetEgress;
  readonly tags: ServiceTagIndex;
  /**
   * By next-hop address: what owns it, or why reading that failed (raised when a destination's
   * traffic takes that route, so a route nothing takes never fails a verdict).
   */
  readonly appliances: ReadonlyMap<string, Appliance | { readonly error: unknown }>;
}

/** Where the traffic goes. At least one of `addresses` and `fqdns`. */
export interface EgressDestination {
  /** Addresses, e.g. a service tag's prefixes (or its `ranges`, left unrendered); absent when only names are known. */
  readonly addresses?: AddressSet | RangeSet;
  /** Names, wildcards allowed; the firewall's application rules and DNS-proxied network rules match them. */
  readonly fqdns?: readonly string[];
}

export interface EgressFlow {
  readonly protocol: 'Tcp' | 'Udp';
  readonly port: number;
}

type FirewallAppliance = Extract<Appliance, { kind: 'firewall' }>;

/** One part of the traffic and what decided it. Route segments carry the winning user route. */
export type EgressSegment =
  | { readonly kind: 'nsg-denied'; readonly rule: RuleRef; readonly destination: AddressSet; readonly source: AddressSet }
  | { readonly kind: 'nsg-undecidable'; readonly rule: RuleRef; readonly destination: AddressSet; readonly why: string }
  /** Next hop `None` / `VnetLocal`: the traffic is dropped. */
  | { readonly kind: 'dropped'; readonly route: Route; readonly destination: AddressSet }
  /** A next hop ARM says nothing past: `VirtualNetworkGateway`, or an appliance route without an address. */
  | { readonly kind: 'gateway'; readonly route: Route; readonly destination: AddressSet }
  | {
      readonly kind: 'firewall';
      readonly route: Route;
      readonly destination: AddressSet;
      readonly appliance: FirewallAppliance;
      readonly evaluation: FirewallEvaluation;
    }
  | {
      readonly kind: 'third-party' | 'unknown' | 'unreadable';
      readonly route: Route;
      readonly destination: AddressSet;
      readonly appliance: Exclude<Appliance, FirewallAppliance>;
    };

export interface EgressVerdict {
  /** The prefixes asked about (the destination's, in the source's address families). */
  readonly destination: AddressSet;
  /** False when the destination is known by name only (see the file's comment). */
  readonly byAddress: boolean;
  readonly nsg: Evaluation;
  /**
   * In order: the NSG's denials and undecidable parts (by rule priority), then every route
   * segment that does not go straight to the Internet, as `evaluateRoutes` orders them. Routes are
   * followed for the whole destination, whatever the NSG decided for it. Empty: allowed all the way.
   */
  readonly segments: readonly EgressSegment[];
}

/**
 * The application protocol a firewall's application rules can match for a flow: HTTPS on TCP 443,
 * HTTP on TCP 80 (Azure ML's lists name no other port for names).
 */
export function applicationOf(flow: EgressFlow): FirewallFlow['application'] {
  if (flow.protocol !== 'Tcp') return undefined;
  return flow.port === 443 ? 'Https' : flow.port === 80 ? 'Http' : undefined;
}

/** Public unicast addresses (IANA special-purpose registries: https://www.iana.org/assignments/iana-ipv4-special-registry). */
const PUBLIC = minus(
  ['0.0.0.0/0', '2000::/3'],
  union(
    ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24'],
    ['192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3', '2001:db8::/32'],
  ),
);

const TAGLESS = new WeakMap<GatheredPath, { nsg: Nsg | undefined; routes: readonly Route[]; internet: AddressSet }>();

/** The path as a host known by name only meets it (see the file's comment): no service-tag entries, the Internet as destination. */
export function taglessPath(path: GatheredPath): { nsg: Nsg | undefined; routes: readonly Route[]; internet: AddressSet } {
  const hit = TAGLESS.get(path);
  if (hit) return hit;
  const { egress } = path;
  const keep = (p: string) => /^(\*|any|internet|virtualnetwork)$/i.test(p.trim()) || isCidr(p.trim());
  const strip = (r: NsgRule): NsgRule | undefined => {
    if (!/^outbound$/i.test(r.direction)) return r;
    const list = [...(r.destinationAddressPrefixes ?? []), ...(r.destinationAddressPrefix ? [r.destinationAddressPrefix] : [])];
    const kept = list.filter(keep);
    if (kept.length === 0 && (r.destinationApplicationSecurityGroups?.length ?? 0) === 0) return undefined;
    return kept.length === list.length ? r : { ...r, destinationAddressPrefix: null, destinationAddressPrefixes: kept };
  };
  const nsg = egress.nsg && {
    ...egress.nsg,
    securityRules: egress.nsg.securityRules.map(strip).filter((r): r is NsgRule => !!r),
    defaultSecurityRules: (egress.nsg.defaultSecurityRules ?? []).map(strip).filter((r): r is NsgRule => !!r),
  };
  // Not the NSG's `Internet` (outside `VirtualNetwork`, which holds every user-defined route's prefix, 0.0.0.0/0 too).
  const own = minus(egress.virtualNetwork, routePrefixes(egress.routes, path.tags));
  const out = { nsg, routes: egress.routes.filter((r) => isCidr(r.addressPrefix)), internet: minus(PUBLIC, own) };
  TAGLESS.set(path, out);
  return out;
}

const contexts = new WeakMap<FirewallAppliance, WeakMap<ServiceTagIndex, FirewallContext>>();

/** One context per firewall and tag answer: the firewall evaluator resolves a policy's fields once per context. */
function firewallContext(appliance: FirewallAppliance, tags: ServiceTagIndex): FirewallContext {
  let byTags = contexts.get(appliance);
  if (!byTags) contexts.set(appliance, (byTags = new WeakMap()));
  let ctx = byTags.get(tags);
  if (!ctx) byTags.set(tags, (ctx = { tags, ipGroups: appliance.ipGroups }));
  return ctx;
}

/** Decides one destination over one path. Throws the read error of an appliance the traffic meets. */
export function evaluateEgressPath(path: GatheredPath, to: EgressDestination, flow: EgressFlow): EgressVerdict {
  const { egress, tags } = path;
  const { source, virtualNetwork, routes } = egress;
  const byAddress = to.addresses !== undefined;
  const tagless = byAddress ? undefined : taglessPath(path);
  // Kept as ranges: a tag's thousands of prefixes are rendered as CIDRs only where a finding shows them.
  const destination = RangeSet.of(to.addresses ?? tagless!.internet).sameFamilies(RangeSet.of(source));
  const nsg = evaluateNsg(
    tagless ? tagless.nsg : egress.nsg,
    { source, destination, protocol: flow.protocol, port: flow.port },
    { virtualNetwork, tags },
  );
  const segments: EgressSegment[] = [
    ...nsg.denied.map((d) =>
      withCidrs({ kind: 'nsg-denied' as const, rule: d.rule }, { destination: rangesAt(d, 'destination'), source: rangesAt(d, 'source') }),
    ),
    ...nsg.undecidable.map((u) =>
      withCidrs({ kind: 'nsg-undecidable' as const, rule: u.rule, why: u.why }, { destination: rangesAt(u, 'destination') }),
    ),
  ];
  const verdict = (): EgressVerdict => withCidrs({ byAddress, nsg, segments }, { destination });
  if (destination.empty) return verdict();
  const firewallFlow: FirewallFlow = {
    source,
    protocol: flow.protocol === 'Tcp' ? 'TCP' : 'UDP',
    port: flow.port,
    ...(applicationOf(flow) ? { application: applicationOf(flow)! } : {}),
  };
  for (const seg of evaluateRoutes(destination, tagless ? tagless.routes : routes, tags)) {
    const route = seg.route;
    if (!route || /^internet$/i.test(seg.nextHopType)) continue;
    const part = rangesAt(seg, 'destination');
    if (/^(none|vnetlocal)$/i.test(seg.nextHopType)) {
      segments.push(withCidrs({ kind: 'dropped' as const, route }, { destination: part }));
      continue;
    }
    const ip = route.nextHopIpAddress;
    if (!/^virtualappliance$/i.test(seg.nextHopType) || !ip) {
      segments.push(withCidrs({ kind: 'gateway' as const, route }, { destination: part }));
      continue;
    }
    const appliance = path.appliances.get(ip);
    // Gathered for every appliance route; a path built by hand may lack one.
    if (!appliance) throw new Error(`the appliance at ${ip} (route ${route.name}) was not gathered`);
    if ('error' in appliance) throw appliance.error;
    if (appliance.kind !== 'firewall') {
      segments.push(withCidrs({ kind: appliance.kind, route, appliance }, { destination: part }));
      continue;
    }
    const evaluation = evaluateFirewall(
      appliance.rules,
      { ...(byAddress ? { addresses: part } : {}), ...(to.fqdns && to.fqdns.length > 0 ? { fqdns: to.fqdns } : {}) },
      firewallFlow,
      firewallContext(appliance, tags),
    );
    segments.push(withCidrs({ kind: 'firewall' as const, route, appliance, evaluation }, { destination: part }));
  }
  return verdict();
}

/** Whether a segment lets the traffic through: a firewall that allows it. */
export function segmentAllows(seg: EgressSegment): boolean {
  return seg.kind === 'firewall' && seg.evaluation.verdict === 'allow';
}

/** How many of `prefixes` a segment's destination touches. */
export function prefixCount(prefixes: AddressSet, part: AddressSet): number {
  return prefixes.filter((p) => overlaps(part, [p])).length;
}
