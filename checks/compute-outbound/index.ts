/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall
 * https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#required-public-internet-access
 *
 * Every outbound dependency Microsoft's "Configure inbound and outbound network traffic" page lists
 * for compute in a customer VNet (`rows.ts`), decided from each compute subnet through the whole
 * egress path (`src/network/egress-path.ts`): the NSG, the routes, and the Azure Firewall (or
 * appliance) a route leads to. Service-tag rows are asked as the tag's addresses (regional tags
 * from the live `serviceTags` answer); host rows as names, which the firewall's application rules
 * match, and which an NSG can only meet as the public Internet. MicrosoftContainerRegistry and
 * AzureFrontDoor.FirstParty stay with nsg-outbound-service-tags. A managed network is
 * managed-network-outbound's.
 */
import { defineCheck, type CheckContext } from '../../src/engine/check.js';
import { idKey, parseResourceId } from '../../src/base/resource-id.js';
import type { AddressSet, RangeSet } from '../../src/network/cidr.js';
import { EGRESS_PATH_ACTIONS, EGRESS_PATH_READS, gatherEgressPath } from '../../src/network/gather/egress-path.js';
import { evaluateEgressPath, prefixCount, type EgressSegment, type GatheredPath } from '../../src/network/egress-path.js';
import { nameOf, vnetOf } from '../../src/network/exposure.js';
import { customerComputes } from '../../src/network/gather/customer-computes.js';
import { registryHostsToCheck } from './registry.js';
import { indexServiceTags, type ServiceTagIndex } from '../../src/network/service-tags.js';
import { describeRule, ruleResourceId } from '../../src/network/firewall-words.js';
import { firewallAllow, nsgAllow, routeOut, type AllowTarget } from './fixes.js';
import { describePorts, ROWS, type Row, type RowPort } from './rows.js';

type M = 'nsgDenied' | 'firewallDenied' | 'dropped' | 'undecidable' | 'appliance' | 'applianceUnreadable' | 'tagMissing';
type Blocked = EgressSegment;
const SHOWN = 12;

export default defineCheck<M>({
  meta: {
    id: 'compute-outbound',
    title:
      'Compute subnets reach every outbound dependency Microsoft lists for Azure ML (Entra ID, Azure ML, Batch, ARM, Storage, Front Door, Azure Monitor, the workspace registry, package sources), through their NSG, routes and Azure Firewall',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall',
      'https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#required-public-internet-access',
      'https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules',
      'https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route',
      'https://learn.microsoft.com/azure/firewall/rule-processing',
    ],
    reads: ['workspace', 'workspace computes', 'container registry and its private endpoints', ...EGRESS_PATH_READS],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.Network/privateEndpoints/read',
      ...EGRESS_PATH_ACTIONS,
    ],
    messages: {
      nsgDenied:
        'Outbound {{ports}} from subnet {{subnet}} to {{row}} ({{what}}) is denied by rule {{rule}} (priority {{priority}}) of NSG {{nsg}}: {{purpose}}; affects {{computes}}.',
      firewallDenied:
        'Outbound {{ports}} from subnet {{subnet}} to {{row}} ({{what}}) goes through Azure Firewall {{firewall}} ({{hop}}), which denies it: {{decider}}; affects {{computes}}.',
      dropped:
        'Outbound {{ports}} from subnet {{subnet}} to {{row}} ({{what}}) is dropped: route {{route}} ({{prefix}}) of {{routeTable}} has next hop {{hop}}.',
      undecidable: 'Outbound {{ports}} from subnet {{subnet}} to {{row}} ({{what}}) cannot be decided: {{why}}.',
      appliance:
        'Egress from subnet {{subnet}} to {{rows}} goes through {{hop}} by route {{route}} ({{prefix}}) of {{routeTable}}: {{owner}}, so nothing can vouch for what it allows.',
      applianceUnreadable:
        'Egress from subnet {{subnet}} to {{rows}} goes through {{hop}} by route {{route}} ({{prefix}}) of {{routeTable}}, and what owns that address cannot be read: {{action}} is missing in subscription {{subscription}} ({{resource}}).',
      tagMissing: 'The serviceTags answer for {{region}} has no {{tag}} tag, so outbound access to {{row}} cannot be checked by address.',
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const ws = await ctx.inventory.workspace(ctx.workspaceId, opts);
    const placed = await customerComputes(ctx.inventory, ctx.workspaceId, opts);
    if (placed.kind === 'managed')
      return ctx.skip(
        `the computes sit in the managed virtual network (${placed.isolationMode}), whose outbound rules managed-network-outbound decides`,
      );
    if (placed.kind === 'none')
      return ctx.skip(
        'no compute cluster or instance of the workspace sits in a customer virtual network, so no NSG, route or firewall of yours filters its egress',
      );
    const { computes } = placed;
    const region = ws.location ?? 'unknown';
    const tags = indexServiceTags(await ctx.inventory.serviceTags(parseResourceId(ctx.workspaceId).subscriptionId, region, opts));
    const rows = ROWS.filter((r) => !(r.notInChina && region.toLowerCase().startsWith('china')));
    const tagOf = new Map<Row, string | undefined>();
    for (const row of rows) {
      if (!row.tag) continue;
      const tag = (row.tag.regional ? tags.regional(row.tag.name, region) : undefined) ?? tags.get(row.tag.name);
      tagOf.set(row, tag?.name);
      if (tag || row.hosts) continue;
      ctx.report({
        messageId: 'tagMissing',
        data: { region, tag: row.tag.regional ? `${row.tag.name}.${region}` : row.tag.name, row: row.name },
        resourceId: ctx.workspaceId,
        evidence: { region, serviceTagsChangeNumber: tags.changeNumber ?? null, tagsInAnswer: tags.size, symptom: row.symptom },
        remediation: `Check the answer of az network list-service-tags --location ${region}; allow ${row.tag.name} explicitly once it is listed.`,
        level: 'warning',
      });
    }
    const registryHosts = await registryHostsToCheck(ctx, computes, opts);

    const bySubnet = new Map<string, typeof computes>();
    for (const c of computes) bySubnet.set(idKey(c.subnetId!), [...(bySubnet.get(idKey(c.subnetId!)) ?? []), c]);
    for (const group of bySubnet.values()) {
      const subnetId = group[0]!.subnetId!;
      const path = await gatherEgressPath(ctx.inventory, subnetId, tags, opts);
      const hasInstance = group.some((c) => c.computeType === 'ComputeInstance');
      const s: SubnetCtx = {
        path,
        tags,
        subnet: `${nameOf(vnetOf(subnetId))}/${nameOf(subnetId)}`,
        computes: group.map((c) => `${c.name} (${c.computeType})`).join(', '),
        base: { subnetId, subnetPrefixes: path.egress.source, nsgId: path.egress.nsgId ?? null, computes: group.map((c) => c.id) },
      };
      const hops = new Map<string, { seg: Blocked; rows: string[] }>();
      const allowedBy = new Set<string>();
      for (const row of rows) {
        const hosts = row.hosts === 'registry' ? registryHosts.get(idKey(subnetId)) : row.hosts;
        if (row.hosts === 'registry' && !hosts) continue;
        const tagName = tagOf.get(row);
        if (!tagName && !hosts) continue;
        const ports = row.ports.filter((p) => hasInstance || !p.computeInstanceOnly);
        const target: AllowTarget = { label: row.name, ...(tagName ? { tag: tagName } : {}), ...(hosts ? { hosts } : {}), ports };
        const addresses = tagName ? tags.get(tagName)!.ranges : undefined;
        const outcomes = ports.map((port) => ({ port, ...firstBlock(path, addresses, hosts, port, allowedBy) }));
        const denied = outcomes.filter((o) => o.verdict === 'denied');
        const unsure = outcomes.filter((o) => o.verdict === 'unsure');
        for (const o of outcomes.filter((x) => x.verdict === 'hop')) {
          const key = `${'route' in o.seg! ? o.seg.route.name : ''}|${o.seg!.kind}`;
          const hop = hops.get(key) ?? { seg: o.seg!, rows: [] };
          if (!hop.rows.includes(row.name)) hop.rows.push(row.name);
          hops.set(key, hop);
        }
        const decided = denied[0] ?? unsure[0];
        if (!decided) continue;
        const blockedPorts = (denied.length > 0 ? denied : unsure).map((o) => o.port);
        if (decided.seg!.kind === 'nsg-denied' && row.nsgDenialIsNote) {
          ctx.note(
            `${row.name} (${hosts?.join(', ')}) from ${s.subnet} is denied by NSG rule ${decided.seg!.rule.name} (priority ${decided.seg!.rule.priority}): an NSG cannot allow a host by name, and Microsoft's basic configuration assumes a private package repository`,
          );
          continue;
        }
        report(ctx, s, row, target, decided.seg!, decided.destination!, blockedPorts, ports, denied.length > 0 ? row.level : 'warning');
      }
      for (const { seg, rows: affected } of hops.values()) reportHop(ctx, s, seg, affected);
      if (allowedBy.size > 0) ctx.note(`egress from ${s.subnet} is allowed by ${[...allowedBy].join(', ')}`);
    }
  },
});

interface SubnetCtx {
  readonly path: GatheredPath;
  readonly tags: ServiceTagIndex;
  readonly subnet: string;
  readonly computes: string;
  readonly base: Record<string, unknown>;
}

/** The first thing on the path that stops (or cannot vouch for) one port: denied, undecidable, or a hop ARM says nothing past. */
function firstBlock(
  path: GatheredPath,
  addresses: AddressSet | RangeSet | undefined,
  hosts: readonly string[] | undefined,
  port: RowPort,
  allowedBy: Set<string>,
): { verdict: 'allowed' | 'denied' | 'unsure' | 'hop'; seg?: Blocked; destination?: AddressSet } {
  const v = evaluateEgressPath(path, { ...(addresses ? { addresses } : {}), ...(hosts ? { fqdns: hosts } : {}) }, port);
  const kind = (seg: EgressSegment): 'allowed' | 'denied' | 'unsure' | 'hop' => {
    if (seg.kind === 'nsg-denied' || seg.kind === 'dropped') return 'denied';
    if (seg.kind === 'firewall')
      return seg.evaluation.verdict === 'allow' ? 'allowed' : seg.evaluation.verdict === 'deny' ? 'denied' : 'unsure';
    return seg.kind === 'nsg-undecidable' ? 'unsure' : 'hop';
  };
  for (const seg of v.segments)
    if (seg.kind === 'firewall' && kind(seg) === 'allowed') allowedBy.add(`Azure Firewall ${nameOf(seg.appliance.firewallId)}`);
  for (const want of ['denied', 'unsure', 'hop'] as const) {
    const seg = v.segments.find((x) => kind(x) === want);
    if (seg) return { verdict: want, seg, destination: v.destination };
  }
  return { verdict: 'allowed' };
}

function report(
  ctx: CheckContext<M>,
  s: SubnetCtx,
  row: Row,
  target: AllowTarget,
  seg: Blocked,
  destination: AddressSet,
  blocked: readonly RowPort[],
  asked: readonly RowPort[],
  level: 'error' | 'warning',
): void {
  const total = destination.length;
  const part = 'destination' in seg ? seg.destination : destination;
  const what = target.hosts ? target.hosts.join(', ') : `${prefixCount(destination, part)} of ${total} prefixes of ${target.tag}`;
  const data = { ports: describePorts(blocked), subnet: s.subnet, row: row.name, what, purpose: row.purpose, computes: s.computes };
  const evidence = {
    ...s.base,
    row: row.name,
    ...(target.tag ? { tag: target.tag } : {}),
    ...(target.hosts ? { hosts: target.hosts } : {}),
    portsAsked: describePorts(asked),
    portsBlocked: describePorts(blocked),
    symptom: row.symptom,
    serviceTagsChangeNumber: s.tags.changeNumber ?? null,
  };
  const egress = s.path.egress;
  const fix = { ...target, ports: blocked };
  if (seg.kind === 'nsg-denied' || seg.kind === 'nsg-undecidable') {
    const rule = seg.rule;
    const nsgFix = nsgAllow(egress.nsgId!, egress.nsg!, fix, rule.priority, rule.isDefault ? undefined : rule.name);
    ctx.report({
      messageId: seg.kind === 'nsg-denied' ? 'nsgDenied' : 'undecidable',
      data: {
        ...data,
        rule: rule.name,
        priority: rule.priority,
        nsg: nameOf(rule.nsgId),
        why: seg.kind === 'nsg-undecidable' ? seg.why : '',
      },
      resourceId: rule.isDefault ? rule.nsgId : `${rule.nsgId}/securityRules/${rule.name}`,
      evidence: { ...evidence, decidingRule: rule, ...(target.tag ? { prefixes: summarise(seg.destination) } : {}) },
      remediation:
        seg.kind === 'nsg-denied'
          ? nsgFix
          : `Make the rule explicit (no application security group, a tag the serviceTags answer lists): ${nsgFix}`,
      level,
    });
    return;
  }
  const route = 'route' in seg ? seg.route : undefined;
  const hop = route?.nextHopIpAddress ? `${route.nextHopType} ${route.nextHopIpAddress}` : (route?.nextHopType ?? '');
  const routeEvidence = { routeTableId: egress.routeTableId ?? null, route: route ?? null };
  if (seg.kind === 'dropped') {
    ctx.report({
      messageId: 'dropped',
      data: { ...data, route: seg.route.name, prefix: seg.route.addressPrefix, routeTable: nameOf(egress.routeTableId!), hop },
      resourceId: `${egress.routeTableId!}/routes/${seg.route.name}`,
      evidence: { ...evidence, ...routeEvidence },
      remediation: target.tag
        ? `Remove the route or send ${target.tag} to the Internet: ${routeOut(egress.routeTableId!, target.tag)}`
        : `Remove route ${seg.route.name}, or send the traffic to a firewall that allows ${target.hosts?.join(', ')}.`,
      level,
    });
    return;
  }
  if (seg.kind !== 'firewall') return;
  const { appliance, evaluation } = seg;
  const d = evaluation.deciding!;
  const evidenceFw = {
    ...evidence,
    ...routeEvidence,
    firewallId: appliance.firewallId,
    firewallPolicyIds: appliance.policyIds,
    hubVnetId: appliance.vnetId,
    decisions: evaluation.decisions
      .filter((x) => x.verdict !== 'allow')
      .slice(0, SHOWN)
      .map((x) => ({ verdict: x.verdict, ...(x.fqdn ? { fqdn: x.fqdn } : {}), rule: x.rule ?? null, ...(x.why ? { why: x.why } : {}) })),
  };
  const resourceId = ruleResourceId(d.rule, appliance.firewallId);
  const fwFix = firewallAllow(appliance, d.rule, fix, egress.source);
  if (evaluation.verdict === 'deny')
    ctx.report({
      messageId: 'firewallDenied',
      data: {
        ...data,
        ...(d.fqdn ? { what: d.fqdn } : {}),
        firewall: nameOf(appliance.firewallId),
        hop,
        decider: d.rule ? describeRule(d.rule) : (d.why ?? 'no rule matches'),
      },
      resourceId,
      evidence: evidenceFw,
      remediation: fwFix,
      level,
    });
  else
    ctx.report({
      messageId: 'undecidable',
      data: { ...data, why: `Azure Firewall ${nameOf(appliance.firewallId)}: ${d.why ?? 'a rule cannot be resolved'}` },
      resourceId,
      evidence: evidenceFw,
      remediation: `Make the deciding rule explicit (addresses, service tags or target FQDNs the firewall can resolve): ${fwFix}`,
      level: 'warning',
    });
}

/** One warning per appliance hop ARM says nothing past, naming every row that takes it. */
function reportHop(ctx: CheckContext<M>, s: SubnetCtx, seg: Blocked, rows: readonly string[]): void {
  if (!('route' in seg) || seg.kind === 'dropped' || seg.kind === 'firewall') return;
  const egress = s.path.egress;
  const route = seg.route;
  const hop = route.nextHopIpAddress ? `${route.nextHopType} ${route.nextHopIpAddress}` : route.nextHopType;
  const data = {
    subnet: s.subnet,
    rows: rows.join(', '),
    hop,
    route: route.name,
    prefix: route.addressPrefix,
    routeTable: nameOf(egress.routeTableId!),
  };
  const evidence = { ...s.base, rows, routeTableId: egress.routeTableId ?? null, route };
  if (seg.kind === 'unreadable') {
    const a = seg.appliance.kind === 'unreadable' ? seg.appliance : undefined;
    ctx.report({
      messageId: 'applianceUnreadable',
      data: { ...data, action: a?.action ?? 'read', subscription: a?.subscriptionId ?? '', resource: a?.resourceId ?? '' },
      resourceId: a?.resourceId ?? `${egress.routeTableId!}/routes/${route.name}`,
      evidence: { ...evidence, unreadable: a?.resourceId ?? null, missingAction: a?.action ?? null },
      remediation: `Grant the audit identity ${a?.action ?? 'read'} in subscription ${a?.subscriptionId ?? ''} (aml-preflight permissions prints the role), then re-run.`,
      level: 'warning',
    });
    return;
  }
  const a = seg.kind === 'gateway' ? undefined : seg.appliance;
  const owner =
    a?.kind === 'third-party'
      ? `NIC ${nameOf(a.nicId)} of VM ${a.vmId ? nameOf(a.vmId) : '(none)'}, a third-party appliance whose rules ARM does not show`
      : a?.kind === 'unknown'
        ? `no readable resource in the VNet or its peered VNets owns ${a.ip}`
        : `${route.nextHopType} leads where ARM says nothing of what is allowed`;
  ctx.report({
    messageId: 'appliance',
    data: { ...data, owner },
    resourceId: a?.kind === 'third-party' ? a.nicId : `${egress.routeTableId!}/routes/${route.name}`,
    evidence: { ...evidence, ...(a?.kind === 'third-party' ? { nicId: a.nicId, vmId: a.vmId ?? null, ipForwarding: a.ipForwarding } : {}) },
    remediation: `Allow ${rows.join(', ')} (checks/compute-outbound/README.md lists the tags, hosts and ports) in the appliance at ${route.nextHopIpAddress ?? 'the next hop'}, or route the service tags straight out (${routeOut(egress.routeTableId!, '<service-tag>')}).`,
    level: 'warning',
  });
}

function summarise(set: readonly string[]): string[] {
  return set.length > SHOWN ? [...set.slice(0, SHOWN), `… and ${set.length - SHOWN} more`] : [...set];
}
