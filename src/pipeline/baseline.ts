/**
 * `--baseline <previous report.json>`: "what is new since the last run". Each finding of this run
 * is `new` or `unchanged` by its fingerprint (per workspace); the baseline's findings this run no
 * longer has are listed as `absent`. With a baseline, `--fail-on` counts only `new` findings.
 */
import { UsageError } from '../base/errors.js';
import type { AbsentFinding, AuditReport, Finding } from '../base/results.js';
import { compareFindings } from './compare.js';
import { readReport } from './merge.js';
import { VERSION } from '../base/version.js';

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

/** The report with every finding marked `new` or `unchanged`, and the baseline's gone findings listed. */
export function compareWithBaseline(report: AuditReport, baseline: AuditReport, file: string): AuditReport {
  const c = compareFindings(report, baseline, (f, known) => ({ ...f, baselineState: known ? 'unchanged' : 'new' }));
  const absent = c.gone.map((g): AbsentFinding => ({ ...g, baselineState: 'absent' }));
  return { ...report, targets: c.targets, baseline: { file, new: c.fresh, unchanged: c.unchanged, absent } };
}
