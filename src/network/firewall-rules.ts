/**
 * Azure Firewall's outbound rules as the evaluator (firewall.ts) reads them: ARM's shapes, policy
 * (`ruleType`) and classic, normalised into collections in processing order. Pure: plain data in,
 * plain data out; the inventory reads the firewall, its policies and IP groups.
 *
 * Order, from https://learn.microsoft.com/azure/firewall/policy-rule-sets: within a rule type, the
 * parent policy's rule collection groups come before the child's whatever their priority, then rule
 * collection group priority, then rule collection priority (100 highest, 65,000 lowest), then the
 * rules in order. Each rule collection is Allow or Deny. NAT collections translate inbound traffic
 * and never decide egress.
 */
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
