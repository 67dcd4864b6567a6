/**
 * An exact evaluator for outbound NSG rules over whole address sets: for traffic from a subnet to
 * a set of destination prefixes on one protocol and port, which parts are allowed, which denied and
 * by which rule, and which cannot be decided. Pure: plain data in, plain data out.
 *
 * Semantics, from https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
 * - Rules are processed in priority order, lowest number first; the first match decides.
 * - Only `Outbound` rules apply to egress. The default rules (AllowVnetOutBound 65000,
 *   AllowInternetOutBound 65001, DenyAllOutBound 65500) apply even when an answer omits them.
 * - `*` matches any protocol, port or address. Ports are single numbers or `a-b` ranges, singular
 *   (`destinationPortRange`) or plural (`destinationPortRanges`); likewise address prefixes.
 * - `VirtualNetwork` is the VNet address space, peered VNets, and the address prefixes of
 *   user-defined routes; `Internet` is everything outside it
 *   (https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags).
 * - A rule that names application security groups cannot be resolved from a subnet: the ranges it
 *   would decide are reported as undecidable, not guessed.
 * - No NSG means traffic is allowed.
 *
 * The state is a list of (source set × destination set) rectangles not yet decided. Each rule cuts
 * the part it matches out of every rectangle; what it cuts gets the rule's verdict. Exact, because
 * the cuts are CIDR set arithmetic, and complete, because DenyAllOutBound matches everything.
 */
import { ALL, RangeSet, intersect, isCidr, minus, union, withCidrs, type AddressSet } from './cidr.js';
import { portCovers } from './ports.js';
import type { ServiceTagIndex } from './service-tags.js';

export interface NsgRule {
  readonly name: string;
  readonly id?: string;
  readonly priority: number;
  readonly direction: string;
  readonly access: string;
  readonly protocol: string;
  readonly sourceAddressPrefix?: string | null;
  readonly sourceAddressPrefixes?: readonly string[] | null;
  readonly destinationAddressPrefix?: string | null;
  readonly destinationAddressPrefixes?: readonly string[] | null;
  readonly destinationPortRange?: string | null;
  readonly destinationPortRanges?: readonly string[] | null;
  readonly sourceApplicationSecurityGroups?: readonly unknown[] | null;
  readonly destinationApplicationSecurityGroups?: readonly unknown[] | null;
}

export interface Nsg {
  readonly id: string;
  readonly securityRules: readonly NsgRule[];
  readonly defaultSecurityRules?: readonly NsgRule[] | null;
}

export interface RuleRef {
  readonly name: string;
  readonly priority: number;
  readonly access: 'Allow' | 'Deny';
  readonly nsgId: string;
  readonly isDefault: boolean;
}

export interface Decision {
  readonly source: AddressSet;
  readonly destination: AddressSet;
  readonly verdict: 'allow' | 'deny' | 'undecidable';
  /** The deciding rule; absent when there is no NSG. */
  readonly rule?: RuleRef;
  readonly why?: string;
}

export interface Flow {
  /** The source subnet's prefixes. */
  readonly source: AddressSet | RangeSet;
  /** As CIDRs, or as ranges (a hot caller's, not to be rendered). */
  readonly destination: AddressSet | RangeSet;
  readonly protocol: 'Tcp' | 'Udp';
  readonly port: number;
}

export interface NsgContext {
  /** What `VirtualNetwork` means here: VNet address space, peered spaces, UDR prefixes. */
  readonly virtualNetwork: AddressSet;
  readonly tags: ServiceTagIndex;
}

export interface Evaluation {
  readonly decisions: readonly Decision[];
  /** Destination addresses allowed from every source address. */
  readonly allowed: AddressSet;
  /** Destination addresses denied, by rule (priority order). */
  readonly denied: readonly { readonly rule: RuleRef; readonly destination: AddressSet; readonly source: AddressSet }[];
  readonly undecidable: readonly { readonly rule: RuleRef; readonly destination: AddressSet; readonly why: string }[];
}

/** The outbound default rules of every NSG. */
export const DEFAULT_OUTBOUND_RULES: readonly NsgRule[] = [
  {
    name: 'AllowVnetOutBound',
    priority: 65000,
    direction: 'Outbound',
    access: 'Allow',
    protocol: '*',
    sourceAddressPrefix: 'VirtualNetwork',
    destinationAddressPrefix: 'VirtualNetwork',
    destinationPortRange: '*',
  },
  {
    name: 'AllowInternetOutBound',
    priority: 65001,
    direction: 'Outbound',
    access: 'Allow',
    protocol: '*',
    sourceAddressPrefix: '*',
    destinationAddressPrefix: 'Internet',
    destinationPortRange: '*',
  },
  {
    name: 'DenyAllOutBound',
    priority: 65500,
    direction: 'Outbound',
    access: 'Deny',
    protocol: '*',
    sourceAddressPrefix: '*',
    destinationAddressPrefix: '*',
    destinationPortRange: '*',
  },
];

/** The outbound rules in evaluation order, defaults filled in when the answer omits them. */
export function outboundRules(nsg: Nsg): { rule: NsgRule; isDefault: boolean }[] {
  const defaults = (nsg.defaultSecurityRules ?? []).filter(isOutbound);
  const effectiveDefaults = DEFAULT_OUTBOUND_RULES.map((d) => defaults.find((x) => x.name.toLowerCase() === d.name.toLowerCase()) ?? d);
  const extraDefaults = defaults.filter((x) => !DEFAULT_OUTBOUND_RULES.some((d) => d.name.toLowerCase() === x.name.toLowerCase()));
  return [
    ...nsg.securityRules.filter(isOutbound).map((rule) => ({ rule, isDefault: false })),
    ...[...effectiveDefaults, ...extraDefaults].map((rule) => ({ rule, isDefault: true })),
  ].sort((a, b) => a.rule.priority - b.rule.priority);
}

function isOutbound(r: NsgRule): boolean {
  return /^outbound$/i.test(r.direction);
}

/** Whether a rule's protocol covers the flow's. */
export function protocolMatches(ruleProtocol: string, protocol: 'Tcp' | 'Udp'): boolean {
  const p = ruleProtocol.toLowerCase();
  return p === '*' || p === 'any' || p === protocol.toLowerCase();
}

/** Whether a rule's destination ports cover `port`. Malformed ranges match nothing. */
export function portMatches(rule: Pick<NsgRule, 'destinationPortRange' | 'destinationPortRanges'>, port: number): boolean {
  const ranges = [...(rule.destinationPortRanges ?? []), ...(rule.destinationPortRange ? [rule.destinationPortRange] : [])];
  return ranges.some((r) => portCovers(r, port));
}

type Resolved = { set: AddressSet | RangeSet } | { unresolved: string };

/** Resolves one address prefix of a rule (`*`, `Internet`, `VirtualNetwork`, a tag, a CIDR). */
export function resolvePrefix(prefix: string, ctx: NsgContext): Resolved {
  const p = prefix.trim();
  const lower = p.toLowerCase();
  if (p === '*' || lower === 'any') return { set: ALL };
  if (lower === 'virtualnetwork') return { set: ctx.virtualNetwork };
  if (lower === 'internet') return { set: minus(ALL, ctx.virtualNetwork) };
  if (isCidr(p)) return { set: union([p]) };
  const tag = ctx.tags.get(p);
  if (tag) return { set: tag.ranges };
  return { unresolved: `"${p}" is neither an address, a CIDR nor a service tag in the serviceTags answer` };
}

interface Rect {
  source: RangeSet;
  destination: RangeSet;
}

type Resolver = (
  single: string | null | undefined,
  plural: readonly string[] | null | undefined,
) => { set: RangeSet } | { unresolved: string };

/**
 * Resolved prefix sets repeat across rules (tags, Internet) and across evaluations of one NSG in one
 * context (a check asks it about many tags and ports): resolve each text once, straight to ranges
 * (rendering a tag of thousands of prefixes as CIDRs only to parse it again costs more than the cut).
 */
const resolvers = new WeakMap<Nsg, { virtualNetwork: AddressSet; tags: ServiceTagIndex; resolve: Resolver }[]>();

function resolverFor(nsg: Nsg, ctx: NsgContext): Resolver {
  const list = resolvers.get(nsg) ?? [];
  const hit = list.find((x) => x.virtualNetwork === ctx.virtualNetwork && x.tags === ctx.tags);
  if (hit) return hit.resolve;
  const resolved = new Map<string, { set: RangeSet } | { unresolved: string }>();
  const resolve: Resolver = (single, plural) => {
    const key = JSON.stringify([single ?? null, plural ?? null]);
    let r = resolved.get(key);
    if (!r) {
      const entries = [...(plural ?? []), ...(single ? [single] : [])];
      if (entries.length === 0) r = { unresolved: 'the rule names no address prefix' };
      else {
        const sets: RangeSet[] = [];
        for (const p of entries) {
          const x = resolvePrefix(p, ctx);
          if ('unresolved' in x) {
            r = x;
            break;
          }
          sets.push(RangeSet.of(x.set));
        }
        r ??= { set: RangeSet.union(...sets) };
      }
      resolved.set(key, r);
    }
    return r;
  };
  list.push({ virtualNetwork: ctx.virtualNetwork, tags: ctx.tags, resolve });
  resolvers.set(nsg, list);
  return resolve;
}

/** One decided rectangle, as ranges; rendered as a `Decision` only when read. */
interface Cut {
  readonly source: RangeSet;
  readonly destination: RangeSet;
  readonly verdict: Decision['verdict'];
  readonly rule?: RuleRef;
  readonly why?: string;
}

/** Evaluates a flow against an NSG (or none). */
export function evaluateNsg(nsg: Nsg | undefined, flow: Flow, ctx: NsgContext): Evaluation {
  const source = RangeSet.of(flow.source);
  const destination = RangeSet.of(flow.destination);
  if (source.empty || destination.empty) return summarise([]);
  if (!nsg) return summarise([{ source, destination, verdict: 'allow', why: 'no network security group on the subnet' }]);
  let open: Rect[] = [{ source, destination }];
  const cuts: Cut[] = [];
  const resolve = resolverFor(nsg, ctx);
  const all = RangeSet.of(ALL);
  for (const { rule, isDefault } of outboundRules(nsg)) {
    if (open.length === 0) break;
    if (!protocolMatches(rule.protocol, flow.protocol) || !portMatches(rule, flow.port)) continue;
    const ref: RuleRef = {
      name: rule.name,
      priority: rule.priority,
      access: /^deny$/i.test(rule.access) ? 'Deny' : 'Allow',
      nsgId: nsg.id,
      isDefault,
    };
    const srcAsg = (rule.sourceApplicationSecurityGroups?.length ?? 0) > 0;
    const dstAsg = (rule.destinationApplicationSecurityGroups?.length ?? 0) > 0;
    let src = srcAsg ? { set: all } : resolve(rule.sourceAddressPrefix, rule.sourceAddressPrefixes);
    // A destination ASG can only hold NICs inside the virtual network.
    let dst = dstAsg ? { set: RangeSet.of(ctx.virtualNetwork) } : resolve(rule.destinationAddressPrefix, rule.destinationAddressPrefixes);
    let undecidableWhy: string | undefined;
    if (srcAsg || dstAsg)
      undecidableWhy = `rule ${rule.name} (priority ${rule.priority}) uses application security groups, which cannot be resolved from a subnet`;
    if ('unresolved' in src || 'unresolved' in dst) {
      undecidableWhy = `rule ${rule.name} (priority ${rule.priority}): ${'unresolved' in src ? src.unresolved : (dst as { unresolved: string }).unresolved}`;
      src = 'unresolved' in src ? { set: all } : src;
      dst = 'unresolved' in dst ? { set: all } : dst;
    }
    const next: Rect[] = [];
    for (const r of open) {
      const s = r.source.intersect(src.set);
      const d = s.empty ? s : r.destination.intersect(dst.set);
      if (s.empty || d.empty) {
        next.push(r);
        continue;
      }
      cuts.push({
        source: s,
        destination: d,
        verdict: undecidableWhy ? 'undecidable' : ref.access === 'Allow' ? 'allow' : 'deny',
        rule: ref,
        ...(undecidableWhy ? { why: undecidableWhy } : {}),
      });
      const restDst = r.destination.minus(d);
      if (!restDst.empty) next.push({ source: s, destination: restDst });
      const restSrc = r.source.minus(s);
      if (!restSrc.empty) next.push({ source: restSrc, destination: r.destination });
    }
    open = next;
  }
  // DenyAllOutBound matches everything, so nothing stays open; kept for an NSG answer that overrides it.
  for (const r of open) cuts.push({ source: r.source, destination: r.destination, verdict: 'deny', why: 'no rule matched' });
  return summarise(cuts);
}

/** The evaluation, its address sets rendered as CIDRs only when read. */
function summarise(cuts: readonly Cut[]): Evaluation {
  const allowedAll = RangeSet.union(...cuts.filter((d) => d.verdict === 'allow').map((d) => d.destination));
  const notAllowed = RangeSet.union(...cuts.filter((d) => d.verdict !== 'allow').map((d) => d.destination));
  const byRule = new Map<string, { rule: RuleRef; destination: RangeSet[]; source: RangeSet[] }>();
  const undecidable = new Map<string, { rule: RuleRef; destination: RangeSet[]; why: string }>();
  for (const d of cuts) {
    if (!d.rule) continue;
    const key = `${d.rule.priority}:${d.rule.name}`;
    if (d.verdict === 'deny') {
      const entry = byRule.get(key) ?? { rule: d.rule, destination: [], source: [] };
      entry.destination.push(d.destination);
      entry.source.push(d.source);
      byRule.set(key, entry);
    } else if (d.verdict === 'undecidable') {
      const entry = undecidable.get(key) ?? { rule: d.rule, destination: [], why: d.why ?? '' };
      entry.destination.push(d.destination);
      undecidable.set(key, entry);
    }
  }
  const byPriority = (a: { rule: RuleRef }, b: { rule: RuleRef }) => a.rule.priority - b.rule.priority;
  return withCidrs(
    {
      decisions: cuts.map(({ source, destination, ...rest }) => withCidrs({ ...rest }, { source, destination })),
      denied: [...byRule.values()]
        .sort(byPriority)
        .map((e) => withCidrs({ rule: e.rule }, { destination: RangeSet.union(...e.destination), source: RangeSet.union(...e.source) })),
      undecidable: [...undecidable.values()]
        .sort(byPriority)
        .map((e) => withCidrs({ rule: e.rule, why: e.why }, { destination: RangeSet.union(...e.destination) })),
    },
    // Allowed means allowed from every source address of the subnet.
    { allowed: allowedAll.minus(notAllowed) },
  );
}

/** The verdict of the evaluation for one (source address, destination address) pair. */
export function verdictAt(evaluation: Evaluation, source: string, destination: string): Decision | undefined {
  return evaluation.decisions.find((d) => intersect(d.source, [source]).length > 0 && intersect(d.destination, [destination]).length > 0);
}
