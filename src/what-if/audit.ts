/**
 * `audit --what-if`: the verdicts a deployment would produce. ARM's what-if gives every resource the
 * template touches, before and after; laid over live ARM that is the planned state. The checks run
 * on both states, and each finding is `introduced` by the deployment or `unchanged`; live findings
 * the plan no longer has are `fixed`. Only introduced findings count for `--fail-on`, so a pull
 * request is blocked by what it breaks, not by what was already broken.
 */
import { idKey, parseResourceId, tryParseResourceId } from '../base/resource-id.js';
import type { AuditReport, CheckResult, FixedFinding, TargetResult } from '../base/results.js';
import { compareFindings } from '../compare.js';
import { runAudit, type RunOptions } from '../engine/run.js';
import { Inventory, type InventoryOptions, type WhatIfChangeView, type WhatIfRequest } from '../inventory/index.js';
import type { ArmConnection } from '../arm/connection.js';
import { networkModel } from '../network/model.js';
import { summarize } from '../report/types.js';
import { PlannedState } from './plan.js';

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
  const plan = new PlannedState(changes);
  const planned = new Inventory(options.connection, { ...options.inventoryOptions, ...signal, plan });
  try {
    const targets = await affectedWorkspaces(planned, plan, options.request, options.workspaceIds, signal);
    const checkOptions = { ...options.checkOptions, whatIf: true };
    const common = { ...options, workspaceIds: targets, checkOptions };
    const [live, next] = await Promise.all([runAudit({ ...common, inventory: options.live }), runAudit({ ...common, inventory: planned })]);
    const report = compareWithLive(next, live, changes, options.templateFile, options.request.deploymentName, options.templateText);
    return { ...report, stats: { ...report.stats, armRequests: options.live.requestCount + planned.requestCount } };
  } finally {
    planned.dispose();
  }
}

/**
 * The workspaces a deployment touches: those it creates or modifies, the `--workspace` ones, and
 * those of its subscription whose registry, storage account, computes, compute subnets and VNets,
 * or private endpoints it changes (an NSG or route table change reaches the subnets it is on).
 */
async function affectedWorkspaces(
  planned: Inventory,
  plan: PlannedState,
  request: WhatIfRequest,
  explicit: readonly string[],
  signal: { abortSignal?: AbortSignal },
): Promise<string[]> {
  const changed = new Set(plan.changedIds);
  for (const c of plan.changes) {
    const rid = tryParseResourceId(c.resourceId);
    if (!rid || !changed.has(idKey(c.resourceId))) continue;
    const type = [rid.provider, ...rid.types].join('/').toLowerCase();
    // A child rule or route changes its parent; an NSG or route table changes the subnets it is on.
    if (/^microsoft\.network\/(networksecuritygroups\/securityrules|routetables\/routes|virtualnetworks\/subnets)$/.test(type)) {
      changed.add(idKey(c.resourceId.slice(0, c.resourceId.lastIndexOf('/', c.resourceId.lastIndexOf('/') - 1))));
    }
    for (const body of [c.before, c.after]) {
      for (const s of (body?.properties as { subnets?: { id?: unknown }[] } | undefined)?.subnets ?? []) {
        if (typeof s.id === 'string') changed.add(idKey(s.id));
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
      /^(create|modify|deploy)$/i.test(c.changeType) &&
      /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+$/i.test(c.resourceId)
    )
      add(c.resourceId);
  }
  if (request.scope.kind === 'managementGroup') return [...out.values()];
  const candidates = await planned.workspaces(request.scope.subscriptionId, undefined, signal);
  for (const ws of candidates) {
    if (!ws.id || out.has(idKey(ws.id))) continue;
    const related: (string | undefined)[] = [ws.id, ws.storageAccount, ws.containerRegistry];
    // The private endpoints on its registry and storage account, from their connection lists (an
    // endpoint the plan cannot say still names itself there).
    for (const [id, read] of [
      [ws.containerRegistry, (x: string) => planned.registry(x, signal)],
      [ws.storageAccount, (x: string) => planned.storageAccount(x, signal)],
    ] as const) {
      if (!id) continue;
      const target = await read(id).catch(() => undefined);
      for (const c of target?.privateEndpointConnections ?? []) related.push(c.privateEndpoint?.id);
    }
    try {
      const model = await networkModel(planned, ws.id, signal);
      for (const c of model.computes) {
        related.push(c.id);
        if (c.placement.kind !== 'subnet') continue;
        related.push(c.placement.subnetId, c.placement.vnetId);
        // The NSG and route table on the compute's subnet, as planned.
        const sn = await planned.subnet(c.placement.subnetId, signal).catch(() => undefined);
        related.push(sn?.networkSecurityGroup?.id, sn?.routeTable?.id);
      }
      for (const t of [model.storage, model.registry])
        for (const e of t?.customerEndpoints ?? []) related.push(e.privateEndpointId, e.vnetId, e.subnetId);
    } catch {
      // Its network cannot be read: the workspace itself may still be related above.
    }
    // A project's managed network is its hub's: the hub and the hub's outbound rules count as its own.
    const hub = (await planned.workspace(ws.id, signal).catch(() => undefined))?.hubResourceId;
    related.push(hub);
    // Its own children (computes, outbound rules), and its hub's, count too, deleted ones included.
    const owners = [ws.id, hub].filter((x): x is string => x !== undefined).map((x) => `${idKey(x)}/`);
    const touched = [...changed].some((id) => owners.some((own) => id.startsWith(own)));
    if (touched || related.some((id) => typeof id === 'string' && changed.has(idKey(id)))) add(ws.id);
  }
  return [...out.values()];
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
