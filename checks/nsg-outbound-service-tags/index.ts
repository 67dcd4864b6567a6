/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 * https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
 * https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview
 *
 * Base images come from Microsoft Container Registry, which sits behind Azure Front Door, so compute
 * nodes need outbound TCP 443 to the `MicrosoftContainerRegistry` and `AzureFrontDoor.FirstParty`
 * service tags. This check answers for every address of both tags, from every compute subnet,
 * without a VM: the subnet's NSG is evaluated exactly over the tags' prefixes from the live
 * `serviceTags` API, and the subnet's route table says where the allowed traffic then goes. When a
 * route leads to a `VirtualAppliance`, the check follows it: to an Azure Firewall in the VNet or a
 * peered hub (possibly in another subscription), whose rules decide MCR as the FQDNs
 * `mcr.microsoft.com` and `*.data.mcr.microsoft.com` plus the tag's addresses, and Front Door as its
 * addresses (https://learn.microsoft.com/azure/firewall/rule-processing); to a third-party
 * appliance's NIC, whose rules ARM does not show; or to nothing readable.
 *
 * No customer NSG filters a managed virtual network: there, `managed-network-outbound` decides
 * egress from the outbound rules.
 */
import { defineCheck } from '../../src/engine/check.js';
import { idKey, parseResourceId } from '../../src/base/resource-id.js';
import { EGRESS_PATH_ACTIONS, EGRESS_PATH_READS, gatherEgressPath } from '../../src/network/gather/egress-path.js';
import { evaluateEgressPath, prefixCount } from '../../src/network/egress-path.js';
import type { Nsg } from '../../src/network/nsg.js';
import { indexServiceTags, type ServiceTag } from '../../src/network/service-tags.js';
import { nameOf, vnetOf } from '../../src/network/exposure.js';
import { customerComputes } from '../../src/network/gather/customer-computes.js';
import type { FirewallRuleRef } from '../../src/network/firewall-rules.js';
import { describeRule, ruleResourceId } from '../../src/network/firewall-words.js';
import { firewallAllowCommand, type FirewallToFix } from '../../src/network/firewall-fix.js';

const PORT = 443;
const MCR_FQDNS = ['mcr.microsoft.com', '*.data.mcr.microsoft.com'];
const SHOWN = 12;

export default defineCheck({
  meta: {
    id: 'nsg-outbound-service-tags',
    title:
      'Compute subnets can reach MicrosoftContainerRegistry and AzureFrontDoor.FirstParty on TCP 443, through their NSG, routes and Azure Firewall',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
      'https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules',
      'https://learn.microsoft.com/azure/virtual-network/service-tags-overview',
      'https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route',
      'https://learn.microsoft.com/azure/firewall/rule-processing',
      'https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall',
    ],
    reads: ['workspace', 'workspace computes', ...EGRESS_PATH_READS],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      ...EGRESS_PATH_ACTIONS,
    ],
    messages: {
      denied:
        'Outbound TCP 443 from subnet {{subnet}} to {{tag}} is denied for {{deniedCount}} of {{total}} prefixes by rule {{rule}} (priority {{priority}}) of NSG {{nsg}}; affects {{computes}}.',
      undecidable: 'Outbound TCP 443 from subnet {{subnet}} to {{tag}} cannot be decided for {{count}} of {{total}} prefixes: {{why}}.',
      appliance:
        'Egress from subnet {{subnet}} to {{tag}} ({{count}} of {{total}} prefixes) goes through {{hop}} by route {{route}} ({{prefix}}) of {{routeTable}}; no readable resource in the VNet or its peered VNets owns {{ip}}, so nothing can vouch for what the appliance allows.',
      dropped:
        'Egress from subnet {{subnet}} to {{tag}} ({{count}} of {{total}} prefixes) is dropped: route {{route}} ({{prefix}}) of {{routeTable}} has next hop {{hop}}.',
      gateway:
        'Egress from subnet {{subnet}} to {{tag}} ({{count}} of {{total}} prefixes) goes through {{hop}} by route {{route}} ({{prefix}}) of {{routeTable}}; nothing in ARM says what that path allows.',
      firewallDenied:
        'Egress from subnet {{subnet}} to {{tag}} ({{what}}) goes through Azure Firewall {{firewall}} ({{hop}}), which denies it: {{decider}}; affects {{computes}}.',
      firewallUndecidable:
        'Egress from subnet {{subnet}} to {{tag}} ({{what}}) goes through Azure Firewall {{firewall}} ({{hop}}), whose verdict cannot be decided: {{why}}.',
      thirdParty:
        'Egress from subnet {{subnet}} to {{tag}} ({{count}} of {{total}} prefixes) goes through {{hop}} by route {{route}} ({{prefix}}) of {{routeTable}}: NIC {{nic}} of VM {{vm}}, a third-party appliance whose rules ARM does not show.',
      applianceUnreadable:
        'Egress from subnet {{subnet}} to {{tag}} goes through {{hop}} by route {{route}} ({{prefix}}) of {{routeTable}}, and what owns that address cannot be read: {{action}} is missing in subscription {{subscription}} ({{resource}}).',
      tagMissing: 'The serviceTags answer for {{region}} has no {{tag}} tag, so outbound access to it cannot be checked.',
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const ws = await ctx.inventory.workspace(ctx.workspaceId, opts);
    const placed = await customerComputes(ctx.inventory, ctx.workspaceId, opts);
    if (placed.kind === 'managed')
      return ctx.skip(
        `the computes sit in the managed virtual network (${placed.isolationMode}), which no customer NSG filters: managed-network-outbound decides its egress`,
      );
    if (placed.kind === 'none')
      return ctx.skip(
        'no compute cluster or instance of the workspace sits in a customer virtual network, so no NSG of yours filters its egress',
      );
    const { computes } = placed;
    const region = ws.location ?? 'unknown';
    const sub = parseResourceId(ctx.workspaceId).subscriptionId;
    const tags = indexServiceTags(await ctx.inventory.serviceTags(sub, region, opts));
    const mcr = tags.regional('MicrosoftContainerRegistry', region) ?? tags.get('MicrosoftContainerRegistry');
    const afd = tags.get('AzureFrontDoor.FirstParty');
    const targets: ServiceTag[] = [];
    for (const [tag, name] of [
      [mcr, 'MicrosoftContainerRegistry'],
      [afd, 'AzureFrontDoor.FirstParty'],
    ] as const) {
      if (tag) targets.push(tag);
      else
        ctx.report({
          messageId: 'tagMissing',
          data: { region, tag: name },
          resourceId: ctx.workspaceId,
          evidence: { region, serviceTagsChangeNumber: tags.changeNumber ?? null, tagsInAnswer: tags.size },
          remediation: `Check the answer of az network list-service-tags --location ${region}; allow ${name} explicitly once it is listed.`,
          level: 'warning',
        });
    }

    const bySubnet = new Map<string, typeof computes>();
    for (const c of computes) bySubnet.set(idKey(c.subnetId!), [...(bySubnet.get(idKey(c.subnetId!)) ?? []), c]);

    for (const group of bySubnet.values()) {
      const subnetId = group[0]!.subnetId!;
      const path = await gatherEgressPath(ctx.inventory, subnetId, tags, opts);
      const { egress } = path;
      const { source } = egress;
      const nsgView = egress.nsg;
      const nsg = egress.nsgId ? { id: egress.nsgId } : undefined;
      const routeTable = egress.routeTableId ? { id: egress.routeTableId } : undefined;
      const computeNames = group.map((c) => `${c.name} (${c.computeType})`).join(', ');
      const subnetName = `${nameOf(vnetOf(subnetId))}/${nameOf(subnetId)}`;
      if (!nsg) ctx.note(`subnet ${subnetName} has no network security group: its egress is not filtered by an NSG`);

      for (const tag of targets) {
        const isMcr = tag.name.toLowerCase().startsWith('microsoftcontainerregistry');
        const verdict = evaluateEgressPath(
          path,
          { addresses: tag.ranges, ...(isMcr ? { fqdns: MCR_FQDNS } : {}) },
          { protocol: 'Tcp', port: PORT },
        );
        const destination = verdict.destination;
        const total = destination.length;
        if (total === 0) continue;
        const base = {
          subnetId,
          subnetPrefixes: source,
          nsgId: nsg?.id ?? null,
          tag: tag.name,
          serviceTagsChangeNumber: tags.changeNumber ?? null,
          computes: group.map((c) => c.id),
        };
        for (const seg of verdict.segments) {
          if (seg.kind === 'nsg-denied') {
            const d = seg;
            ctx.report({
              messageId: 'denied',
              data: {
                subnet: subnetName,
                tag: tag.name,
                deniedCount: prefixCount(destination, d.destination),
                total,
                rule: d.rule.name,
                priority: d.rule.priority,
                nsg: nameOf(d.rule.nsgId),
                computes: computeNames,
              },
              resourceId: d.rule.isDefault ? d.rule.nsgId : `${d.rule.nsgId}/securityRules/${d.rule.name}`,
              evidence: {
                ...base,
                decidingRule: d.rule,
                deniedPrefixes: summarise(d.destination),
                deniedPrefixCount: d.destination.length,
                ...(d.source.length !== source.length || d.source[0] !== source[0] ? { deniedFromSourcePrefixes: d.source } : {}),
              },
              remediation: allowRule(nsg!.id, nsgView!, tag.name, d.rule.priority, d.rule.isDefault ? undefined : d.rule.name),
            });
            continue;
          }
          if (seg.kind === 'nsg-undecidable') {
            const u = seg;
            ctx.report({
              messageId: 'undecidable',
              data: { subnet: subnetName, tag: tag.name, count: prefixCount(destination, u.destination), total, why: u.why },
              resourceId: `${u.rule.nsgId}/securityRules/${u.rule.name}`,
              evidence: { ...base, rule: u.rule, prefixes: summarise(u.destination) },
              remediation: `Confirm that the compute NICs are members of the application security group the rule names, or replace it with an explicit rule: ${allowRule(nsg!.id, nsgView!, tag.name, u.rule.priority)}`,
              level: 'warning',
            });
            continue;
          }
          // Where the traffic goes once the NSG lets it out.
          const route = seg.route;
          const ip = route.nextHopIpAddress;
          const hop = ip ? `${route.nextHopType} ${ip}` : route.nextHopType;
          const routeData = {
            subnet: subnetName,
            tag: tag.name,
            hop,
            route: route.name,
            prefix: route.addressPrefix,
            routeTable: nameOf(routeTable!.id),
          };
          const count = prefixCount(destination, seg.destination);
          if (seg.kind === 'firewall') {
            const { appliance, evaluation } = seg;
            const d = evaluation.deciding;
            if (evaluation.verdict === 'allow' || !d) {
              ctx.note(
                `egress to ${tag.name} from ${subnetName} is allowed by Azure Firewall ${nameOf(appliance.firewallId)}${d?.rule ? ` (${describeRule(d.rule)})` : ''}`,
              );
              continue;
            }
            const what = d.fqdn ? `${d.fqdn} on HTTPS 443` : `${count} of ${total} prefixes on TCP 443`;
            const evidence = {
              ...base,
              routeTableId: routeTable!.id,
              route,
              firewallId: appliance.firewallId,
              firewallPolicyIds: appliance.policyIds,
              hubVnetId: appliance.vnetId,
              decisions: evaluation.decisions.map((x) => ({
                verdict: x.verdict,
                ...(x.fqdn ? { fqdn: x.fqdn } : {}),
                ...(x.destination ? { prefixes: summarise(x.destination) } : {}),
                rule: x.rule ?? null,
                ...(x.why ? { why: x.why } : {}),
              })),
            };
            const resourceId = ruleResourceId(d.rule, appliance.firewallId);
            if (evaluation.verdict === 'deny')
              ctx.report({
                messageId: 'firewallDenied',
                data: {
                  ...routeData,
                  what,
                  firewall: nameOf(appliance.firewallId),
                  decider: d.rule ? describeRule(d.rule) : (d.why ?? 'no rule matches'),
                  computes: computeNames,
                },
                resourceId,
                evidence,
                remediation: firewallFix(appliance, d.rule, isMcr, tag.name, source),
              });
            else
              ctx.report({
                messageId: 'firewallUndecidable',
                data: { ...routeData, what, firewall: nameOf(appliance.firewallId), why: d.why ?? 'a rule cannot be resolved' },
                resourceId,
                evidence,
                remediation: `Make the deciding rule explicit (addresses, service tags or target FQDNs the firewall can resolve): ${firewallFix(appliance, d.rule, isMcr, tag.name, source)}`,
                level: 'warning',
              });
            continue;
          }
          if (seg.kind === 'third-party' && seg.appliance.kind === 'third-party') {
            const appliance = seg.appliance;
            ctx.report({
              messageId: 'thirdParty',
              data: { ...routeData, count, total, nic: nameOf(appliance.nicId), vm: appliance.vmId ? nameOf(appliance.vmId) : '(none)' },
              resourceId: appliance.nicId,
              evidence: {
                ...base,
                routeTableId: routeTable!.id,
                route,
                nicId: appliance.nicId,
                vmId: appliance.vmId ?? null,
                ipForwarding: appliance.ipForwarding,
              },
              remediation: `Allow ${MCR_FQDNS.join(' and ')} and ${tag.name} on TCP 443 in the appliance ${nameOf(appliance.vmId ?? appliance.nicId)} (${ip}), then re-run.`,
              level: 'warning',
            });
            continue;
          }
          if (seg.kind === 'unreadable' && seg.appliance.kind === 'unreadable') {
            const appliance = seg.appliance;
            ctx.report({
              messageId: 'applianceUnreadable',
              data: { ...routeData, action: appliance.action, subscription: appliance.subscriptionId, resource: appliance.resourceId },
              resourceId: appliance.resourceId,
              evidence: {
                ...base,
                routeTableId: routeTable!.id,
                route,
                unreadable: appliance.resourceId,
                missingAction: appliance.action,
              },
              remediation: `Grant the audit identity ${appliance.action} in subscription ${appliance.subscriptionId} (aml-preflight permissions prints the role), then re-run.`,
              level: 'warning',
            });
            continue;
          }
          const dropped = seg.kind === 'dropped';
          ctx.report({
            messageId: dropped ? 'dropped' : seg.kind === 'unknown' ? 'appliance' : 'gateway',
            data: { ...routeData, count, total, ip: ip ?? '(none)' },
            resourceId: `${routeTable!.id}/routes/${route.name}`,
            evidence: { ...base, routeTableId: routeTable!.id, route, prefixes: summarise(seg.destination) },
            remediation: dropped
              ? `Remove the route or send ${tag.name} to the Internet: az network route-table route create --resource-group ${parseResourceId(routeTable!.id).resourceGroup} --route-table-name ${nameOf(routeTable!.id)} --name to-${tag.name.replace(/\./g, '-')} --address-prefix ${tag.name} --next-hop-type Internet`
              : `Allow ${MCR_FQDNS.join(' and ')} (and the Front Door endpoints they redirect to) on TCP 443 in the appliance at ${route.nextHopIpAddress ?? 'the next hop'}, or route the tag straight out: az network route-table route create --resource-group ${parseResourceId(routeTable!.id).resourceGroup} --route-table-name ${nameOf(routeTable!.id)} --name to-${tag.name.replace(/\./g, '-')} --address-prefix ${tag.name} --next-hop-type Internet`,
            level: dropped ? 'error' : 'warning',
          });
        }
      }
    }
  },
});

/** The `az` command that adds the missing allow, before the rule that decides: MCR by name, Front Door by its tag. */
function firewallFix(fw: FirewallToFix, rule: FirewallRuleRef | undefined, isMcr: boolean, tag: string, source: readonly string[]): string {
  return firewallAllowCommand(fw, rule, {
    target: isMcr ? { kind: 'application', fqdns: MCR_FQDNS } : { kind: 'network', protocols: ['TCP'], addresses: tag, ports: [PORT] },
    source,
    ruleName: `allow-${isMcr ? 'mcr' : tag.replace(/\./g, '-')}`,
    collectionName: 'allow-aml-egress',
  });
}

function summarise(set: readonly string[]): string[] {
  return set.length > SHOWN ? [...set.slice(0, SHOWN), `… and ${set.length - SHOWN} more`] : [...set];
}

/**
 * The rule to add: outbound allow for the tag, at a free priority just before the denying rule
 * (custom rules take 100–4096). When none is free below it, say to renumber the deny first.
 */
export function allowRule(nsgId: string, nsg: Nsg, tag: string, denyPriority: number, denyName?: string): string {
  const taken = new Set(nsg.securityRules.filter((r) => /^outbound$/i.test(r.direction)).map((r) => r.priority));
  const rid = parseResourceId(nsgId);
  const create = (priority: number): string =>
    `az network nsg rule create --resource-group ${rid.resourceGroup} --nsg-name ${nameOf(nsgId)} --name Allow-${tag.replace(/\./g, '-')}-443 --priority ${priority} --direction Outbound --access Allow --protocol Tcp --source-address-prefixes VirtualNetwork --destination-address-prefixes ${tag} --destination-port-ranges ${PORT}`;
  for (let p = Math.min(denyPriority, 4097) - 1; p >= 100; p--) if (!taken.has(p)) return create(p);
  let free = denyPriority + 1;
  while (taken.has(free) && free < 4096) free++;
  return `No priority is free below ${denyName ?? 'the deny'} (${denyPriority}): move it first (az network nsg rule update --resource-group ${rid.resourceGroup} --nsg-name ${nameOf(nsgId)} --name ${denyName ?? '<deny-rule>'} --priority ${free}), then ${create(denyPriority)}`;
}
