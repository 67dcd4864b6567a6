/**
 * `audit --what-if`: the verdicts a deployment would produce. ARM's what-if gives every resource the
 * template touches, before and after; laid over live ARM that is the planned state. The checks run
 * on both states, and each finding is `introduced` by the deployment or `unchanged`; live findings
 * the plan no longer has are `fixed`. Only introduced findings count for `--fail-on`, so a pull
 * request is blocked by what it breaks, not by what was already broken.
 */
import { idKey, parseResourceId, tryParseResourceId } from '../base/resource-id.js';
import type { AuditReport, CheckResult, FixedFinding, TargetResult } from '../base/results.js';
import { compareFindings } from '../pipeline/compare.js';
import { runAudit, type RunOptions } from '../engine/run.js';
import { Inventory, type InventoryOptions, type WhatIfChangeView, type WhatIfRequest } from '../inventory/index.js';
import type { ArmConnection } from '../arm/connection.js';
import { networkModel } from '../network/gather/model.js';
import { applianceIds, virtualHubIds } from '../network/gather/firewall.js';
import { summarize } from '../report/types.js';
import { serviceEffects } from './effects.js';
import { ancestors } from './embedding.js';
import { PlannedState } from './plan.js';
import { assignmentChanges, assignmentsTouch } from './role-assignments.js';
import { workspacePrincipals } from './identities.js';

export interface WhatIfAuditOptions extends Omit<RunOptions, 'inventory' | 'workspaceIds'> {
  readonly connection: ArmConnection;
  /** The live inventory (the what-if call and the live verdicts go through it). */
  readonly live: Inventory;
  readonly request: WhatIfRequest;
  /** The template file, for the report and SARIF locations, and its text (to find each resource's line). */
  readonly templateFile: string;
  readonly templateText?: string;
  /** Workspaces to audit besides those the deployment touches. */
  readonly workspaceIds: readonly string[];
  readonly inventoryOptions?: InventoryOptions;
}

export async function whatIfAudit(options: WhatIfAuditOptions): Promise<AuditReport> {
  const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const changes = await options.live.whatIf(options.request, signal);
  // What Azure then does on its own (a rule's status, a peering's state), read from the live state.
  const plan = new PlannedState(changes, await serviceEffects(changes, options.live, signal));
  // Live state the plan leaves alone is read once for both sides.
  const planned = new Inventory(options.connection, { ...options.inventoryOptions, ...signal, plan, sharedGets: options.live.shareGets() });
  try {
    const targets = await affectedWorkspaces(planned, options.live, plan, options.request, options.workspaceIds, signal);
    const checkOptions = { ...options.checkOptions, whatIf: true };
    const common = { ...options, workspaceIds: targets, checkOptions };
    // A workspace the deployment creates has no live side: its findings are all introduced.
    const existing = targets.filter((id) => !plan.creates(id));
    const [live, next] = await Promise.all([
      runAudit({ ...common, workspaceIds: existing, inventory: options.live }),
      runAudit({ ...common, inventory: planned }),
    ]);
    const report = compareWithLive(next, live, changes, options.templateFile, options.request.deploymentName, options.templateText);
    return { ...report, stats: { ...report.stats, armRequests: options.live.requestCount + planned.requestCount } };
  } finally {
    planned.dispose();
  }
}

/**
 * The workspaces a deployment touches: those it creates, modifies or cannot predict, the
 * `--workspace` ones, and those of its subscription whose registry, storage account, computes,
 * compute subnets, NSGs, route tables and VNets, private endpoints or their DNS zones it changes, at
 * any depth (a child changes every resource above it: a security rule its NSG, a peering its VNet,
 * a zone link its zone, an outbound rule its workspace), live or as planned (a deleted endpoint is
 * named only by the live state).
 */
export async function affectedWorkspaces(
  planned: Inventory,
  live: Inventory,
  plan: PlannedState,
  request: WhatIfRequest,
  explicit: readonly string[],
  signal: { abortSignal?: AbortSignal },
): Promise<string[]> {
  const changed = new Set<string>();
  let zones = false;
  for (const id of plan.changedIds) {
    changed.add(id);
    for (const a of ancestors(id)) changed.add(a);
    zones ||= id.includes('/providers/microsoft.network/privatednszones/');
    const c = plan.changeOf(id);
    for (const body of [c?.before, c?.after]) {
      const props = body?.properties as
        { subnets?: ({ id?: unknown } | null)[]; remoteVirtualNetwork?: { id?: unknown }; virtualNetwork?: { id?: unknown } } | undefined;
      // A VNet's subnets; the other side of a peering; the VNet a DNS zone link serves.
      for (const s of Array.isArray(props?.subnets) ? props.subnets : []) if (typeof s?.id === 'string') changed.add(idKey(s.id));
      for (const ref of [props?.remoteVirtualNetwork?.id, props?.virtualNetwork?.id]) if (typeof ref === 'string') changed.add(idKey(ref));
      // A private endpoint's target: Azure adds or removes the endpoint's connection there.
      for (const field of ['privateLinkServiceConnections', 'manualPrivateLinkServiceConnections'] as const) {
        const list = (body?.properties as Record<string, unknown> | undefined)?.[field];
        for (const x of Array.isArray(list) ? (list as unknown[]) : []) {
          const target = (x as { properties?: { privateLinkServiceId?: unknown } } | null)?.properties?.privateLinkServiceId;
          if (typeof target === 'string') changed.add(idKey(target));
        }
      }
    }
  }
  const out = new Map<string, string>();
  const add = (id: string): void => {
    if (!out.has(idKey(id))) out.set(idKey(id), id);
  };
  for (const id of explicit) add(id);
  for (const c of plan.changes) {
    if (
      /^(create|modify|deploy|unsupported)$/i.test(c.changeType) &&
      /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+$/i.test(c.resourceId)
    )
      add(c.resourceId);
  }
  if (request.scope.kind === 'managementGroup') return [...out.values()];
  const candidates = await planned.workspaces(request.scope.subscriptionId, undefined, signal);
  // Role assignments are listed by scope and principal, not under the resources they cover.
  const assigned = assignmentChanges(plan.changes);
  for (const ws of candidates) {
    if (!ws.id || out.has(idKey(ws.id))) continue;
    const related: (string | undefined)[] = [ws.id, ws.storageAccount, ws.containerRegistry, ws.keyVault];
    for (const inventory of [live, planned]) related.push(...(await relatedIds(inventory, ws.id, ws, zones, signal)));
    // Its own children (computes, outbound rules, the V2 network), and its hub's, count too, deleted ones included.
    const hub = (await planned.workspace(ws.id, signal).catch(() => undefined))?.hubResourceId;
    const owners = [ws.id, hub].filter((x): x is string => x !== undefined).map((x) => `${idKey(x)}/`);
    const touched = [...changed].some((id) => owners.some((own) => id.startsWith(own)));
    if (touched || related.some((id) => typeof id === 'string' && changed.has(idKey(id)))) add(ws.id);
    else if (
      assigned.length > 0 &&
      assignmentsTouch(
        assigned,
        await workspacePrincipals([live, planned], ws.id, signal),
        related.filter((id): id is string => typeof id === 'string'),
      )
    )
      add(ws.id);
  }
  return [...out.values()];
}

/** The resources a workspace's verdicts read, in one state (live or planned); what cannot be read is left out. */
async function relatedIds(
  inventory: Inventory,
  workspaceId: string,
  ws: { storageAccount?: string; containerRegistry?: string },
  zones: boolean,
  signal: { abortSignal?: AbortSignal },
): Promise<(string | undefined)[]> {
  const related: (string | undefined)[] = [];
  // The private endpoints on its registry and storage account, from their connection lists (an
  // endpoint the plan cannot say still names itself there).
  for (const [id, read] of [
    [ws.containerRegistry, (x: string) => inventory.registry(x, signal)],
    [ws.storageAccount, (x: string) => inventory.storageAccount(x, signal)],
  ] as const) {
    if (!id) continue;
    const target = await read(id).catch(() => undefined);
    for (const c of target?.privateEndpointConnections ?? []) related.push(c.privateEndpoint?.id);
  }
  try {
    const model = await networkModel(inventory, workspaceId, signal);
    for (const c of model.computes) {
      related.push(c.id);
      let placement;
      try {
        placement = c.placement;
      } catch {
        continue; // where it sits is unknown (an unevaluated subnet): its checks error on their own
      }
      if (placement.kind !== 'subnet') continue;
      related.push(placement.subnetId, placement.vnetId);
      // The NSG and route table on the compute's subnet.
      const sn = await inventory.subnet(placement.subnetId, signal).catch(() => undefined);
      related.push(sn?.networkSecurityGroup?.id, sn?.routeTable?.id);
      // The hub firewall its routes lead to: the firewall, its policies (and so their rule collection groups), IP groups.
      if (sn?.routeTable?.id) related.push(...(await applianceIds(inventory, placement.vnetId, sn.routeTable.id, signal).catch(() => [])));
      // The Virtual WAN hub it is connected to: routing intent, connection, route tables, the hub firewall and its policy.
      related.push(...(await virtualHubIds(inventory, placement.vnetId, signal).catch(() => [])));
    }
    for (const target of [() => model.storage, () => model.registry]) {
      let t;
      try {
        t = target();
      } catch {
        continue; // it cannot be read in this state
      }
      for (const e of t?.customerEndpoints ?? []) {
        related.push(e.privateEndpointId, e.vnetId, e.subnetId);
        // The DNS zones its endpoints register in, only when the deployment changes a zone.
        if (!zones) continue;
        const groups = await inventory.privateDnsZoneGroups(e.privateEndpointId, signal).catch(() => []);
        for (const g of groups) for (const z of g.privateDnsZoneConfigs ?? []) related.push(z.privateDnsZoneId);
      }
    }
  } catch {
    // Its network cannot be read: the workspace itself may still be related above.
  }
  // A project's managed network is its hub's: the hub counts as its own.
  related.push((await inventory.workspace(workspaceId, signal).catch(() => undefined))?.hubResourceId);
  return related;
}

/** The planned report, each finding marked introduced or unchanged against the live one, fixed ones listed. */
export function compareWithLive(
  planned: AuditReport,
  live: AuditReport,
  changes: readonly WhatIfChangeView[],
  templateFile: string,
  deploymentName: string,
  templateText?: string,
): AuditReport {
  const c = compareFindings(planned, live, (f, known) => ({ ...f, deploymentState: known ? 'unchanged' : 'introduced' }));
  const liveStatus = new Map<string, CheckResult['status']>();
  for (const t of live.targets) for (const r of t.results) liveStatus.set(`${idKey(t.workspaceId)} ${r.checkId}`, r.status);
  const targets: TargetResult[] = c.targets.map((t) => ({
    ...t,
    results: t.results.map((r): CheckResult => {
      const was = liveStatus.get(`${idKey(t.workspaceId)} ${r.checkId}`);
      return was !== undefined && was !== r.status ? { ...r, liveStatus: was } : r;
    }),
  }));
  const introduced = c.fresh;
  const unchanged = c.unchanged;
  const counts: Record<string, number> = {};
  for (const c of changes) counts[c.changeType] = (counts[c.changeType] ?? 0) + 1;
  return {
    ...planned,
    targets,
    summary: summarize(targets),
    whatIf: {
      template: templateFile,
      deployment: deploymentName,
      changes: counts,
      changedResources: changes
        .filter((c) => !/^(nochange|ignore)$/i.test(c.changeType))
        .map((c) => {
          const line = templateText ? templateLine(templateText, c.resourceId) : undefined;
          return { resourceId: parseResourceId(c.resourceId).id, changeType: c.changeType, ...(line ? { templateLine: line } : {}) };
        }),
      introduced,
      unchanged,
      fixed: c.gone.map((g): FixedFinding => ({ ...g, deploymentState: 'fixed' })),
    },
  };
}

/**
 * The line of a resource's declaration in the template: the `"type"` line of the resource of that
 * type whose `"name"` ends with the id's name (`nsg/rule` for a child), else the only resource of the
 * type. Undefined when the template does not say (a module, a copy loop, a name built by expression).
 */
export function templateLine(text: string, resourceId: string): number | undefined {
  const rid = tryParseResourceId(resourceId);
  if (!rid) return undefined;
  const type = [rid.provider, ...rid.types].join('/');
  const name = rid.names.join('/');
  const pattern = new RegExp(`"type"\\s*:\\s*"${type.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`, 'gi');
  const hits: number[] = [];
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) hits.push(m.index);
  const lineOf = (index: number): number => text.slice(0, index).split('\n').length;
  for (const at of hits) {
    // The resource object around this "type": from its opening brace to the next resource's type.
    const open = text.lastIndexOf('{', at);
    const next = hits.find((h) => h > at) ?? text.length;
    const body = text.slice(open, next);
    const declared = /"name"\s*:\s*"([^"]*)"/.exec(body)?.[1];
    if (
      declared !== undefined &&
      (declared.toLowerCase() === name.toLowerCase() ||
        declared.toLowerCase().endsWith(`/${rid.names.at(-1)!.toLowerCase()}`) ||
        declared.toLowerCase() === rid.names.at(-1)!.toLowerCase())
    ) {
      return lineOf(at);
    }
  }
  return hits.length === 1 ? lineOf(hits[0]!) : undefined;
}
