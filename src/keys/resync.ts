/**
 * Guarded key resync. When ten CI jobs hit a 401 at once, one resync runs: each caller takes a
 * file lock per ARM endpoint and workspace in the user's cache directory (proper-lockfile), checks
 * the drift again once it holds the lock (someone else may have fixed it meanwhile), and, when the
 * resync is automatic (`exec`, `withKeyResync`), respects a short cooldown after the last resync.
 * Then it runs the workspace's `resyncKeys` long-running operation and reads the keys again to verify.
 *
 * The lock and cooldown are keyed by ARM endpoint and workspace: a mock run (its own loopback origin)
 * never holds off a real resync of the workspace with the same id, nor another mock run.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import workspaceKeysInSync from '../../checks/workspace-keys-in-sync/index.js';
import { defaultCacheDir } from '../base/cache-dir.js';
import { idKey } from '../base/resource-id.js';
import { runAudit } from '../engine/run.js';
import type { Inventory } from '../inventory/index.js';
import type { CheckResult } from '../base/results.js';

export interface ResyncOptions {
  /** Where locks and the last-resync state live. Default: $AML_PREFLIGHT_CACHE_DIR, $XDG_CACHE_HOME/aml-preflight, ~/.cache/aml-preflight. */
  cacheDir?: string;
  /** After a resync, others do not resync the same workspace again for this long. Default 120 s. */
  cooldownInMs?: number;
  /** The whole resync, lock wait and polling included. Default 15 min. */
  timeoutInMs?: number;
  /** Between polls of the operation when ARM sends no Retry-After. Default 2 s. */
  pollIntervalInMs?: number;
  abortSignal?: AbortSignal;
  /** Called with what happens, for progress lines. */
  onProgress?: (line: string) => void;
  /**
   * When the caller's 401 happened (epoch ms; exec passes the start of the failed run). If no drift
   * is left but a resync completed since then, another process fixed what caused the 401: the
   * outcome is `reused`, not `none-needed`.
   */
  since?: number;
  /**
   * The user asked for this resync (`resync --yes`, `audit --fix`): the cooldown, which exists to
   * stop automatic resyncs from repeating, does not hold it off. Default false (automatic).
   */
  explicit?: boolean;
}

export type ResyncAction =
  /** There was no drift: nothing to do. */
  | 'none-needed'
  /** This caller ran resyncKeys. */
  | 'resynced'
  /** Another caller fixed the drift while this one waited for the lock. */
  | 'reused'
  /** Drift remains but a resync ran within the cooldown: not run again. */
  | 'cooldown';

export interface ResyncOutcome {
  readonly action: ResyncAction;
  readonly before: CheckResult;
  readonly after: CheckResult;
  /** Whether the keys are in sync now (verified by reading them again). */
  readonly inSync: boolean;
}

/** The key check's verdict, read fresh. */
export async function checkKeys(inventory: Inventory, workspaceId: string, abortSignal?: AbortSignal): Promise<CheckResult> {
  const report = await runAudit({
    inventory,
    checks: [workspaceKeysInSync],
    workspaceIds: [workspaceId],
    ...(abortSignal ? { abortSignal } : {}),
  });
  return report.targets[0]!.results[0]!;
}

interface LockState {
  workspaceId: string;
  lastResyncAt?: number;
}

/** Detects drift and, when there is some, resyncs under the workspace lock and verifies. */
export async function resyncIfDrifted(inventory: Inventory, workspaceId: string, options: ResyncOptions = {}): Promise<ResyncOutcome> {
  const say = options.onProgress ?? (() => undefined);
  const timeout = AbortSignal.timeout(options.timeoutInMs ?? 15 * 60_000);
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout;
  const before = await checkKeys(inventory, workspaceId, signal);
  const dir = options.cacheDir ?? defaultCacheDir();
  const key = lockKey(inventory.endpoint, workspaceId);
  const stateFile = join(dir, `resync-${key}.json`);
  if (before.status !== 'fail') {
    // No drift now. If a resync finished after the caller's 401, that resync is what fixed it.
    const last = options.since !== undefined ? (await readState(stateFile, workspaceId)).lastResyncAt : undefined;
    if (last !== undefined && last >= options.since! && before.status === 'pass') {
      say('the drift is gone: another run resynced the keys after this one failed');
      return { action: 'reused', before, after: before, inSync: true };
    }
    return { action: 'none-needed', before, after: before, inSync: before.status === 'pass' };
  }

  await mkdir(dir, { recursive: true });
  const release = await acquire(stateFile, options.timeoutInMs ?? 15 * 60_000, () => {
    say(`waiting for the resync lock of ${workspaceId} (another run holds it)`);
  });
  try {
    inventory.forgetKeys();
    const recheck = await checkKeys(inventory, workspaceId, signal);
    if (recheck.status !== 'fail') {
      say('the drift is gone: another run resynced the keys while this one waited');
      return { action: 'reused', before, after: recheck, inSync: recheck.status === 'pass' };
    }
    const state = await readState(stateFile, workspaceId);
    const cooldown = options.cooldownInMs ?? 120_000;
    if (state.lastResyncAt !== undefined && Date.now() - state.lastResyncAt < cooldown) {
      const ago = Math.round((Date.now() - state.lastResyncAt) / 1000);
      if (!options.explicit) {
        say(`a resync ran ${ago} s ago; not running another within the ${Math.round(cooldown / 1000)} s cooldown`);
        return { action: 'cooldown', before, after: recheck, inSync: false };
      }
      say(`a resync ran ${ago} s ago and the keys are still drifted; running another, as asked`);
    }
    say(`running resyncKeys on ${workspaceId} (a long-running operation)`);
    await inventory.resyncKeys(workspaceId, {
      abortSignal: signal,
      ...(options.pollIntervalInMs !== undefined ? { pollIntervalInMs: options.pollIntervalInMs } : {}),
    });
    await writeFile(stateFile, `${JSON.stringify({ workspaceId, lastResyncAt: Date.now() } satisfies LockState)}\n`);
    const after = await checkKeys(inventory, workspaceId, signal);
    say(after.status === 'pass' ? 'verified: the workspace holds the current keys' : `after the resync the key check says ${after.status}`);
    return { action: 'resynced', before, after, inSync: after.status === 'pass' };
  } finally {
    await release();
  }
}

/** The lock and state file name of a workspace on an ARM endpoint (case-insensitive ids, origin as given). */
export function lockKey(endpoint: string, workspaceId: string): string {
  return createHash('sha256')
    .update(`${endpoint.toLowerCase()} ${idKey(workspaceId)}`)
    .digest('hex')
    .slice(0, 24);
}

/** Takes the lock; says it waits only when another process holds it. */
async function acquire(file: string, maxWaitInMs: number, onWait: () => void): Promise<() => Promise<void>> {
  const options = { realpath: false, stale: 30_000 };
  try {
    return await lockfile.lock(file, { ...options, retries: 0 });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
  }
  onWait();
  return lockfile.lock(file, {
    ...options,
    retries: { retries: 10_000, factor: 1.3, minTimeout: 50, maxTimeout: 1000, maxRetryTime: maxWaitInMs },
  });
}

async function readState(file: string, workspaceId: string): Promise<LockState> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as LockState;
    return typeof data.lastResyncAt === 'number' ? data : { workspaceId };
  } catch {
    return { workspaceId };
  }
}
