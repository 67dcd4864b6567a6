/**
 * `audit --fix`: apply the fixes checks offer and report the verified, post-fix verdict. Nothing is
 * changed without --fix. Two checks offer one:
 * - `managed-network-outbound`, a managed network that is not provisioned → `provisionManagedNetwork`
 *   (a long-running operation, waited for), then every check of that workspace is read again;
 * - `workspace-keys-in-sync` → resync the keys, then read them again.
 */
import type { Inventory } from '../inventory/index.js';
import { resyncIfDrifted, type ResyncOptions } from '../keys/resync.js';
import { forgetNetworkModels } from '../network/gather/model.js';
import { nameOf } from '../network/exposure.js';
import { summarize, type AuditReport, type CheckResult, type TargetResult } from '../report/types.js';

const KEYS = 'workspace-keys-in-sync';
const MANAGED = 'managed-network-outbound';

export interface FixOptions extends ResyncOptions {
  /** Runs every selected check of a workspace again (after a fix changed what they read). */
  rerun?: (workspaceId: string) => Promise<readonly CheckResult[]>;
}

/** Provisions an unprovisioned managed network, then reruns the workspace's checks; answers the results to report. */
async function provisionIfNeeded(target: TargetResult, inventory: Inventory, options: FixOptions): Promise<readonly CheckResult[]> {
  const result = target.results.find((r) => r.checkId === MANAGED && r.status === 'fail');
  const finding = result?.findings.find((f) => f.evidence.fixable === 'provisionManagedNetwork');
  if (!result || !finding || !options.rerun) return target.results;
  const owner = typeof finding.evidence.managedNetworkOwner === 'string' ? finding.evidence.managedNetworkOwner : target.workspaceId;
  options.onProgress?.(`provisioning the managed network of ${nameOf(owner)} (provisionManagedNetwork); this can take minutes`);
  try {
    const status = await inventory.provisionManagedNetwork(owner, {
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      ...(options.pollIntervalInMs !== undefined ? { pollIntervalInMs: options.pollIntervalInMs } : {}),
    });
    forgetNetworkModels(inventory);
    const after = await options.rerun(target.workspaceId);
    const note = `fixed by --fix: provisionManagedNetwork ran (status ${status.status ?? 'unknown'}); every check of the workspace was read again`;
    return after.map((r) => (r.checkId === MANAGED ? { ...r, notes: [...(r.notes ?? []), note] } : r));
  } catch (err) {
    const note = `--fix could not provision the managed network: ${(err as Error).message}`;
    return target.results.map((r) => (r === result ? { ...r, notes: [...(r.notes ?? []), note] } : r));
  }
}

export async function applyFixes(report: AuditReport, inventory: Inventory, options: FixOptions = {}): Promise<AuditReport> {
  const targets: TargetResult[] = [];
  for (const target of report.targets) {
    const results: CheckResult[] = [];
    for (const r of await provisionIfNeeded(target, inventory, options)) {
      if (r.checkId !== KEYS || r.status !== 'fail') {
        results.push(r);
        continue;
      }
      const outcome = await resyncIfDrifted(inventory, target.workspaceId, { ...options, explicit: true });
      const note = outcome.inSync
        ? `fixed by --fix: resyncKeys ${outcome.action === 'reused' ? 'was run by another process' : 'ran'}; the keys were read again and are in sync`
        : `--fix could not fix it (${outcome.action}); the verdict is the one read after the attempt`;
      results.push({ ...outcome.after, notes: [...(outcome.after.notes ?? []), note] });
    }
    targets.push({ workspaceId: target.workspaceId, results });
  }
  return { ...report, targets, summary: summarize(targets), stats: { ...report.stats, armRequests: inventory.requestCount } };
}
