/**
 * The `az` command that adds a missing Azure Firewall allow before the rule that decides the flow.
 * Pure: the firewall as gathered and the deciding rule in, one command line out.
 *
 * - Classic rules: a new Allow collection on the firewall (`network-rule create`, `application-rule
 *   create`), one priority number above the deciding collection (100 is the highest).
 * - A policy: the rule joins the deciding collection when that is an Allow collection of the
 *   firewall's own policy; otherwise a new filter collection goes in before it. A parent policy's
 *   collections are processed before the child's whatever their priority, so when the deciding rule
 *   is inherited the command says so: the allow only helps when it is made in the parent.
 *   https://learn.microsoft.com/azure/firewall/policy-rule-sets
 *   https://learn.microsoft.com/cli/azure/network/firewall/policy/rule-collection-group/collection
 */
import { parseResourceId } from '../base/resource-id.js';
import { nameOf } from './exposure.js';
import type { FirewallRuleRef, FirewallRules } from './firewall-rules.js';

/** What the command reads of a firewall; an `Appliance` of kind `firewall` is one. */
export interface FirewallToFix {
  readonly firewallId: string;
  /** The policy chain, the firewall's own first; empty for classic rules. */
  readonly policyIds: readonly string[];
  readonly rules: Pick<FirewallRules, 'network' | 'application'>;
}

/** What the allow lets out: host names on HTTPS 443 (an application rule), or addresses on ports (a network rule). */
export type FirewallAllowTarget =
  | { readonly kind: 'application'; readonly fqdns: readonly string[] }
  | {
      readonly kind: 'network';
      /** As `az` spells them: `TCP`, `UDP`. */
      readonly protocols: readonly string[];
      /** A service tag or addresses, as the rule's destination. */
      readonly addresses: string;
      readonly ports: readonly (string | number)[];
    };

export interface FirewallAllow {
  readonly target: FirewallAllowTarget;
  /** The source addresses the allow names: the compute subnet's prefixes. */
  readonly source: readonly string[];
  /** The new rule's name (`allow-mcr`). */
  readonly ruleName: string;
  /** The name of the collection created when the rule cannot join the deciding one. */
  readonly collectionName: string;
}

/** The `az` command (with a sentence before it when the deciding rule is a parent policy's) that allows `allow.target`. */
export function firewallAllowCommand(fw: FirewallToFix, deciding: FirewallRuleRef | undefined, allow: FirewallAllow): string {
  const { target, ruleName } = allow;
  const src = `--source-addresses ${allow.source.join(' ')}`;
  const priority = Math.max(100, (deciding?.collection.priority ?? 65000) - 1);
  // Classic network rules and policy network rules name the same list differently.
  const args = (protocolsFlag: string): string =>
    target.kind === 'application'
      ? `--protocols Https=443 --target-fqdns ${target.fqdns.join(' ')}`
      : `${protocolsFlag} ${target.protocols.join(' ')} --destination-addresses ${target.addresses} --destination-ports ${target.ports.join(' ')}`;
  if (fw.policyIds.length === 0) {
    const rid = parseResourceId(fw.firewallId);
    return `az network firewall ${target.kind}-rule create --resource-group ${rid.resourceGroup} --firewall-name ${nameOf(fw.firewallId)} --collection-name ${allow.collectionName} --priority ${priority} --action Allow --name ${ruleName} ${args('--protocols')} ${src}`;
  }
  const what = `--rule-type ${target.kind === 'application' ? 'ApplicationRule' : 'NetworkRule'} ${args('--ip-protocols')}`;
  const policyId = deciding?.inheritance === 0 ? deciding.ownerId : fw.policyIds[0]!;
  const rid = parseResourceId(policyId);
  // Else the firewall's own policy's first group: a child's rules never precede its parent's.
  const own = [...fw.rules.network, ...fw.rules.application].find((c) => c.ref.inheritance === 0 && c.ref.group)?.ref.group;
  const group = deciding?.group && deciding.inheritance === 0 ? deciding.group.name : (own?.name ?? '<rule-collection-group>');
  const base = `--resource-group ${rid.resourceGroup} --policy-name ${nameOf(policyId)} --rule-collection-group-name ${group}`;
  const inherited =
    deciding && deciding.inheritance > 0
      ? `The deciding rule is in parent policy ${nameOf(deciding.ownerId)}, which is processed before ${nameOf(policyId)}: change it there, or `
      : '';
  // Into the deciding Allow collection only when it is the firewall's own policy's: a parent's collection is not in the child.
  if (deciding?.action === 'Allow' && deciding.group && deciding.inheritance === 0)
    return `${inherited}az network firewall policy rule-collection-group collection rule add ${base} --collection-name ${deciding.collection.name} --name ${ruleName} ${what} ${src}`;
  return `${inherited}az network firewall policy rule-collection-group collection add-filter-collection ${base} --name ${allow.collectionName} --collection-priority ${priority} --action Allow --rule-name ${ruleName} ${what} ${src}`;
}
