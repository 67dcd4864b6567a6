/**
 * The report's vocabulary and its two rules: the summary and the exit code of CONTRACT.md. The
 * types live in `src/base/results.ts`, the layer everything may import.
 */
import type { AuditReport, FailOn, Finding, Summary, TargetResult } from '../base/results.js';

export type {
  AbsentFinding,
  AuditReport,
  BaselineComparison,
  CheckResult,
  ExpiredSuppression,
  FailOn,
  Finding,
  FixedFinding,
  WhatIfComparison,
  Summary,
  TargetResult,
  Topology,
} from '../base/results.js';

export function summarize(targets: readonly TargetResult[]): Summary {
  const summary: Summary = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const t of targets) for (const r of t.results) summary[r.status]++;
  return summary;
}

/**
 * The exit code of CONTRACT.md: 1 when a result is at or above `--fail-on` (a `fail` counts at its
 * check's severity, a `warn` at `warning`), else 3 when something could not be decided, else 0.
 * With a baseline only `new` findings count: an error finding at the check's severity, a warning
 * finding at `warning`.
 */
export function exitCodeFor(report: AuditReport, failOn: FailOn): 0 | 1 | 3 {
  const rank = { info: 0, warning: 1, error: 2 } as const;
  if (failOn !== 'never') {
    const threshold = rank[failOn];
    for (const t of report.targets) {
      for (const r of t.results) {
        // What-if gates on what the deployment introduces; a baseline on what is new since it.
        const gated = report.whatIf
          ? (f: Finding) => f.deploymentState === 'introduced'
          : report.baseline
            ? (f: Finding) => f.baselineState === 'new'
            : undefined;
        const level = gated
          ? Math.max(
              -1,
              ...r.findings
                .filter((f) => gated(f) && !f.suppressed && (r.status === 'fail' || r.status === 'warn'))
                .map((f) => (f.level === 'error' && r.status === 'fail' ? rank[r.severity] : rank.warning)),
            )
          : r.status === 'fail'
            ? rank[r.severity]
            : r.status === 'warn'
              ? rank.warning
              : -1;
        if (level >= threshold) return 1;
      }
    }
  }
  if (report.incomplete || report.targets.some((t) => t.results.some((r) => r.status === 'error'))) return 3;
  return 0;
}
