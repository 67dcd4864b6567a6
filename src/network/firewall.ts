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
 * - https://learn.microsoft.com/azure/firewall/policy-rule-sets: within a rule type, the parent
 *   policy's rule collection groups come before the child's whatever their priority, then rule
 *   collection group priority, then rule collection priority (100 highest, 65,000 lowest), then the
 *   rules in order. Each rule collection is Allow or Deny.
 * - https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules: FQDNs in network rules
 *   are resolved by the firewall's DNS proxy; without it (`dnsSettings.enableProxy`, and
 *   `requireProxyForNetworkRules` not false) such a rule cannot be relied on, so what it would
 *   decide is undecidable.
 * - https://learn.microsoft.com/azure/firewall/firewall-faq: a target FQDN `*.contoso.com` matches
 *   every name under contoso.com but not contoso.com itself; HTTPS is matched by SNI.
 *
 * Network rules run over address sets, as the NSG evaluator does: the state is a list of (source ×
 * destination) rectangles not yet decided, and each rule cuts what it matches out of them.
 * Application rules run per name, over source sets. Web categories, FQDN tags and target URLs name
 * members ARM does not list: what such a rule would decide is undecidable, never guessed.
 */
import { ALL, RangeSet, addressRange, isCidr, union, type AddressSet } from './cidr.js';
import type { ServiceTagIndex } from './service-tags.js';

/** One rule as ARM answers it, policy (`ruleType`) or classic (no `ruleType`), normalised. */
export interface FirewallNetworkRule {
  readonly name: string;
  readonly sourceAddresses?: readonly string[] | null;
  readonly sourceIpGroups?: readonly string[] | null;
  readonly destinationAddresses?: readonly string[] | null;
  readonly destinationIpGroups?: readonly string[] | null;
  readonly destinationFqdns?: readonly string[] | null;
  readonly destinationPorts?: readonly string[] | null;
  /** Policy network rules name `ipProtocols`, classic ones `protocols`; both land here. */
  readonly ipProtocols?: readonly string[] | null;
}

export interface FirewallApplicationRule {
  readonly name: string;
  readonly sourceAddresses?: readonly string[] | null;
  readonly sourceIpGroups?: readonly string[] | null;
  readonly protocols?: readonly { readonly protocolType?: string | null; readonly port?: number | null }[] | null;
  readonly targetFqdns?: readonly string[] | null;
  readonly targetUrls?: readonly string[] | null;
  readonly fqdnTags?: readonly string[] | null;
  readonly webCategories?: readonly string[] | null;
}

/** Where a rule sits: enough to name it in a finding and to fix it with `az`. */
export interface FirewallRuleRef {
  readonly kind: 'network' | 'application';
  /** The policy (or, for classic rules, the firewall) that holds the rule. */
  readonly ownerId: string;
  /** Rule collection group, for policy rules. */
  readonly group?: { readonly name: string; readonly priority: number };
  readonly collection: { readonly name: string; readonly priority: number };
  readonly action: 'Allow' | 'Deny';
  readonly rule: string;
  /** 0 for the firewall's own policy, 1 for its parent, and so on. */
  readonly inheritance: number;
}

export interface OrderedCollection<R> {
  readonly ref: Omit<FirewallRuleRef, 'rule' | 'kind'>;
  readonly rules: readonly R[];
}

/** A firewall's outbound rules in processing order, by type. */
export interface FirewallRules {
  /** The firewall, for findings. */
  readonly firewallId: string;
  readonly network: readonly OrderedCollection<FirewallNetworkRule>[];
  readonly application: readonly OrderedCollection<FirewallApplicationRule>[];
  /** Whether FQDNs in network rules are resolved (DNS proxy on). */
  readonly dnsProxy: boolean;
}

/** The ARM shapes this module reads; extra properties are ignored. */
interface ArmRule extends FirewallNetworkRule, Omit<FirewallApplicationRule, 'protocols'> {
  readonly ruleType?: string | null;
  readonly protocols?: readonly (string | { readonly protocolType?: string | null; readonly port?: number | null })[] | null;
}
interface ArmRuleCollection {
  readonly name?: string | null;
  readonly priority?: number | null;
  readonly ruleCollectionType?: string | null;
  readonly action?: { readonly type?: string | null } | null;
  readonly rules?: readonly ArmRule[] | null;
}
export interface ArmRuleCollectionGroup {
  readonly id?: string | null;
  readonly name?: string | null;
  readonly properties?: { readonly priority?: number | null; readonly ruleCollections?: readonly ArmRuleCollection[] | null } | null;
}
export interface ArmFirewallPolicy {
  readonly id?: string | null;
  readonly properties?: {
    readonly basePolicy?: { readonly id?: string | null } | null;
    readonly dnsSettings?: { readonly enableProxy?: boolean | null; readonly requireProxyForNetworkRules?: boolean | null } | null;
    readonly ruleCollectionGroups?: readonly { readonly id?: string | null }[] | null;
  } | null;
}
interface ArmClassicCollection {
  readonly name?: string | null;
  readonly properties?: {
    readonly priority?: number | null;
    readonly action?: { readonly type?: string | null } | null;
    readonly rules?: readonly ArmRule[] | null;
  } | null;
}
export interface ArmAzureFirewall {
  readonly id?: string | null;
  readonly properties?: {
    readonly firewallPolicy?: { readonly id?: string | null } | null;
    readonly networkRuleCollections?: readonly ArmClassicCollection[] | null;
    readonly applicationRuleCollections?: readonly ArmClassicCollection[] | null;
    readonly additionalProperties?: Readonly<Record<string, string>> | null;
  } | null;
}

const action = (t: string | null | undefined): 'Allow' | 'Deny' => (/^allow$/i.test(t ?? '') ? 'Allow' : 'Deny');

function networkRule(r: ArmRule): FirewallNetworkRule {
  const classic = (r.protocols ?? []).filter((p): p is string => typeof p === 'string');
  return {
    name: r.name,
    sourceAddresses: r.sourceAddresses ?? null,
    sourceIpGroups: r.sourceIpGroups ?? null,
    destinationAddresses: r.destinationAddresses ?? null,
    destinationIpGroups: r.destinationIpGroups ?? null,
    destinationFqdns: r.destinationFqdns ?? null,
    destinationPorts: r.destinationPorts ?? null,
    ipProtocols: r.ipProtocols ?? (classic.length > 0 ? classic : null),
  };
}

function applicationRule(r: ArmRule): FirewallApplicationRule {
  return {
    name: r.name,
    sourceAddresses: r.sourceAddresses ?? null,
    sourceIpGroups: r.sourceIpGroups ?? null,
    protocols: (r.protocols ?? []).filter((p): p is { protocolType?: string | null; port?: number | null } => typeof p !== 'string'),
    targetFqdns: r.targetFqdns ?? null,
    targetUrls: r.targetUrls ?? null,
    fqdnTags: r.fqdnTags ?? null,
    webCategories: r.webCategories ?? null,
  };
}

/**
 * The rules of a firewall governed by a policy. `chain` is the firewall's own policy first, then
 * its `basePolicy`, recursively, each with its rule collection groups.
 */
export function policyRules(
  firewallId: string,
  chain: readonly { readonly policy: ArmFirewallPolicy; readonly groups: readonly ArmRuleCollectionGroup[] }[],
): FirewallRules {
  const network: OrderedCollection<FirewallNetworkRule>[] = [];
  const application: OrderedCollection<FirewallApplicationRule>[] = [];
  // The root of the inheritance chain is processed first.
  for (let depth = chain.length - 1; depth >= 0; depth--) {
    const { policy, groups } = chain[depth]!;
    const ordered = [...groups].sort((a, b) => (a.properties?.priority ?? 0) - (b.properties?.priority ?? 0));
    for (const g of ordered) {
      const group = { name: g.name ?? '(unnamed)', priority: g.properties?.priority ?? 0 };
      const collections = (g.properties?.ruleCollections ?? [])
        // NAT collections translate inbound traffic; they never decide egress.
        .filter((c) => /^FirewallPolicyFilterRuleCollection$/i.test(c.ruleCollectionType ?? ''))
        .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
      for (const c of collections) {
        const ref = {
          ownerId: policy.id ?? '',
          group,
          collection: { name: c.name ?? '(unnamed)', priority: c.priority ?? 0 },
          action: action(c.action?.type),
          inheritance: depth,
        };
        const rules = c.rules ?? [];
        const net = rules.filter((r) => /^NetworkRule$/i.test(r.ruleType ?? ''));
        const app = rules.filter((r) => /^ApplicationRule$/i.test(r.ruleType ?? ''));
        if (net.length > 0) network.push({ ref, rules: net.map(networkRule) });
        if (app.length > 0) application.push({ ref, rules: app.map(applicationRule) });
      }
    }
  }
  const dns = chain.map((c) => c.policy.properties?.dnsSettings).find((d) => d?.enableProxy != null);
  return { firewallId, network, application, dnsProxy: dns?.enableProxy === true && dns.requireProxyForNetworkRules !== false };
}

/** The rules of a firewall without a policy (classic rules). */
export function classicRules(firewall: ArmAzureFirewall): FirewallRules {
  const id = firewall.id ?? '';
  const collect = <R>(list: readonly ArmClassicCollection[] | null | undefined, map: (r: ArmRule) => R): OrderedCollection<R>[] =>
    [...(list ?? [])]
      .sort((a, b) => (a.properties?.priority ?? 0) - (b.properties?.priority ?? 0))
      .map((c) => ({
        ref: {
          ownerId: id,
          collection: { name: c.name ?? '(unnamed)', priority: c.properties?.priority ?? 0 },
          action: action(c.properties?.action?.type),
          inheritance: 0,
        },
        rules: (c.properties?.rules ?? []).map(map),
      }));
  const extra = firewall.properties?.additionalProperties ?? {};
  const proxy = Object.entries(extra).find(([k]) => k.toLowerCase() === 'network.dns.enableproxy')?.[1];
  return {
    firewallId: id,
    network: collect(firewall.properties?.networkRuleCollections, networkRule),
    application: collect(firewall.properties?.applicationRuleCollections, applicationRule),
    dnsProxy: /^true$/i.test(proxy ?? ''),
  };
}

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
  /** Addresses; undefined when only names are known (PyPI). */
  readonly addresses?: AddressSet;
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

/** Resolves one address entry of a rule: `*`, an address, a CIDR, a range or a service tag. */
export function resolveAddress(entry: string, tags: ServiceTagIndex): AddressSet | undefined {
  const e = entry.trim();
  if (e === '*') return ALL;
  if (isCidr(e)) return union([e]);
  const range = /^([0-9a-fA-F:.]+)\s*-\s*([0-9a-fA-F:.]+)$/.exec(e);
  if (range) return addressRange(range[1]!, range[2]!);
  return tags.get(e)?.prefixes;
}

/** Whether a port entry (`443`, `8000-8999`, `*`) covers `port`; malformed entries cover nothing. */
export function portCovers(entry: string, port: number): boolean {
  const t = entry.trim();
  if (t === '*') return true;
  const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(t);
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return port >= lo && port <= hi;
}

/** Whether a name pattern matches one name, Azure Firewall's way (`*.x` is every name under x). */
export function fqdnMatches(pattern: string, name: string): boolean {
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  if (p === '*') return true;
  if (p.startsWith('*')) return n.endsWith(p.slice(1)) && n.length > p.length - 1;
  return p === n;
}

/**
 * How a rule's pattern relates to a destination pattern: `cover` when it matches every name the
 * destination stands for, `overlap` when it matches some, `none` otherwise.
 */
export function fqdnRelation(pattern: string, destination: string): 'cover' | 'overlap' | 'none' {
  const d = destination.trim().toLowerCase();
  if (!d.startsWith('*')) return fqdnMatches(pattern, d) ? 'cover' : 'none';
  const p = pattern.trim().toLowerCase();
  if (p === '*') return 'cover';
  const dSuffix = d.slice(1);
  if (p.startsWith('*')) {
    const pSuffix = p.slice(1);
    if (dSuffix.endsWith(pSuffix)) return 'cover';
    return pSuffix.endsWith(dSuffix) ? 'overlap' : 'none';
  }
  return fqdnMatches(d, p) ? 'overlap' : 'none';
}

interface Rect {
  source: RangeSet;
  destination: RangeSet;
}

const EMPTY = RangeSet.of([]);

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
  const source = RangeSet.of(union([...flow.source]));
  // Addresses unknown: only a rule for every address decides them by address.
  const known = destination.addresses !== undefined;
  const addresses = RangeSet.of(destination.addresses ? union([...destination.addresses]) : ALL);
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
      decisions.push(...(fqdn === undefined ? byAddress.decisions : byAddress.decisions.map((d) => ({ ...d, fqdn }))));
      open = byAddress.open;
    }
    if (open.empty) continue;
    applicationPhase(rules, open, fqdn, flow, resolve, decisions);
  }
  const first = (v: FirewallVerdict) => decisions.find((d) => d.verdict === v);
  const deciding = first('deny') ?? first('undecidable') ?? first('allow');
  return { verdict: deciding?.verdict ?? 'allow', decisions, deciding };
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
    const s = resolveAddress(e, ctx.tags);
    if (!s) return { unresolved: `"${e}" is neither an address, a range, a CIDR nor a service tag in the serviceTags answer` };
    sets.push(RangeSet.of(s));
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
        decisions.push({
          verdict: why ? 'undecidable' : c.ref.action === 'Allow' ? 'allow' : 'deny',
          ...(target.fqdn !== undefined ? { fqdn: target.fqdn } : {}),
          source: s.toCidrs(),
          ...(target.known ? { destination: d.toCidrs() } : {}),
          rule: ref,
          ...(why ? { why: `rule ${rule.name}: ${why}` } : {}),
        });
        const restDst = r.destination.minus(d);
        if (!restDst.empty) next.push({ source: s, destination: restDst });
        const restSrc = r.source.minus(s);
        if (!restSrc.empty) next.push({ source: restSrc, destination: r.destination });
      }
      open = next;
    }
  }
  // Application rules see the packet by source and name only.
  return RangeSet.union(EMPTY, ...open.map((r) => r.source));
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
  const named = fqdn !== undefined ? { fqdn } : {};
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
        decisions.push({
          verdict: why ? 'undecidable' : c.ref.action === 'Allow' ? 'allow' : 'deny',
          ...named,
          source: s.toCidrs(),
          rule: { ...c.ref, kind: 'application', rule: rule.name },
          ...(why ? { why: `rule ${rule.name}: ${why}` } : {}),
        });
        open = open.minus(s);
      }
    }
  }
  if (!open.empty)
    decisions.push({
      verdict: 'deny',
      ...named,
      source: open.toCidrs(),
      why:
        flow.application === undefined
          ? 'no network rule matches, and application rules only see HTTP, HTTPS and MSSQL: the firewall denies by default'
          : 'no rule matches: the firewall denies by default',
    });
}

/** Whether an application rule matches a name: by target FQDN, or undecidably by tag, category or URL. */
function nameMatch(rule: FirewallApplicationRule, fqdn: string | undefined, act: 'Allow' | 'Deny'): 'cover' | 'none' | { why: string } {
  const targets = rule.targetFqdns ?? [];
  if (fqdn === undefined) {
    if (targets.some((t) => t.trim() === '*')) return 'cover';
  } else {
    const rel = targets.map((t) => fqdnRelation(t, fqdn));
    if (rel.includes('cover')) return 'cover';
    // A Deny for some of the names a pattern stands for denies that pattern's traffic.
    if (act === 'Deny' && rel.includes('overlap')) return 'cover';
  }
  if ((rule.fqdnTags?.length ?? 0) > 0) return { why: `FQDN tags (${rule.fqdnTags!.join(', ')}) list no members in ARM` };
  if ((rule.webCategories?.length ?? 0) > 0) return { why: `web categories (${rule.webCategories!.join(', ')}) list no members in ARM` };
  if (fqdn !== undefined && (rule.targetUrls ?? []).some((u) => fqdnRelation(u.split('/')[0] ?? '', fqdn) !== 'none'))
    return { why: 'target URLs are matched on the decrypted path, which is not knowable from ARM' };
  return 'none';
}
