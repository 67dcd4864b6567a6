/**
 * Findings of one report against another's, by workspace and fingerprint: the comparison behind
 * `--baseline` (new, unchanged, absent) and `--what-if` (introduced, unchanged, fixed).
 */
import { idKey } from '../base/resource-id.js';
import type { AuditReport, Finding, TargetResult } from '../base/results.js';

/** A finding of the earlier report that the later one no longer has. */
export interface GoneFinding {
  readonly workspaceId: string;
  readonly checkId: string;
  readonly message: string;
  readonly resourceId: string;
  readonly fingerprint: string;
}

export interface FindingComparison {
  /** `current`'s targets, each finding passed through `mark` with whether `earlier` had it. */
  readonly targets: TargetResult[];
  readonly fresh: number;
  readonly unchanged: number;
  readonly gone: GoneFinding[];
}

const key = (workspaceId: string, fingerprint: string): string => `${idKey(workspaceId)} ${fingerprint}`;

export function compareFindings(
  current: AuditReport,
  earlier: AuditReport,
  mark: (f: Finding, known: boolean) => Finding,
): FindingComparison {
  const before = new Map<string, GoneFinding>();
  for (const t of earlier.targets) {
    for (const r of t.results) {
      for (const f of r.findings) {
        before.set(key(t.workspaceId, f.fingerprint), {
          workspaceId: t.workspaceId,
          checkId: r.checkId,
          message: f.message,
          resourceId: f.resourceId,
          fingerprint: f.fingerprint,
        });
      }
    }
  }
  const seen = new Set<string>();
  let fresh = 0;
  let unchanged = 0;
  const targets: TargetResult[] = current.targets.map((t) => ({
    ...t,
    results: t.results.map((r) =>
      r.findings.length === 0
        ? r
        : {
            ...r,
            findings: r.findings.map((f) => {
              const k = key(t.workspaceId, f.fingerprint);
              const known = before.has(k);
              seen.add(k);
              if (known) unchanged++;
              else fresh++;
              return mark(f, known);
            }),
          },
    ),
  }));
  return { targets, fresh, unchanged, gone: [...before].filter(([k]) => !seen.has(k)).map(([, f]) => f) };
}
