/** The `az` commands compute-outbound's findings offer: an NSG allow, a firewall allow, a route straight out. */
import { parseResourceId } from '../../src/base/resource-id.js';
import { nameOf } from '../../src/network/exposure.js';
import type { Appliance } from '../../src/network/egress-types.js';
import type { FirewallRuleRef } from '../../src/network/firewall-rules.js';
import type { Nsg } from '../../src/network/nsg.js';
import type { RowPort } from './rows.js';

type Firewall = Extract<Appliance, { kind: 'firewall' }>;

/** What the allow names: a service tag's addresses, or host names (which an NSG can only cover as `Internet`). */
export interface AllowTarget {
  readonly label: string;
  readonly tag?: string;
  readonly hosts?: readonly string[];
  readonly ports: readonly RowPort[];
}

const slug = (s: string): string =>
  s
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

function protocolOf(ports: readonly RowPort[]): string {
  const set = new Set(ports.map((p) => p.protocol));
  return set.size === 1 ? [...set][0]! : '*';
}

const portList = (ports: readonly RowPort[]): string => [...new Set(ports.map((p) => String(p.port)))].join(' ');

/**
 * An outbound NSG allow at a free priority just before the rule that denies (custom rules take
 * 100–4096); when none is free, move the deny first. Hosts have no tag: the NSG can only allow the
 * Internet, and a firewall filters by name.
 */
export function nsgAllow(nsgId: string, nsg: Nsg, target: AllowTarget, denyPriority: number, denyName?: string): string {
  const taken = new Set(nsg.securityRules.filter((r) => /^outbound$/i.test(r.direction)).map((r) => r.priority));
  const rid = parseResourceId(nsgId);
  const destination = target.tag ?? 'Internet';
  const create = (priority: number): string =>
    `az network nsg rule create --resource-group ${rid.resourceGroup} --nsg-name ${nameOf(nsgId)} --name Allow-${slug(target.label)}-Outbound --priority ${priority} --direction Outbound --access Allow --protocol ${protocolOf(target.ports)} --source-address-prefixes VirtualNetwork --destination-address-prefixes ${destination} --destination-port-ranges ${portList(target.ports)}`;
  const hostNote = target.tag
    ? ''
    : `An NSG cannot name ${target.hosts?.join(', ') ?? 'a host'}: allow the Internet here and filter by name in a firewall, or `;
  for (let p = Math.min(denyPriority, 4097) - 1; p >= 100; p--) if (!taken.has(p)) return `${hostNote}${create(p)}`;
  let free = denyPriority + 1;
  while (taken.has(free) && free < 4096) free++;
  return `${hostNote}No priority is free below ${denyName ?? 'the deny'} (${denyPriority}): move it first (az network nsg rule update --resource-group ${rid.resourceGroup} --nsg-name ${nameOf(nsgId)} --name ${denyName ?? '<deny-rule>'} --priority ${free}), then ${create(denyPriority)}`;
}

/**
 * The firewall allow, before the rule that decides: a network rule for a tag's addresses (TCP and
 * UDP as the ports need), an application rule for host names (HTTPS 443).
 */
export function firewallAllow(fw: Firewall, rule: FirewallRuleRef | undefined, target: AllowTarget, source: readonly string[]): string {
  const byName = !target.tag && target.hosts !== undefined;
  const protocols = [...new Set(target.ports.map((p) => p.protocol.toUpperCase()))].join(' ');
  const what = byName
    ? `--rule-type ApplicationRule --protocols Https=443 --target-fqdns ${target.hosts.join(' ')}`
    : `--rule-type NetworkRule --ip-protocols ${protocols} --destination-addresses ${target.tag} --destination-ports ${portList(target.ports)}`;
  const src = `--source-addresses ${source.join(' ')}`;
  const name = `allow-${slug(target.label)}`;
  const priority = Math.max(100, (rule?.collection.priority ?? 65000) - 1);
  if (fw.policyIds.length === 0) {
    const rid = parseResourceId(fw.firewallId);
    const base = `--resource-group ${rid.resourceGroup} --firewall-name ${nameOf(fw.firewallId)} --collection-name allow-aml-compute-egress --priority ${priority} --action Allow --name ${name}`;
    return byName
      ? `az network firewall application-rule create ${base} --protocols Https=443 --target-fqdns ${target.hosts.join(' ')} ${src}`
      : `az network firewall network-rule create ${base} --protocols ${protocols} --destination-addresses ${target.tag} --destination-ports ${portList(target.ports)} ${src}`;
  }
  const policyId = rule?.inheritance === 0 ? rule.ownerId : fw.policyIds[0]!;
  const rid = parseResourceId(policyId);
  // Else the firewall's own policy's first group: a child's rules never precede its parent's.
  const own = [...fw.rules.network, ...fw.rules.application].find((c) => c.ref.inheritance === 0 && c.ref.group)?.ref.group;
  const group = rule?.group && rule.inheritance === 0 ? rule.group.name : (own?.name ?? '<rule-collection-group>');
  const base = `--resource-group ${rid.resourceGroup} --policy-name ${nameOf(policyId)} --rule-collection-group-name ${group}`;
  const inherited =
    (rule?.inheritance ?? 0) > 0
      ? `The deciding rule is in parent policy ${nameOf(rule!.ownerId)}, which is processed before ${nameOf(policyId)}: change it there, or `
      : '';
  if (rule?.action === 'Allow' && rule.group)
    return `${inherited}az network firewall policy rule-collection-group collection rule add ${base} --collection-name ${rule.collection.name} --name ${name} ${what} ${src}`;
  return `${inherited}az network firewall policy rule-collection-group collection add-filter-collection ${base} --name allow-aml-compute-egress --collection-priority ${priority} --action Allow --rule-name ${name} ${what} ${src}`;
}

/** A service-tag route straight to the Internet, past the route that drops or detours the traffic. */
export function routeOut(routeTableId: string, tag: string): string {
  return `az network route-table route create --resource-group ${parseResourceId(routeTableId).resourceGroup} --route-table-name ${nameOf(routeTableId)} --name to-${slug(tag)} --address-prefix ${tag} --next-hop-type Internet`;
}
