/** How findings name an Azure Firewall rule, and the resource a finding about it points at. Pure. */
import { nameOf } from './exposure.js';
import type { FirewallRuleRef } from './firewall-rules.js';

/** `network rule x of Allow collection c (priority 100), in rule collection group g (priority 200) of policy p`. */
export function describeRule(r: FirewallRuleRef): string {
  const where = r.group
    ? `, in rule collection group ${r.group.name} (priority ${r.group.priority}) of ${r.inheritance > 0 ? 'parent ' : ''}policy ${nameOf(r.ownerId)}`
    : ` of firewall ${nameOf(r.ownerId)} (classic rules)`;
  return `${r.kind} rule ${r.rule} of ${r.action} collection ${r.collection.name} (priority ${r.collection.priority})${where}`;
}

/**
 * Where the deciding rule lives: its rule collection group, else the firewall of classic rules;
 * the firewall itself when no rule decided (the default deny).
 */
export function ruleResourceId(rule: FirewallRuleRef | undefined, firewallId: string): string {
  return rule?.group ? `${rule.ownerId}/ruleCollectionGroups/${rule.group.name}` : (rule?.ownerId ?? firewallId);
}
