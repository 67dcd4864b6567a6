/**
 * The check engine: runs the selected checks on every target concurrently, each under its own
 * timeout, and turns whatever a check throws into an `error` result with a reason. One failing
 * check never sinks the run.
 */
import { setMaxListeners } from 'node:events';
import { ArmRequestError } from '../arm/errors.js';
import { UsageError } from '../base/errors.js';
import { idKey } from '../base/resource-id.js';
import { workspaceScope } from '../base/workspace-scope.js';
import { fingerprint } from './fingerprint.js';
import type { Inventory } from '../inventory/index.js';
import { scrub } from '../base/secrets.js';
import { VERSION } from '../base/version.js';
import type { AuditReport, CheckResult, Finding, TargetResult } from '../base/results.js';
import { summarize } from '../report/types.js';
import { formatMessage, type Check, type CheckOptions, type FindingReport, type Severity, type SkipResult } from './check.js';

export interface RunOptions {
  readonly inventory: Inventory;
  readonly checks: readonly Check[];
  readonly workspaceIds: readonly string[];
  /**
   * Drop each workspace's own reads from the inventory once its checks are done (default true),
   * so memory stays flat over thousands of workspaces. False keeps them for the caller to reuse.
   */
  readonly releaseReads?: boolean;
  /** Adds to a workspace's result from the reads its checks made, before they are released (the Markdown topology). */
  readonly decorate?: (target: TargetResult) => Promise<TargetResult>;
  /** Per check and target. Default 120 s. */
  readonly checkTimeoutInMs?: number;
  /** Stops everything: Ctrl-C or the overall timeout. Results decided so far are kept. */
  readonly abortSignal?: AbortSignal;
  /** Workspaces audited at once. Default 4. */
  readonly workspaceConcurrency?: number;
  /** Severity overrides by check id (config file). */
  readonly severityOverrides?: Readonly<Record<string, Severity>>;
  readonly checkOptions?: CheckOptions;
  /** Injected for tests and snapshots; default `performance.now`. */
  readonly now?: () => number;
  /** Called as each check finishes (progress output). */
  readonly onResult?: (workspaceId: string, result: CheckResult) => void;
}

/** Selects checks by `--check` / `--skip`. Unknown ids are a {@link UsageError}. */
export function selectChecks(all: readonly Check[], include: readonly string[] = [], exclude: readonly string[] = []): Check[] {
  const known = new Map(all.map((c) => [c.meta.id, c]));
  for (const id of [...include, ...exclude]) {
    if (!known.has(id)) throw new UsageError(`unknown check "${id}"; known checks: ${[...known.keys()].join(', ')}`);
  }
  const chosen = include.length > 0 ? include.map((id) => known.get(id)!) : all.filter((c) => !c.meta.optIn);
  return [...new Set(chosen)].filter((c) => !exclude.includes(c.meta.id));
}

export async function runAudit(options: RunOptions): Promise<AuditReport> {
  const now = options.now ?? (() => performance.now());
  // Every running check listens on the run's signal; dozens at once is by design, not a leak.
  if (options.abortSignal) setMaxListeners(0, options.abortSignal);
  const started = now();
  const targets = new Array<TargetResult>(options.workspaceIds.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.workspaceIds.length) {
      const i = next++;
      const workspaceId = options.workspaceIds[i]!;
      // The scope tells the inventory who reads what; release drops what only this workspace read.
      targets[i] = await workspaceScope.run(idKey(workspaceId), async () => {
        const first = await Promise.all(options.checks.map((check) => runOne(check, workspaceId, options, now)));
        const results = first.map((r, k) => {
          const hook = options.checks[k]!.afterRun;
          if (!hook || r.status === 'error') return r;
          try {
            return hook(r, first);
          } catch {
            return r;
          }
        });
        const target: TargetResult = { workspaceId, results };
        // While the workspace's reads are still held: what the caller adds from them costs no request.
        // A decoration that fails leaves the verdicts as they are.
        return options.decorate ? options.decorate(target).catch(() => target) : target;
      });
      if (options.releaseReads !== false) options.inventory.release(workspaceId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.workspaceConcurrency ?? 4, options.workspaceIds.length) }, worker));
  const interrupted = options.abortSignal?.aborted === true;
  return {
    schemaVersion: 1,
    tool: { name: 'aml-preflight', version: VERSION },
    targets,
    summary: summarize(targets),
    stats: { armRequests: options.inventory.requestCount, durationMs: Math.round(now() - started), ...inventoryStats(options.inventory) },
    ...(interrupted ? { incomplete: true } : {}),
  };
}

/** Present only when Resource Graph was tried, so direct-mode reports keep their shape. */
export function inventoryStats(
  inventory: Inventory,
): Pick<AuditReport['stats'], 'inventory' | 'resourceGraphRequests' | 'inventoryFallback'> {
  if (inventory.resourceGraphRequestCount === 0 && inventory.mode === 'arm' && !inventory.resourceGraphFailure) return {};
  return {
    inventory: inventory.mode,
    resourceGraphRequests: inventory.resourceGraphRequestCount,
    ...(inventory.resourceGraphFailure ? { inventoryFallback: scrub(inventory.resourceGraphFailure) } : {}),
  };
}

async function runOne(check: Check, workspaceId: string, options: RunOptions, now: () => number): Promise<CheckResult> {
  const started = now();
  const findings: Finding[] = [];
  const notes: string[] = [];
  const severity = options.severityOverrides?.[check.meta.id] ?? check.meta.severity;
  const controller = new AbortController();
  const timeoutMs = options.checkTimeoutInMs ?? 120_000;
  const parent = options.abortSignal;
  const onParentAbort = (): void => {
    controller.abort(parent?.reason);
  };
  parent?.addEventListener('abort', onParentAbort, { once: true });
  const clock = { timedOut: false };
  // Armed before the check starts, so `finally` always has a timer to clear.
  let rejectTimeout: (err: Error) => void = () => undefined;
  const timeout = new Promise<never>((_, reject) => {
    rejectTimeout = reject;
  });
  const timer = setTimeout(() => {
    clock.timedOut = true;
    rejectTimeout(new CheckTimeout(timeoutMs));
    controller.abort(new Error('timeout'));
  }, timeoutMs);
  timer.unref();
  const base = { checkId: check.meta.id, title: check.meta.title, severity };
  const finish = (partial: Pick<CheckResult, 'status'> & Partial<CheckResult>): CheckResult => {
    const result: CheckResult = {
      ...base,
      findings,
      ...(notes.length > 0 ? { notes } : {}),
      ...partial,
      durationMs: Math.round(now() - started),
    };
    options.onResult?.(workspaceId, result);
    return result;
  };
  try {
    if (parent?.aborted) return finish({ status: 'error', reason: 'not run: the audit was interrupted' });
    const outcome = await Promise.race([
      check.run({
        workspaceId,
        inventory: options.inventory,
        abortSignal: controller.signal,
        options: options.checkOptions ?? {},
        report: (f: FindingReport) => findings.push(toFinding(check, f)),
        skip: (reason: string) => ({ reason }) as SkipResult,
        note: (text: string) => notes.push(scrub(text)),
      }),
      timeout,
    ]);
    if (findings.some((f) => f.level === 'error')) return finish({ status: 'fail' });
    if (findings.length > 0) return finish({ status: 'warn' });
    if (outcome && 'reason' in outcome) return finish({ status: 'skip', reason: scrub(outcome.reason) });
    return finish({ status: 'pass' });
  } catch (err) {
    // A check aborted by its timeout rejects with its own error; the timeout is the reason.
    return finish({ status: 'error', reason: reasonOf(clock.timedOut ? new CheckTimeout(timeoutMs) : err, parent) });
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}

class CheckTimeout extends Error {
  constructor(ms: number) {
    super(`the check did not finish within ${ms} ms; raise --timeout, or look for a slow or throttled ARM`);
  }
}

function reasonOf(err: unknown, parent: AbortSignal | undefined): string {
  if (parent?.aborted) return 'not decided: the audit was interrupted';
  if (err instanceof ArmRequestError || err instanceof CheckTimeout) return scrub(err.message);
  if (err instanceof TypeError && /ARM resource id|subnet id/.test(err.message))
    return scrub(`a referenced id is malformed: ${err.message}`);
  const message = err instanceof Error ? err.message : String(err);
  return scrub(`the check failed unexpectedly: ${message.split('\n')[0]}`);
}

function toFinding(check: Check, f: FindingReport): Finding {
  const template = check.meta.messages[f.messageId] ?? f.messageId;
  return {
    message: scrub(formatMessage(template, f.data)),
    messageId: f.messageId,
    fingerprint: fingerprint(check.meta.id, f.resourceId, f.messageId, f.data),
    resourceId: f.resourceId,
    evidence: f.evidence,
    remediation: scrub(f.remediation),
    level: f.level ?? 'error',
  };
}
