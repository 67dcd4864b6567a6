/**
 * The report of CONTRACT.md ("Report"). Fields beyond the contract (`title`, `notes`, `level`,
 * `incomplete`) are additions; nothing the contract names is renamed or removed.
 */
import type { Severity, Status } from '../engine/check.js';
import type { Topology } from '../topology.js';

export interface Finding {
  readonly message: string;
  readonly resourceId: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly remediation: string;
  /** `warning` findings alone make a check `warn`. */
  readonly level: 'error' | 'warning';
  /** Set when a config suppression covers the finding: it stays visible but does not count. */
  readonly suppressed?: { readonly reason: string; readonly expires: string };
}

export interface CheckResult {
  readonly checkId: string;
  readonly title: string;
  readonly status: Status;
  readonly severity: Severity;
  readonly findings: readonly Finding[];
  /** Why the check was skipped or errored; absent otherwise. */
  readonly reason?: string;
  /** Facts worth showing that are not findings ("keys are identity-based"). */
  readonly notes?: readonly string[];
  readonly durationMs: number;
}

export interface TargetResult {
  readonly workspaceId: string;
  readonly results: readonly CheckResult[];
  /** The network topology, when a format that draws it (markdown) was asked for. */
  readonly topology?: Topology;
}

export interface ExpiredSuppression {
  readonly check: string;
  readonly resource: string;
  readonly reason: string;
  readonly expires: string;
  /** Findings it would have suppressed, now counted again. */
  readonly findings: number;
}

export type Summary = Record<Status, number>;

export interface AuditReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'aml-preflight'; readonly version: string };
  readonly targets: readonly TargetResult[];
  readonly summary: Summary;
  readonly stats: {
    /** ARM requests sent, retries and polls included; Resource Graph queries are counted apart. */
    readonly armRequests: number;
    readonly durationMs: number;
    /** Where resources were read from; present when `--inventory resource-graph` was asked for. */
    readonly inventory?: 'arm' | 'resource-graph';
    /** Resource Graph queries sent (pages and retries included). */
    readonly resourceGraphRequests?: number;
    /** Why Resource Graph could not be used; the run then read every resource from ARM. */
    readonly inventoryFallback?: string;
  };
  /** Present and true when the run was interrupted or timed out before every check decided. */
  readonly incomplete?: boolean;
  /** Suppressions past their expiry date that matched findings: they stopped suppressing. */
  readonly expiredSuppressions?: readonly ExpiredSuppression[];
}

export type FailOn = 'error' | 'warning' | 'never';

export function summarize(targets: readonly TargetResult[]): Summary {
  const summary: Summary = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const t of targets) for (const r of t.results) summary[r.status]++;
  return summary;
}

/**
 * The exit code of CONTRACT.md: 1 when a result is at or above `--fail-on` (a `fail` counts at its
 * check's severity, a `warn` at `warning`), else 3 when something could not be decided, else 0.
 */
export function exitCodeFor(report: AuditReport, failOn: FailOn): 0 | 1 | 3 {
  const rank = { info: 0, warning: 1, error: 2 } as const;
  if (failOn !== 'never') {
    const threshold = rank[failOn];
    for (const t of report.targets) {
      for (const r of t.results) {
        const level = r.status === 'fail' ? rank[r.severity] : r.status === 'warn' ? rank.warning : -1;
        if (level >= threshold) return 1;
      }
    }
  }
  if (report.incomplete || report.targets.some((t) => t.results.some((r) => r.status === 'error'))) return 3;
  return 0;
}
