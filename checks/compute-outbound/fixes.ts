/** The `az` commands compute-outbound's findings offer: an NSG allow, a firewall allow, a route straight out. */
import { parseResourceId } from '../../src/base/resource-id.js';
import { nameOf } from '../../src/network/exposure.js';
import { firewallAllowCommand, type FirewallAllowTarget, type FirewallToFix } from '../../src/network/firewall-fix.js';
import type { FirewallRuleRef } from '../../src/network/firewall-rules.js';
import type { Nsg } from '../../src/network/nsg.js';
import type { RowPort } from './rows.js';

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
export function firewallAllow(
  fw: FirewallToFix,
  rule: FirewallRuleRef | undefined,
  target: AllowTarget,
  source: readonly string[],
): string {
  const allow: FirewallAllowTarget =
    !target.tag && target.hosts !== undefined
      ? { kind: 'application', fqdns: target.hosts }
      : {
          kind: 'network',
          protocols: [...new Set(target.ports.map((p) => p.protocol.toUpperCase()))],
          addresses: target.tag!,
          ports: [...new Set(target.ports.map((p) => String(p.port)))],
        };
  return firewallAllowCommand(fw, rule, {
    target: allow,
    source,
    ruleName: `allow-${slug(target.label)}`,
    collectionName: 'allow-aml-compute-egress',
  });
}

/** A service-tag route straight to the Internet, past the route that drops or detours the traffic. */
export function routeOut(routeTableId: string, tag: string): string {
  return `az network route-table route create --resource-group ${parseResourceId(routeTableId).resourceGroup} --route-table-name ${nameOf(routeTableId)} --name to-${slug(tag)} --address-prefix ${tag} --next-hop-type Internet`;
}
