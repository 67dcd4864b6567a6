/**
 * `--baseline <previous report.json>`: "what is new since the last run". Each finding of this run
 * is `new` or `unchanged` by its fingerprint (per workspace); the baseline's findings this run no
 * longer has are listed as `absent`. With a baseline, `--fail-on` counts only `new` findings.
 */
import { UsageError } from './base/errors.js';
import { idKey } from './base/resource-id.js';
import type { AbsentFinding, AuditReport, Finding, TargetResult } from './base/results.js';
import { readReport } from './merge.js';
import { VERSION } from './version.js';

/** Reads a baseline: an aml-preflight JSON report of this very version, whose findings carry fingerprints. */
export async function readBaseline(file: string): Promise<AuditReport> {
  const report = await readReport(file, '--baseline takes a report written with --format json');
  if (report.tool.version !== VERSION) {
    throw new UsageError(
      `--baseline ${file} was written by aml-preflight ${report.tool.version}, this is ${VERSION}: fingerprints are only compared within one version; write a new baseline with this one`,
    );
  }
  for (const t of report.targets) {
    for (const r of t.results) {
      for (const f of r.findings as readonly Partial<Finding>[]) {
        if (typeof f.fingerprint !== 'string' || f.fingerprint === '') {
          throw new UsageError(`--baseline ${file}: a finding of ${r.checkId} has no fingerprint; write a new baseline with this version`);
        }
      }
    }
  }
  return report;
}

const key = (workspaceId: string, fingerprint: string): string => `${idKey(workspaceId)} ${fingerprint}`;

/** The report with every finding marked `new` or `unchanged`, and the baseline's gone findings listed. */
export function compareWithBaseline(report: AuditReport, baseline: AuditReport, file: string): AuditReport {
  const before = new Map<string, AbsentFinding>();
  for (const t of baseline.targets) {
    for (const r of t.results) {
      for (const f of r.findings) {
        before.set(key(t.workspaceId, f.fingerprint), {
          workspaceId: t.workspaceId,
          checkId: r.checkId,
          message: f.message,
          resourceId: f.resourceId,
          fingerprint: f.fingerprint,
          baselineState: 'absent',
        });
      }
    }
  }
  const seen = new Set<string>();
  let fresh = 0;
  let unchanged = 0;
  const targets: TargetResult[] = report.targets.map((t) => ({
    ...t,
    results: t.results.map((r) =>
      r.findings.length === 0
        ? r
        : {
            ...r,
            findings: r.findings.map((f): Finding => {
              const k = key(t.workspaceId, f.fingerprint);
              seen.add(k);
              if (before.has(k)) unchanged++;
              else fresh++;
              return { ...f, baselineState: before.has(k) ? 'unchanged' : 'new' };
            }),
          },
    ),
  }));
  const absent = [...before].filter(([k]) => !seen.has(k)).map(([, f]) => f);
  return { ...report, targets, baseline: { file, new: fresh, unchanged, absent } };
}
