/**
 * `audit --terraform-plan`: the verdicts a Terraform plan would produce, decided as `--what-if`
 * decides a deployment's. The plan's changes are mapped to ARM (`changes.ts`), updates and edits
 * laid over the live bodies, what Azure then does on its own added (`what-if/effects.ts`), and the
 * result laid over live ARM by the same `PlannedState`. The checks run on both states; findings are
 * `introduced`, `unchanged` or `fixed`, and only introduced ones count for `--fail-on`.
 *
 * A change the mapping cannot place (an id known only after apply, a type a check reads that no
 * mapping knows and whose resource the plan does not name) could change anything the checks read:
 * every planned verdict is then `error`, naming the addresses, never a verdict read from live ARM as
 * if the plan did not touch it.
 */
import { ML_API_VERSION, type ArmConnection } from '../arm/connection.js';
import { idKey, tryParseResourceId } from '../base/resource-id.js';
import type { AuditReport, CheckResult } from '../base/results.js';
import { runAudit, type RunOptions } from '../engine/run.js';
import { Inventory, type InventoryOptions } from '../inventory/index.js';
import { summarize } from '../report/types.js';
import { affectedWorkspaces, compareWithLive } from '../what-if/audit.js';
import { serviceEffects } from '../what-if/effects.js';
import { PlannedState } from '../what-if/plan.js';
import { dirname, join } from 'node:path';
import { mapTerraformPlan, plannedChanges, type MappingProblem, type TerraformChange } from './changes.js';
import { configAddress, declarations } from './locate.js';
import type { TerraformPlan } from './plan-file.js';

export interface TerraformAuditOptions extends Omit<RunOptions, 'inventory' | 'workspaceIds'> {
  readonly connection: ArmConnection;
  /** The live inventory (the live verdicts go through it). */
  readonly live: Inventory;
  readonly plan: TerraformPlan;
  /** The subscription the plan's creates go to, when its own ids do not say (`--subscription`). */
  readonly subscriptionId?: string;
  /** Workspaces to audit besides those the plan touches. */
  readonly workspaceIds: readonly string[];
  /** The root module's directory, where SARIF finds the `.tf` lines (default: the plan file's directory). */
  readonly terraformDir?: string;
  readonly inventoryOptions?: InventoryOptions;
}

/**
 * The api-version a live body is read at, by resource provider: the versions the pinned SDK clients
 * read (@azure/arm-network 36.0.0, arm-storage 20.0.0, arm-containerregistry 12.0.0), so the body
 * that later answers the inventory's own GET of the resource is the one that GET would get.
 */
const API_VERSIONS: Record<string, string> = {
  'microsoft.network': '2025-05-01',
  'microsoft.machinelearningservices': ML_API_VERSION,
  'microsoft.containerregistry': '2025-11-01',
  'microsoft.storage': '2025-08-01',
  'microsoft.keyvault': '2023-07-01',
  'microsoft.authorization': '2022-04-01',
};

export async function terraformAudit(options: TerraformAuditOptions): Promise<AuditReport> {
  const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const mapping = mapTerraformPlan(options.plan, options.subscriptionId ? { subscriptionId: options.subscriptionId } : {});
  // Live state is read once, through the live inventory: the bodies updates are laid over, and
  // every GET the planned side makes of what the plan leaves alone.
  const read = (id: string) => {
    const provider = tryParseResourceId(id)?.provider.toLowerCase() ?? '';
    return options.live.rawResource(id, API_VERSIONS[provider] ?? '2024-05-01', signal);
  };
  const changes = await plannedChanges(mapping, read);
  const plan = new PlannedState(changes, await serviceEffects(changes, options.live, signal));
  const planned = new Inventory(options.connection, {
    ...options.inventoryOptions,
    ...signal,
    plan: withUnmapped(plan, mapping.problems),
    sharedGets: options.live.shareGets(),
  });
  try {
    const subscriptionId = options.subscriptionId ?? subscriptionOf(changes.map((c) => c.resourceId));
    // The scope the workspaces are looked for in: the plan's subscription (none known: only the
    // workspaces the plan or --workspace names).
    const request = {
      scope: subscriptionId
        ? { kind: 'subscription' as const, subscriptionId, location: '' }
        : { kind: 'managementGroup' as const, managementGroup: '', location: '' },
      deploymentName: 'terraform plan',
      template: {},
    };
    const targets = await affectedWorkspaces(planned, options.live, plan, request, options.workspaceIds, signal);
    const checkOptions = { ...options.checkOptions, whatIf: true };
    const common = { ...options, workspaceIds: targets, checkOptions };
    const existing = targets.filter((id) => !plan.creates(id));
    const [live, next] = await Promise.all([
      runAudit({ ...common, workspaceIds: existing, inventory: options.live }),
      runAudit({ ...common, inventory: planned }),
    ]);
    const unplaced = mapping.problems.filter((p) => p.resourceId === undefined);
    const decided = unplaced.length ? undecidable(next, unplaced) : next;
    const compared = compareWithLive(decided, live, changes, options.plan.file, terraformName(options.plan));
    // `terraform show -json tfplan > plan.json` runs in the root module: its .tf files sit beside the plan.
    const report = await located(compared, changes, options.plan, options.terraformDir ?? dirname(options.plan.file));
    return { ...report, stats: { ...report.stats, armRequests: options.live.requestCount + planned.requestCount } };
  } finally {
    planned.dispose();
  }
}

/**
 * The planned state, and beneath each resource a type without a mapping changes (an A record's
 * zone, a firewall's classic rules) nothing read as live: its child reads fail with the reason too.
 */
function withUnmapped(plan: PlannedState, problems: readonly MappingProblem[]): NonNullable<InventoryOptions['plan']> {
  const under = problems.filter((p) => p.resourceId).map((p) => ({ prefix: `${idKey(p.resourceId!)}/`, reason: p.reason }));
  return {
    answer(method, url) {
      if (method === 'GET' && under.length) {
        let key: string;
        try {
          key = idKey(decodeURIComponent(new URL(url).pathname));
        } catch {
          return plan.answer(method, url);
        }
        const hit = under.find((u) => key.startsWith(u.prefix));
        // A `WhatIf…` code: the ARM error keeps the message as the reason (src/arm/errors.ts).
        if (hit) return { status: 400, body: { error: { code: 'WhatIfTerraformUnmapped', message: hit.reason } } };
      }
      return plan.answer(method, url);
    },
    adjust: (method, url, status, bodyText) => plan.adjust(method, url, status, bodyText),
    describe: (value) => plan.describe(value),
  };
}

/** Each changed resource with the Terraform address that changes it, and its `.tf` line when `dir` declares it. */
async function located(
  report: AuditReport,
  changes: readonly TerraformChange[],
  plan: TerraformPlan,
  dir: string | undefined,
): Promise<AuditReport> {
  if (!report.whatIf) return report;
  const where = dir ? await declarations(dir, plan.configuration) : undefined;
  const addresses = new Map(changes.map((c) => [idKey(c.resourceId), c.address]));
  const changedResources = report.whatIf.changedResources.map((c) => {
    const address = addresses.get(idKey(c.resourceId));
    const d = address && dir ? where?.get(configAddress(address)) : undefined;
    return { ...c, ...(address ? { address } : {}), ...(d && dir ? { file: join(dir, d.file), templateLine: d.line } : {}) };
  });
  return { ...report, whatIf: { ...report.whatIf, changedResources } };
}

function terraformName(plan: TerraformPlan): string {
  return `terraform plan${plan.terraformVersion ? ` (Terraform ${plan.terraformVersion})` : ''}`;
}

/** Every planned verdict `error`, naming the changes the mapping could not place. */
function undecidable(report: AuditReport, problems: readonly MappingProblem[]): AuditReport {
  const reason = `the Terraform plan changes what aml-preflight cannot place in ARM: ${problems.map((p) => p.reason).join('; ')}`;
  const targets = report.targets.map((t) => ({
    ...t,
    results: t.results.map((r): CheckResult => (r.status === 'skip' ? r : { ...r, status: 'error', findings: [], reason })),
  }));
  return { ...report, targets, summary: summarize(targets) };
}

/** The subscription most ids name. */
function subscriptionOf(ids: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const sub = tryParseResourceId(id)?.subscriptionId;
    if (sub) counts.set(sub, (counts.get(sub) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
