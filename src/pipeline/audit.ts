/**
 * The audit, as a library call: targets or a scope, an optional planned state (what-if or a
 * Terraform plan), a baseline, a config, `--fix`, and where the report goes (formats to files or
 * writers, Log Analytics). It returns the report and the exit code. The CLI's `audit` command maps
 * argv to these options and prints; an Azure Function or a portal calls the same thing.
 *
 * Order matters where it is visible: fixes are verified before suppressions and the baseline apply;
 * every output is written before the Log Analytics upload, so a failed upload loses only the rows.
 */
import { randomUUID } from 'node:crypto';
import type { ArmConnection } from '../arm/connection.js';
import { UsageError } from '../base/errors.js';
import type { AuditReport, FailOn, TargetResult } from '../base/results.js';
import type { Check, CheckMeta } from '../engine/check.js';
import { runAudit, selectChecks, type RunOptions } from '../engine/run.js';
import { Inventory, type InventoryOptions } from '../inventory/index.js';
import type { LogAnalyticsTarget } from '../report/log-analytics-options.js';
import type { Format } from '../report/formats.js';
import { exitCodeFor } from '../report/types.js';
import { scrub } from '../base/secrets.js';
import type { PlannedStateSource } from './planned.js';
import { resolveTargets, type AuditTargets } from './targets.js';

/** One rendering of the report: to a file (written atomically) or to a writer (stdout). */
export interface AuditOutput {
  readonly format: Format;
  readonly file?: string;
  readonly write?: (text: string) => void | Promise<void>;
  /** ANSI colour (table on a terminal). */
  readonly color?: boolean;
  /** The terminal's width (table). */
  readonly width?: number;
  /** The table shows each finding's evidence. */
  readonly verbose?: boolean;
}

export interface AuditOptions {
  /** Where ARM is. A function is called once, after the options are checked (the CLI starts its mock there). */
  readonly connection: ArmConnection | (() => Promise<ArmConnection>);
  readonly targets: AuditTargets;
  /** Audit the state a deployment would produce instead of live state (`whatIfSource`, `terraformSource`). */
  readonly planned?: PlannedStateSource;
  /** A previous JSON report's file: findings are marked `new` or `unchanged`, gone ones listed as `absent`. */
  readonly baseline?: string;
  /** A config file (`aml-preflight.config.json`): checks off, severities, suppressions, failOn. */
  readonly config?: string;
  /** Run only these checks; else every check not opt-in, minus the config's `off` ones. */
  readonly checks?: readonly string[];
  readonly skip?: readonly string[];
  /** Custom images the experiment will use (selects `image-reference`). */
  readonly images?: readonly string[];
  /** Also run Microsoft's server-side workspace diagnosis. */
  readonly withDiagnose?: boolean;
  /** Default: the config's, else `error`. */
  readonly failOn?: FailOn;
  /** Apply the fixes checks offer and report the verified, post-fix verdict. */
  readonly fix?: boolean;
  readonly outputs?: readonly AuditOutput[];
  /** Also send one row per check result to Azure Monitor Logs, after the outputs are written. */
  readonly logAnalytics?: LogAnalyticsTarget;
  /** Read resources one by one from ARM, or with a few Resource Graph queries (large audits). */
  readonly inventory?: 'arm' | 'resource-graph';
  readonly inventoryOptions?: InventoryOptions;
  /** Workspaces audited at once (default 4). */
  readonly concurrency?: number;
  /** Per check and workspace (default 120 s). */
  readonly checkTimeoutInMs?: number;
  readonly abortSignal?: AbortSignal;
  /** Draw each workspace's network (default: when an output is Markdown; never for a planned state). */
  readonly topology?: boolean;
  /** Once the workspaces are known: how many checks will be decided. */
  readonly onStart?: (info: { readonly workspaces: number; readonly checks: number }) => void;
  readonly onResult?: RunOptions['onResult'];
  /** What the audit has to say besides the report (secrets scrubbed); `info` lines are the ones a quiet run drops. */
  readonly onNote?: (line: string, kind: 'notice' | 'info') => void;
  /** The day suppressions expire against (YYYY-MM-DD; default today, UTC). */
  readonly today?: string;
}

export interface AuditResult {
  readonly report: AuditReport;
  /** The contract's exit code: 0, 1 (a finding at or above failOn), 3 (incomplete, or the upload failed). */
  readonly exitCode: 0 | 1 | 3;
  readonly failOn: FailOn;
  /** The checks that ran. */
  readonly checks: readonly CheckMeta[];
  /** The Log Analytics upload: how many rows under which run id, or why it failed. */
  readonly logAnalytics?: { readonly rows: number; readonly runId: string; readonly error?: string };
}

export async function audit(options: AuditOptions): Promise<AuditResult> {
  const note = (line: string, kind: 'notice' | 'info' = 'notice'): void => options.onNote?.(scrub(line), kind);
  const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  if (options.planned && (options.fix || options.baseline !== undefined || options.targets.allSubscriptions))
    throw new UsageError(
      `a planned audit (${options.planned.kind}) compares the plan with live state; it does not combine with fix, a baseline or every subscription`,
    );
  const baseline = options.baseline ? await (await import('./baseline.js')).readBaseline(options.baseline) : undefined;
  const { allChecks } = await import('../../checks/index.js');
  const { loadConfig, disabledChecks, severityOverrides, applySuppressions } = await import('./config.js');
  const config = await loadConfig(options.config, allChecks);
  const failOn = options.failOn ?? config?.failOn ?? 'error';
  const checks = chooseChecks(allChecks, options, disabledChecks(config));

  const connection = typeof options.connection === 'function' ? await options.connection() : options.connection;
  const inventory = new Inventory(connection, { ...options.inventoryOptions, ...signal });
  try {
    const outputs = options.outputs ?? [];
    const drawTopology = options.topology ?? (!options.planned && outputs.some((o) => o.format === 'markdown'));
    const { describeTopology } = drawTopology ? await import('../network/gather/topology.js') : { describeTopology: undefined };
    const decorate = describeTopology
      ? async (t: TargetResult): Promise<TargetResult> => {
          const topology = await describeTopology(inventory, t.workspaceId);
          return topology ? { ...t, topology } : t;
        }
      : undefined;
    const run: Omit<RunOptions, 'inventory' | 'workspaceIds'> = {
      checks,
      ...(options.checkTimeoutInMs !== undefined ? { checkTimeoutInMs: options.checkTimeoutInMs } : {}),
      severityOverrides: severityOverrides(config),
      ...(options.concurrency !== undefined ? { workspaceConcurrency: options.concurrency } : {}),
      checkOptions: { images: [...(options.images ?? [])] },
      ...signal,
    };
    const named = [...(options.targets.workspaces ?? [])];
    let report: AuditReport;
    if (options.planned) {
      report = await options.planned.audit({ ...run, connection, live: inventory, workspaceIds: named });
    } else {
      const { workspaceIds, scope } = await resolveTargets(inventory, options.targets, {
        resourceGraph: options.inventory === 'resource-graph',
        note,
        ...signal,
      });
      options.onStart?.({ workspaces: workspaceIds.length, checks: checks.length });
      report = await runAudit({
        ...run,
        inventory,
        workspaceIds,
        ...(decorate && !options.fix ? { decorate } : {}),
        ...(options.onResult ? { onResult: options.onResult } : {}),
      });
      if (scope) report = { ...report, scope, ...(scope.unreadable ? { incomplete: true } : {}) };
    }
    if (options.fix) {
      const { applyFixes } = await import('./fix.js');
      const rerun = async (workspaceId: string) => (await runAudit({ ...run, inventory, workspaceIds: [workspaceId] })).targets[0]!.results;
      report = await applyFixes(report, inventory, {
        ...signal,
        rerun,
        onProgress: (line) => {
          note(line);
        },
      });
    }
    report = applySuppressions(report, config, options.today ?? new Date().toISOString().slice(0, 10));
    if (baseline && options.baseline) report = (await import('./baseline.js')).compareWithBaseline(report, baseline, options.baseline);
    // The diagram is drawn while each workspace's reads are held (decorate, above); after fixes, from Azure as they left them.
    if (options.fix && decorate) report = { ...report, targets: await Promise.all(report.targets.map(decorate)) };
    await writeOutputs(report, outputs, checks);
    const exitCode = exitCodeFor(report, failOn);
    const meta = checks.map((c) => c.meta);
    if (!options.logAnalytics) return { report, exitCode, failOn, checks: meta };
    const logAnalytics = await upload(report, options.logAnalytics, connection, signal);
    if (logAnalytics.error) {
      const t = options.logAnalytics;
      note(
        `could not send the results to Log Analytics (${t.endpoint}, ${t.dcr}, ${t.stream}): ${logAnalytics.error}; the report was written`,
      );
      return { report, exitCode: 3, failOn, checks: meta, logAnalytics };
    }
    note(`sent ${logAnalytics.rows} rows to Log Analytics (${options.logAnalytics.stream}, run ${logAnalytics.runId})`, 'info');
    return { report, exitCode, failOn, checks: meta, logAnalytics };
  } finally {
    inventory.dispose();
  }
}

/** The options' checks: named ones win over the config; its `off` ones add to skip; diagnosis and images add theirs. */
function chooseChecks(all: readonly Check[], options: AuditOptions, off: readonly string[]): Check[] {
  const only = options.checks ?? [];
  const checks = selectChecks(all, only, [...(options.skip ?? []), ...(only.length ? [] : off)]);
  const add = (id: string): void => {
    if (!checks.some((c) => c.meta.id === id)) checks.push(...selectChecks(all, [id]));
  };
  if (options.withDiagnose) add('workspace-diagnose');
  if (options.images?.length) add('image-reference');
  return checks;
}

async function writeOutputs(report: AuditReport, outputs: readonly AuditOutput[], checks: readonly Check[]): Promise<void> {
  if (outputs.length === 0) return;
  const { render } = await import('../report/index.js');
  const { writeFileAtomic } = await import('../base/write.js');
  for (const o of outputs) {
    const text = render(report, o.format, {
      color: o.color === true,
      ...(o.width ? { width: o.width } : {}),
      verbose: o.verbose === true,
      checks: checks.map((c) => c.meta),
    });
    if (o.file !== undefined) await writeFileAtomic(o.file, text);
    if (o.write) await o.write(text);
  }
}

async function upload(
  report: AuditReport,
  target: LogAnalyticsTarget,
  connection: ArmConnection,
  signal: { abortSignal?: AbortSignal },
): Promise<{ rows: number; runId: string; error?: string }> {
  const { logRows, sendRows } = await import('../report/log-analytics.js');
  const runId = randomUUID();
  const rows = logRows(report, runId, new Date());
  try {
    await sendRows(rows, target, {
      credential: connection.credential,
      ...(connection.ca ? { ca: connection.ca } : {}),
      ...(connection.retryDelayInMs !== undefined ? { retryDelayInMs: connection.retryDelayInMs } : {}),
      ...signal,
    });
    return { rows: rows.length, runId };
  } catch (err) {
    return { rows: rows.length, runId, error: scrub((err as Error).message) };
  }
}
