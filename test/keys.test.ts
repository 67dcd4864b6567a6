import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RestError } from '@azure/core-rest-pipeline';
import { ids, secrets } from '../mocks/worlds/generate.js';
import { resyncIfDrifted } from '../src/keys/resync.js';
import { withKeyResync, isUnauthorized } from '../src/keys/with-key-resync.js';
import { findUnauthorizedSignature, UNAUTHORIZED_SIGNATURES } from '../src/keys/signatures.js';
import { packageRoot } from '../src/base/paths.js';
import { runCli, startHarness, worldPath, type MockHarness } from './helpers.js';

const bin = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');
const fakeJob = join(packageRoot, 'test', 'fixtures', 'fake-job.mjs');
let harness: MockHarness | undefined;
let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'aml-preflight-cache-'));
  process.env.AML_PREFLIGHT_CACHE_DIR = cacheDir;
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  delete process.env.AML_PREFLIGHT_CACHE_DIR;
});

describe('resync', () => {
  it('without --yes shows the drift and the plan, and changes nothing', async () => {
    const r = await runCli(['resync', '--workspace', ids.workspace, '--mock', worldPath('keys-storage-rotated')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'Drift: Workspace mlw-mlops-prod-weu holds a storage key for stmlopsprodweu that matches neither key1 nor key2',
    );
    expect(r.stdout).toContain('Nothing was changed; rerun with --yes to do it.');
    expect(await readdir(cacheDir)).toEqual([]);
    harness = await startHarness('keys-storage-rotated');
    const before = await resyncIfDrifted(harness.inventory, ids.workspace, { cacheDir }).then((o) => o.before.status);
    expect(before).toBe('fail');
  });

  it('--yes runs resyncKeys through the LRO and verifies the drift is gone', async () => {
    const r = await runCli([
      'resync',
      '--workspace',
      ids.workspace,
      '--mock',
      worldPath('keys-registry-rotated'),
      '--yes',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ action: 'resynced', inSync: true, before: { status: 'fail' }, after: { status: 'pass' } });
  });

  it('does nothing when nothing drifted', async () => {
    const r = await runCli(['resync', '--workspace', ids.workspace, '--mock', worldPath('healthy-private'), '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No resync needed.');
  });

  it('a 403 on listKeys exits 3 naming the action', async () => {
    const r = await runCli(['resync', '--workspace', ids.workspace, '--mock', worldPath('keys-listkeys-forbidden')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Microsoft.MachineLearningServices/workspaces/listKeys/action');
  });

  it('honours Retry-After while polling the operation', async () => {
    harness = await startHarness('keys-storage-rotated', { resyncPolls: 1, resyncRetryAfterSeconds: 1 });
    const t0 = performance.now();
    const outcome = await resyncIfDrifted(harness.inventory, ids.workspace, { cacheDir, pollIntervalInMs: 10 });
    expect(outcome).toMatchObject({ action: 'resynced', inSync: true });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('respects the cooldown: drift that a recent resync did not cure is not resynced again', async () => {
    harness = await startHarness('keys-storage-rotated');
    await writeFile(join(cacheDir, 'resync-x.json'), '{}');
    const first = await resyncIfDrifted(harness.inventory, ids.workspace, { cacheDir });
    expect(first.action).toBe('resynced');
    // Rotate again behind the workspace's back: the drift is back within the cooldown.
    const body = harness.server.handler.world.responses[`POST ${ids.storage}/listKeys`]!.body as { keys: { value: string }[] };
    body.keys[0]!.value = 'rotated-again-'.padEnd(88, 'x');
    body.keys[1]!.value = 'rotated-again-2'.padEnd(88, 'y');
    harness.inventory.forgetKeys();
    const second = await resyncIfDrifted(harness.inventory, ids.workspace, { cacheDir, cooldownInMs: 60_000 });
    expect(second).toMatchObject({ action: 'cooldown', inSync: false });
    expect(harness.server.handler.resyncCalls).toBe(1);
    // An explicit resync (resync --yes, audit --fix) is what the user asked for: the cooldown does not hold it off.
    const lines: string[] = [];
    const third = await resyncIfDrifted(harness.inventory, ids.workspace, {
      cacheDir,
      cooldownInMs: 3_600_000,
      explicit: true,
      onProgress: (l) => lines.push(l),
    });
    expect(third.action).toBe('resynced');
    expect(harness.server.handler.resyncCalls).toBe(2);
    expect(lines.join('\n')).toMatch(/a resync ran \d+ s ago and the keys are still drifted; running another, as asked/);
  });

  it('audit --fix within the cooldown still resyncs: the user asked for it', async () => {
    harness = await startHarness('keys-storage-rotated');
    const { lockKey } = await import('../src/keys/resync.js');
    await writeFile(
      join(cacheDir, `resync-${lockKey(harness.inventory.endpoint, ids.workspace)}.json`),
      JSON.stringify({ workspaceId: ids.workspace, lastResyncAt: Date.now() }),
    );
    const { runAudit } = await import('../src/engine/run.js');
    const { applyFixes } = await import('../src/pipeline/fix.js');
    const keys = (await import('../checks/workspace-keys-in-sync/index.js')).default;
    const report = await runAudit({ inventory: harness.inventory, checks: [keys], workspaceIds: [ids.workspace] });
    expect(report.summary.fail).toBe(1);
    const lines: string[] = [];
    // An hour of cooldown: however slow the machine, the last resync is still within it.
    const fixed = await applyFixes(report, harness.inventory, { cacheDir, cooldownInMs: 3_600_000, onProgress: (l) => lines.push(l) });
    expect(fixed.summary).toMatchObject({ fail: 0, pass: 1 });
    expect(harness.server.handler.resyncCalls).toBe(1);
    expect(lines.join('\n')).toMatch(/a resync ran \d+ s ago and the keys are still drifted; running another, as asked/);
  });

  it('the lock and cooldown are keyed by ARM endpoint and workspace: two mock worlds with one workspace id do not block each other', async () => {
    const a = await startHarness('keys-storage-rotated');
    const b = await startHarness('keys-registry-rotated');
    try {
      const first = await resyncIfDrifted(a.inventory, ids.workspace, { cacheDir, cooldownInMs: 60_000 });
      const lines: string[] = [];
      const second = await resyncIfDrifted(b.inventory, ids.workspace, {
        cacheDir,
        cooldownInMs: 60_000,
        onProgress: (l) => lines.push(l),
      });
      expect([first.action, second.action]).toEqual(['resynced', 'resynced']);
      expect(b.server.handler.resyncCalls).toBe(1);
      // Nobody held the lock: no waiting line.
      expect(lines.some((l) => l.includes('waiting for the resync lock'))).toBe(false);
      expect((await readdir(cacheDir)).filter((f) => f.startsWith('resync-') && f.endsWith('.json'))).toHaveLength(2);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('says it waits for the lock only while another process holds it', async () => {
    harness = await startHarness('keys-storage-rotated');
    const { lockKey } = await import('../src/keys/resync.js');
    const lockfile = (await import('proper-lockfile')).default;
    const file = join(cacheDir, `resync-${lockKey(harness.inventory.endpoint, ids.workspace)}.json`);
    await writeFile(file, '{}');
    const release = await lockfile.lock(file, { realpath: false });
    // Released once the waiter has said it waits: on the line itself, neither a clock nor a poll.
    let said: () => void = () => undefined;
    const saysItWaits = new Promise<void>((resolve) => {
      said = resolve;
    });
    const waiting = resyncIfDrifted(harness.inventory, ids.workspace, {
      cacheDir,
      onProgress: (l) => {
        if (l.includes('waiting for the resync lock')) said();
      },
    });
    await saysItWaits;
    await release();
    expect((await waiting).action).toBe('resynced');
  });
});

describe("the race between a 401 and another process's resync", () => {
  it('a 401 from before another process resynced is "reused" and worth a rerun; a 401 after it is not', async () => {
    harness = await startHarness('keys-storage-rotated');
    const failedAt = Date.now();
    // Another process resyncs first.
    const other = await resyncIfDrifted(harness.inventory, ids.workspace, { cacheDir });
    expect(other.action).toBe('resynced');
    // This process checks afterwards, with a fresh view: no drift left.
    const { Inventory } = await import('../src/inventory/index.js');
    const mine = new Inventory(harness.connection);
    expect(await resyncIfDrifted(mine, ids.workspace, { cacheDir, since: failedAt })).toMatchObject({ action: 'reused', inSync: true });
    expect(await resyncIfDrifted(mine, ids.workspace, { cacheDir, since: Date.now() + 1000 })).toMatchObject({ action: 'none-needed' });
    expect(await resyncIfDrifted(mine, ids.workspace, { cacheDir })).toMatchObject({ action: 'none-needed' });
    expect(harness.server.handler.resyncCalls).toBe(1);
    mine.dispose();
  });
});

describe('audit --fix', () => {
  it('turns a drift world green through the mock resyncKeys and reports the verified verdict', async () => {
    const plain = await runCli(['audit', '--mock', worldPath('keys-storage-rotated')]);
    expect(plain.code).toBe(1);
    const fixed = await runCli(['audit', '--mock', worldPath('keys-storage-rotated'), '--fix']);
    expect(fixed.code).toBe(0);
    const keys = JSON.parse(fixed.stdout).targets[0].results.find((r: { checkId: string }) => r.checkId === 'workspace-keys-in-sync');
    expect(keys.status).toBe('pass');
    expect(keys.notes).toContain('fixed by --fix: resyncKeys ran; the keys were read again and are in sync');
  });
});

describe('401 signatures', () => {
  it.each([
    [
      'Unauthorized error encountered while attempting to connect to the container registry. Please try running resync keys on your workspace and retry.',
      'aml-registry-resync',
    ],
    [
      'Error response from daemon: Head "https://crmlopsprodweu.azurecr.io/v2/x/manifests/1": unauthorized: authentication required',
      'docker-unauthorized',
    ],
    ['<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.', 'storage-authentication-failed'],
    [
      'This request is not authorized: Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly',
      'storage-server-failed-to-authenticate',
    ],
  ])('%s → %s', (text, id) => {
    expect(findUnauthorizedSignature(text)?.id).toBe(id);
  });
  it('ignores other failures', () => {
    expect(findUnauthorizedSignature('ModuleNotFoundError: No module named torch\nexit 1')).toBeUndefined();
    expect(UNAUTHORIZED_SIGNATURES.every((s) => s.seenIn.length > 10)).toBe(true);
  });
});

describe('withKeyResync', () => {
  it('resyncs after a RestError 401 and runs the function again', async () => {
    harness = await startHarness('keys-storage-rotated');
    let calls = 0;
    const result = await withKeyResync(
      ids.workspace,
      () => {
        calls++;
        if (calls === 1) return Promise.reject(new RestError('Unauthorized', { statusCode: 401 }));
        return Promise.resolve('trained');
      },
      { inventory: harness.inventory, cacheDir },
    );
    expect(result).toBe('trained');
    expect(calls).toBe(2);
    expect(harness.server.handler.resyncCalls).toBe(1);
  });

  it('rethrows other errors untouched, and a 401 when nothing drifted', async () => {
    harness = await startHarness('healthy-private');
    const boom = new Error('boom');
    await expect(withKeyResync(ids.workspace, async () => Promise.reject(boom), { inventory: harness.inventory, cacheDir })).rejects.toBe(
      boom,
    );
    const unauthorized = new RestError('Unauthorized', { statusCode: 401 });
    await expect(
      withKeyResync(ids.workspace, async () => Promise.reject(unauthorized), { inventory: harness.inventory, cacheDir }),
    ).rejects.toBe(unauthorized);
    expect(harness.server.handler.resyncCalls).toBe(0);
    expect(isUnauthorized({ statusCode: 403 })).toBe(false);
  });
});

interface Proc {
  code: number;
  stdout: string;
  stderr: string;
}
function runBin(args: string[], env: Record<string, string>): Promise<Proc> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('exec (real processes against one mock)', () => {
  async function setup(world: string) {
    harness = await startHarness(world);
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-exec-'));
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, harness.server.ca);
    return {
      NODE_EXTRA_CA_CERTS: caFile,
      AML_PREFLIGHT_CACHE_DIR: cacheDir,
      FAKE_JOB_ENDPOINT: harness.server.url,
      FAKE_JOB_WORKSPACE: ids.workspace,
      FAKE_JOB_STORAGE: ids.storage,
    };
  }
  const args = () => ['exec', '--workspace', ids.workspace, '--endpoint', harness!.server.url, '--', process.execPath, fakeJob];

  it('reruns a job that failed with the 401 signature after resyncing, and exits with its code', async () => {
    const env = await setup('keys-storage-rotated');
    const r = await runBin(args(), env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Unauthorized error encountered while attempting to connect to the container registry');
    expect(r.stderr).toContain('aml-preflight: the command failed with a registry 401 (aml-registry-resync)');
    expect(r.stdout).toContain('job finished');
    expect(harness!.server.handler.resyncCalls).toBe(1);
  });

  it("passes a failing job's exit code through when the keys are in sync", async () => {
    const env = await setup('healthy-private');
    const r = await runBin(
      [
        'exec',
        '--workspace',
        ids.workspace,
        '--endpoint',
        harness!.server.url,
        '--',
        process.execPath,
        '-e',
        'console.error("unauthorized: authentication required"); process.exit(7)',
      ],
      env,
    );
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('the workspace keys are in sync, so a resync would not help; not rerunning');
    expect(harness!.server.handler.resyncCalls).toBe(0);
  });

  it('ten concurrent jobs hitting the 401 cause exactly one resyncKeys', async () => {
    const env = await setup('keys-storage-rotated');
    const runs = await Promise.all(Array.from({ length: 10 }, () => runBin(args(), env)));
    expect(
      runs.map((r) => r.code),
      runs.map((r) => r.stderr).join('\n---\n'),
    ).toEqual(Array(10).fill(0));
    expect(harness!.server.handler.resyncCalls).toBe(1);
    expect(runs.filter((r) => r.stderr.includes('another run resynced the keys')).length).toBeGreaterThanOrEqual(1);
    expect(runs.every((r) => r.stdout.includes('job finished'))).toBe(true);
    // No lock is left behind.
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.lock'))).toEqual([]);
    for (const r of runs) for (const s of Object.values(secrets)) expect(r.stdout + r.stderr).not.toContain(s);
  }, 60_000);
});
