/**
 * An exact evaluator for Azure Firewall rules, outbound: for traffic from a subnet's prefixes to a
 * destination (its addresses, its names, or both) on one protocol and port, which parts the
 * firewall allows, which it denies and by which rule, and which cannot be decided. Pure: plain data
 * in, plain data out; the inventory reads the firewall, its policies and IP groups.
 *
 * Semantics, from Microsoft's docs:
 * - https://learn.microsoft.com/azure/firewall/rule-processing: rules are terminating; network rules
 *   are applied before application rules, whatever their priorities; if no network rule matches
 *   and the protocol is HTTP, HTTPS or MSSQL, application rules evaluate the packet; if still
 *   nothing matches, the packet is denied. DNAT rules apply to inbound traffic only.
 * - https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules: FQDNs in network rules
 *   are resolved by the firewall's DNS proxy; without it (`dnsSettings.enableProxy`, and
 *   `requireProxyForNetworkRules` not false) such a rule cannot be relied on, so what it would
 *   decide is undecidable.
 *
 * Network rules run over address sets, as the NSG evaluator does: the state is a list of (source ×
 * destination) rectangles not yet decided, and each rule cuts what it matches out of them.
 * Application rules run per name, over source sets. Web categories, FQDN tags and target URLs name
 * members ARM does not list: what such a rule would decide is undecidable, never guessed.
 *
 * The rules come normalised and ordered from firewall-rules.ts; how one rule's fields meet the
 * traffic is firewall-match.ts.
 */
import { ALL, RangeSet, rangesAt, withCidrs, type AddressSet } from './cidr.js';
import type { FirewallRuleRef, FirewallRules } from './firewall-rules.js';
import { fqdnRelation, nameMatch, portCovers, resolveAddressRanges } from './firewall-match.js';
import type { ServiceTagIndex } from './service-tags.js';

/** What the rules refer to and the firewall does not hold. */
export interface FirewallContext {
  readonly tags: ServiceTagIndex;
  /**
   * IP groups by id, lower-cased: their `ipAddresses`, or why they could not be read. A group
   * absent from the map is unreadable too.
   */
  readonly ipGroups: ReadonlyMap<string, AddressSet | { readonly unreadable: string }>;
}

/** A destination as Azure ML's docs list it: addresses (a service tag's), names, or both. */
export interface FirewallDestination {
  /** Addresses (as CIDRs or ranges); undefined when only names are known (PyPI). */
  readonly addresses?: AddressSet | RangeSet;
  /** Names, wildcards allowed (`*.data.mcr.microsoft.com` stands for every name under it). */
  readonly fqdns?: readonly string[];
}

export interface FirewallFlow {
  readonly source: AddressSet;
  readonly protocol: 'TCP' | 'UDP' | 'ICMP';
  readonly port: number;
  /** The application protocol, when it is one application rules can match. */
  readonly application?: 'Http' | 'Https' | 'Mssql';
}

export type FirewallVerdict = 'allow' | 'deny' | 'undecidable';

/** What became of one part of the traffic. */
export interface FirewallDecision {
  readonly verdict: FirewallVerdict;
  /** The name this part was addressed to; absent for traffic known by address only. */
  readonly fqdn?: string;
  readonly source: AddressSet;
  /** The addresses, for a part decided by a network rule. */
  readonly destination?: AddressSet;
  /** The deciding rule; absent when nothing matched and the firewall denied by default. */
  readonly rule?: FirewallRuleRef;
  readonly why?: string;
}

export interface FirewallEvaluation {
  /** deny when any part is denied, else undecidable when any part is, else allow. */
  readonly verdict: FirewallVerdict;
  readonly decisions: readonly FirewallDecision[];
  /** The first denying decision, else the first undecidable one, else the first allowing one. */
  readonly deciding: FirewallDecision | undefined;
}

type Resolved = { set: RangeSet; all: boolean } | { unresolved: string };

interface Rect {
  source: RangeSet;
  destination: RangeSet;
}

const EMPTY = RangeSet.EMPTY;

/**
 * Evaluates traffic to one destination. With names, each name is its own part (HTTPS carries it
 * in SNI, a DNS-proxied network rule resolves it); without names, the addresses are.
 */
export function evaluateFirewall(
  rules: FirewallRules,
  destination: FirewallDestination,
  flow: FirewallFlow,
  ctx: FirewallContext,
): FirewallEvaluation {
  const source = RangeSet.of(flow.source);
  // Addresses unknown: only a rule for every address decides them by address.
  const known = destination.addresses !== undefined;
  const addresses = RangeSet.of(destination.addresses ?? ALL);
  const resolve = resolver(ctx);
  const names = destination.fqdns ?? [];
  const decisions: FirewallDecision[] = [];
  // A name that no network rule names meets the network rules by its addresses alone: walk them once.
  let byAddress: { decisions: FirewallDecision[]; open: RangeSet } | undefined;
  for (const fqdn of names.length > 0 ? names : [undefined]) {
    let open: RangeSet;
    if (fqdn !== undefined && namedByNetworkRule(rules, fqdn))
      open = networkPhase(rules, { source, addresses, known, fqdn }, flow, resolve, decisions);
    else {
      if (!byAddress) {
        const own: FirewallDecision[] = [];
        byAddress = { decisions: own, open: networkPhase(rules, { source, addresses, known, fqdn: undefined }, flow, resolve, own) };
      }
      decisions.push(...(fqdn === undefined ? byAddress.decisions : byAddress.decisions.map((d) => named(d, fqdn))));
      open = byAddress.open;
    }
    if (open.empty) continue;
    applicationPhase(rules, open, fqdn, flow, resolve, decisions);
  }
  const first = (v: FirewallVerdict) => decisions.find((d) => d.verdict === v);
  const deciding = first('deny') ?? first('undecidable') ?? first('allow');
  return { verdict: deciding?.verdict ?? 'allow', decisions, deciding };
}

/** A decision made by address, as it applies to traffic addressed to `fqdn`; its sets stay unrendered. */
function named(d: FirewallDecision, fqdn: string): FirewallDecision {
  const plain = { verdict: d.verdict, fqdn, ...(d.rule ? { rule: d.rule } : {}), ...(d.why !== undefined ? { why: d.why } : {}) };
  const source = rangesAt(d, 'source');
  return 'destination' in d ? withCidrs(plain, { source, destination: rangesAt(d, 'destination') }) : withCidrs(plain, { source });
}

/** Whether some network rule names (or, denying, meets) `fqdn` among its destination FQDNs. */
function namedByNetworkRule(rules: FirewallRules, fqdn: string): boolean {
  return rules.network.some((c) => c.rules.some((r) => (r.destinationFqdns ?? []).some((p) => fqdnRelation(p, fqdn) !== 'none')));
}

const V4 = RangeSet.of(['0.0.0.0/0']);
/** Resolved address fields, per context and per field array: a policy is resolved once, whatever it is asked. */
const resolvers = new WeakMap<FirewallContext, Resolve>();

function resolver(ctx: FirewallContext): Resolve {
  const hit = resolvers.get(ctx);
  if (hit) return hit;
  const byEntries = new WeakMap<readonly string[], WeakMap<readonly string[], Resolved>>();
  const none: readonly string[] = [];
  const resolve: Resolve = (entries, groups) => {
    const e = entries ?? none;
    const g = groups ?? none;
    let inner = byEntries.get(e);
    if (!inner) byEntries.set(e, (inner = new WeakMap()));
    let r = inner.get(g);
    if (!r) inner.set(g, (r = resolveAll(e, g, ctx)));
    return r;
  };
  resolvers.set(ctx, resolve);
  return resolve;
}

function resolveAll(entries: readonly string[], groups: readonly string[], ctx: FirewallContext): Resolved {
  const sets: RangeSet[] = [];
  for (const e of entries) {
    const s = resolveAddressRanges(e, ctx.tags);
    if (!s) return { unresolved: `"${e}" is neither an address, a range, a CIDR nor a service tag in the serviceTags answer` };
    sets.push(s);
  }
  for (const g of groups) {
    const s = ctx.ipGroups.get(g.toLowerCase());
    if (!s) return { unresolved: `IP group ${g} was not read` };
    if ('unreadable' in s) return { unresolved: `IP group ${g} could not be read: ${s.unreadable}` };
    sets.push(RangeSet.of(s));
  }
  const set = RangeSet.union(...sets);
  return { set, all: set.contains(V4) };
}

function ipProtocolCovers(list: readonly string[] | null | undefined, protocol: FirewallFlow['protocol']): boolean {
  return (list ?? []).some((p) => /^any$/i.test(p) || p === '*' || p.toUpperCase() === protocol);
}

type Resolve = (entries: readonly string[] | null | undefined, groups: readonly string[] | null | undefined) => Resolved;

/** Network rules, in order; returns the sources whose traffic no network rule matched. */
function networkPhase(
  rules: FirewallRules,
  target: { source: RangeSet; addresses: RangeSet; known: boolean; fqdn: string | undefined },
  flow: FirewallFlow,
  resolve: Resolve,
  decisions: FirewallDecision[],
): RangeSet {
  let open: Rect[] = [{ source: target.source, destination: target.addresses }];
  const all = RangeSet.of(ALL);
  for (const c of rules.network) {
    for (const rule of c.rules) {
      if (open.length === 0) return EMPTY;
      if (!ipProtocolCovers(rule.ipProtocols, flow.protocol)) continue;
      if (!(rule.destinationPorts ?? []).some((p) => portCovers(p, flow.port))) continue;
      const ref: FirewallRuleRef = { ...c.ref, kind: 'network', rule: rule.name };
      let why: string | undefined;
      let src = resolve(rule.sourceAddresses, rule.sourceIpGroups);
      if ('unresolved' in src) {
        why = `source: ${src.unresolved}`;
        src = { set: all, all: true };
      }
      // The part of each rectangle the rule matches by destination: the whole of it when it names
      // the destination's name (or, for a Deny, a pattern that meets it), else the addresses.
      let byName = false;
      if (target.fqdn !== undefined && (rule.destinationFqdns?.length ?? 0) > 0) {
        const rel = (rule.destinationFqdns ?? []).map((p) => fqdnRelation(p, target.fqdn!));
        byName = rel.includes('cover') || (c.ref.action === 'Deny' && rel.includes('overlap'));
        if (byName && !rules.dnsProxy)
          why ??= `it names ${target.fqdn} by FQDN, and FQDNs in network rules need the firewall's DNS proxy, which is off`;
      }
      let dst: RangeSet = EMPTY;
      if (byName) dst = all;
      else if ((rule.destinationAddresses?.length ?? 0) > 0 || (rule.destinationIpGroups?.length ?? 0) > 0) {
        const d = resolve(rule.destinationAddresses, rule.destinationIpGroups);
        if ('unresolved' in d) {
          why ??= `destination: ${d.unresolved}`;
          dst = all;
        } else dst = target.known ? d.set : d.all ? all : EMPTY;
      }
      if (dst.empty) continue;
      const next: Rect[] = [];
      for (const r of open) {
        const s = r.source.intersect(src.set);
        const d = s.empty ? s : r.destination.intersect(dst);
        if (s.empty || d.empty) {
          next.push(r);
          continue;
        }
        const decided = {
          verdict: why ? 'undecidable' : c.ref.action === 'Allow' ? 'allow' : 'deny',
          ...(target.fqdn !== undefined ? { fqdn: target.fqdn } : {}),
          rule: ref,
          ...(why ? { why: `rule ${rule.name}: ${why}` } : {}),
        } as const;
        decisions.push(target.known ? withCidrs(decided, { source: s, destination: d }) : withCidrs(decided, { source: s }));
        const restDst = r.destination.minus(d);
        if (!restDst.empty) next.push({ source: s, destination: restDst });
        const restSrc = r.source.minus(s);
        if (!restSrc.empty) next.push({ source: restSrc, destination: r.destination });
      }
      open = next;
    }
  }
  // Application rules see the packet by source and name only.
  return RangeSet.union(...open.map((r) => r.source));
}

/** Application rules, in order, for the sources no network rule decided; then the default deny. */
function applicationPhase(
  rules: FirewallRules,
  sources: RangeSet,
  fqdn: string | undefined,
  flow: FirewallFlow,
  resolve: Resolve,
  decisions: FirewallDecision[],
): void {
  let open = sources;
  const all = RangeSet.of(ALL);
  const name = fqdn !== undefined ? { fqdn } : {};
  if (flow.application !== undefined && flow.protocol === 'TCP') {
    for (const c of rules.application) {
      for (const rule of c.rules) {
        if (open.empty) return;
        const app = flow.application;
        if (!(rule.protocols ?? []).some((p) => (p.protocolType ?? '').toLowerCase() === app.toLowerCase() && p.port === flow.port))
          continue;
        const match = nameMatch(rule, fqdn, c.ref.action);
        if (match === 'none') continue;
        let why = match === 'cover' ? undefined : match.why;
        let src = resolve(rule.sourceAddresses, rule.sourceIpGroups);
        if ('unresolved' in src) {
          why ??= `source: ${src.unresolved}`;
          src = { set: all, all: true };
        }
        const s = open.intersect(src.set);
        if (s.empty) continue;
        decisions.push(
          withCidrs(
            {
              verdict: why ? 'undecidable' : c.ref.action === 'Allow' ? 'allow' : 'deny',
              ...name,
              rule: { ...c.ref, kind: 'application', rule: rule.name },
              ...(why ? { why: `rule ${rule.name}: ${why}` } : {}),
            } as const,
            { source: s },
          ),
        );
        open = open.minus(s);
      }
    }
  }
  if (!open.empty)
    decisions.push(
      withCidrs(
        {
          verdict: 'deny',
          ...name,
          why:
            flow.application === undefined
              ? 'no network rule matches, and application rules only see HTTP, HTTPS and MSSQL: the firewall denies by default'
              : 'no rule matches: the firewall denies by default',
        } as const,
        { source: open },
      ),
    );
}
