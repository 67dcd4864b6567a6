/**
 * One egress path, decided end to end and purely: from a compute subnet to a destination (a
 * service tag's addresses, host names, or both) on one protocol and port, what the subnet's NSG
 * decides, where its route table sends the traffic, and what owns the next hop and decides there
 * (an Azure Firewall's rules, a third-party appliance, nothing readable, a 403). The gathering is
 * `egress-gather.ts`; this file reads nothing.
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
 * Internet, in no Azure service tag the NSG names": the `Internet` tag as the NSG means it
 * (everything outside `VirtualNetwork`), less the prefixes of every service tag the NSG's outbound
 * rules name. A rule for a service tag is about that Azure service, and a host outside Azure is in
 * none; a rule for the Internet, `*` or an explicit range does apply to it. The firewall is asked
 * about it by name (application rules, DNS-proxied network rules) and by no address.
 */
import { ALL, minus, overlaps, sameFamilies, union, type AddressSet } from './cidr.js';
import type { SubnetEgress } from './egress.js';
import type { Appliance } from './firewall-path.js';
import { evaluateFirewall, type FirewallEvaluation, type FirewallFlow } from './firewall.js';
import { evaluateNsg, outboundRules, type Evaluation, type RuleRef } from './nsg.js';
import { evaluateRoutes, type Route } from './routes.js';
import type { ServiceTagIndex } from './service-tags.js';

/** What `egress-gather.ts` read for one compute subnet: its egress, and what owns each appliance address its routes name. */
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
  /** Addresses, e.g. a service tag's prefixes; absent when only names are known. */
  readonly addresses?: AddressSet;
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

/** The addresses a host known by name only stands for here (see the file's comment). */
export function unknownHostAddresses(path: GatheredPath): AddressSet {
  const { egress, tags } = path;
  const named = (egress.nsg ? outboundRules(egress.nsg) : []).flatMap(({ rule }) =>
    [...(rule.destinationAddressPrefixes ?? []), ...(rule.destinationAddressPrefix ? [rule.destinationAddressPrefix] : [])]
      .filter((p) => !/^(\*|any|internet|virtualnetwork)$/i.test(p.trim()))
      .map((p) => tags.get(p.trim())?.prefixes ?? []),
  );
  return minus(minus(ALL, egress.virtualNetwork), union(...named));
}

/** Decides one destination over one path. Throws the read error of an appliance the traffic meets. */
export function evaluateEgressPath(path: GatheredPath, to: EgressDestination, flow: EgressFlow): EgressVerdict {
  const { egress, tags } = path;
  const { source, virtualNetwork, routes } = egress;
  const byAddress = to.addresses !== undefined;
  const destination = sameFamilies(to.addresses ?? unknownHostAddresses(path), source);
  const nsg = evaluateNsg(egress.nsg, { source, destination, protocol: flow.protocol, port: flow.port }, { virtualNetwork, tags });
  const segments: EgressSegment[] = [
    ...nsg.denied.map((d) => ({ kind: 'nsg-denied' as const, rule: d.rule, destination: d.destination, source: d.source })),
    ...nsg.undecidable.map((u) => ({ kind: 'nsg-undecidable' as const, rule: u.rule, destination: u.destination, why: u.why })),
  ];
  if (destination.length === 0) return { destination, byAddress, nsg, segments };
  const firewallFlow: FirewallFlow = {
    source,
    protocol: flow.protocol === 'Tcp' ? 'TCP' : 'UDP',
    port: flow.port,
    ...(applicationOf(flow) ? { application: applicationOf(flow)! } : {}),
  };
  for (const seg of evaluateRoutes(destination, routes, tags)) {
    const route = seg.route;
    if (!route || /^internet$/i.test(seg.nextHopType)) continue;
    const part = seg.destination;
    if (/^(none|vnetlocal)$/i.test(seg.nextHopType)) {
      segments.push({ kind: 'dropped', route, destination: part });
      continue;
    }
    const ip = route.nextHopIpAddress;
    if (!/^virtualappliance$/i.test(seg.nextHopType) || !ip) {
      segments.push({ kind: 'gateway', route, destination: part });
      continue;
    }
    const appliance = path.appliances.get(ip);
    // Gathered for every appliance route; a path built by hand may lack one.
    if (!appliance) throw new Error(`the appliance at ${ip} (route ${route.name}) was not gathered`);
    if ('error' in appliance) throw appliance.error;
    if (appliance.kind !== 'firewall') {
      segments.push({ kind: appliance.kind, route, destination: part, appliance });
      continue;
    }
    const evaluation = evaluateFirewall(
      appliance.rules,
      { ...(byAddress ? { addresses: part } : {}), ...(to.fqdns && to.fqdns.length > 0 ? { fqdns: to.fqdns } : {}) },
      firewallFlow,
      { tags, ipGroups: appliance.ipGroups },
    );
    segments.push({ kind: 'firewall', route, destination: part, appliance, evaluation });
  }
  return { destination, byAddress, nsg, segments };
}

/** Whether a segment lets the traffic through: a firewall that allows it. */
export function segmentAllows(seg: EgressSegment): boolean {
  return seg.kind === 'firewall' && seg.evaluation.verdict === 'allow';
}

/** How many of `prefixes` a segment's destination touches. */
export function prefixCount(prefixes: AddressSet, part: AddressSet): number {
  return prefixes.filter((p) => overlaps(part, [p])).length;
}
