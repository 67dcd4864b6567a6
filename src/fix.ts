/**
 * `audit --fix`: apply the fixes checks offer and report the verified, post-fix verdict. Today one
 * check offers one: `workspace-keys-in-sync` → resync the keys. Nothing is changed without --fix.
 */
import type { Inventory } from './inventory.js';
import { resyncIfDrifted, type ResyncOptions } from './keys/resync.js';
import { summarize, type AuditReport, type CheckResult, type TargetResult } from './report/types.js';

const KEYS = 'workspace-keys-in-sync';

export async function applyFixes(report: AuditReport, inventory: Inventory, options: ResyncOptions = {}): Promise<AuditReport> {
  const targets: TargetResult[] = [];
  for (const target of report.targets) {
    const results: CheckResult[] = [];
    for (const r of target.results) {
      if (r.checkId !== KEYS || r.status !== 'fail') {
        results.push(r);
        continue;
      }
      const outcome = await resyncIfDrifted(inventory, target.workspaceId, options);
      const note = outcome.inSync
        ? `fixed by --fix: resyncKeys ${outcome.action === 'reused' ? 'was run by another process' : 'ran'}; the keys were read again and are in sync`
        : `--fix could not fix it (${outcome.action}); the verdict is the one read after the attempt`;
      results.push({ ...outcome.after, notes: [...(outcome.after.notes ?? []), note] });
    }
    targets.push({ workspaceId: target.workspaceId, results });
  }
  return { ...report, targets, summary: summarize(targets), stats: { ...report.stats, armRequests: inventory.requestCount } };
}
