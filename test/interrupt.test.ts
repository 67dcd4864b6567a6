/** Ctrl-C stops the requests, reports what was decided marked incomplete (exit 3), and leaves no lock. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorlds, healthyPrivate, ids } from '../mocks/worlds/generate.js';
import { packageRoot } from '../src/base/paths.js';

const bin = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

/** Longer than any test may run: an answer that never comes, so finishing at all proves nothing waited for it. */
const NEVER_MS = 600_000;

interface Output {
  stdout: string;
  stderr: string;
}

/** The Azure SDK's own log line (AZURE_LOG_LEVEL=info) for a request it sends, to a path (query left out) matching `path`. */
function sdkSends(path: RegExp): (o: Output) => boolean {
  return (o) =>
    o.stderr.split('\n').some((line) => {
      // The closing `?` or `"` must be there: a line cut between two chunks is not yet the request.
      const url = /^\s*"url": "https:\/\/[^/"]+([^"?]*)[?"]/.exec(line);
      return url !== null && path.test(url[1]!);
    });
}

/**
 * Spawns the CLI and sends SIGINT on an event, never on a clock: as soon as its output satisfies
 * `ready`. `atSignal` looks at the world at that moment (before the signal goes).
 */
function runAndInterrupt(
  args: string[],
  env: Record<string, string>,
  ready: (o: Output) => boolean,
  atSignal: () => Promise<unknown> = () => Promise.resolve(undefined),
): Promise<{ code: number | null; stdout: string; stderr: string; signalled: boolean; seen: unknown; before: Output }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    const out: Output = { stdout: '', stderr: '' };
    let signalled = false;
    let before: Output = { stdout: '', stderr: '' };
    let seen: Promise<unknown> = Promise.resolve(undefined);
    const onData = (): void => {
      if (signalled || !ready(out)) return;
      signalled = true;
      before = { ...out };
      seen = atSignal().finally(() => child.kill('SIGINT'));
    };
    child.stdout.on('data', (d: Buffer) => {
      out.stdout += d.toString();
      onData();
    });
    child.stderr.on('data', (d: Buffer) => {
      out.stderr += d.toString();
      onData();
    });
    child.on('close', (code) => {
      void seen.then((v) => {
        resolve({ code, ...out, signalled, seen: v, before });
      });
    });
  });
}

describe('Ctrl-C', () => {
  it('an audit reports what it decided, marked incomplete, exit 3, without waiting for slow answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-int-'));
    const world = healthyPrivate();
    // The NSG answer never comes: the NSG check is still waiting when Ctrl-C comes.
    world.faults = [{ match: 'GET .*/networkSecurityGroups/.*', latencyMs: NEVER_MS }];
    const file = join(dir, 'slow.json');
    await writeFile(file, JSON.stringify(world));
    // Ctrl-C once the child says it decided the key check (--progress: a line per decided check).
    const r = await runAndInterrupt(['audit', '--mock', file, '--format', 'json', '--progress'], {}, (o) =>
      /checks done \(mlw-mlops-prod-weu: workspace-keys-in-sync \w+\)/.test(o.stderr),
    );
    expect(r.signalled).toBe(true);
    expect(r.before.stderr).toMatch(/: workspace-keys-in-sync pass\)/);
    expect(r.before.stderr).not.toMatch(/: nsg-outbound-service-tags /);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('interrupted; finishing with what was decided so far');
    const report = JSON.parse(r.stdout);
    expect(report.incomplete).toBe(true);
    const byId = Object.fromEntries(report.targets[0].results.map((x: { checkId: string; status: string }) => [x.checkId, x]));
    expect(byId['nsg-outbound-service-tags'].status).toBe('error');
    expect(byId['nsg-outbound-service-tags'].reason).toMatch(/interrupted/);
    expect(byId['workspace-keys-in-sync'].status).toBe('pass');
  }, 60_000);

  it('Ctrl-C during the Resource Graph query: exit 3, every result marked not run, no fall-back line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-int-'));
    const world = healthyPrivate();
    world.faults = [{ match: '^POST /providers/Microsoft\\.ResourceGraph/resources$', latencyMs: NEVER_MS }];
    const file = join(dir, 'slow-graph.json');
    await writeFile(file, JSON.stringify(world));
    // Ctrl-C once the SDK says it sends the query.
    const r = await runAndInterrupt(
      ['audit', '--mock', file, '--format', 'json', '--inventory', 'resource-graph'],
      { AZURE_LOG_LEVEL: 'info' },
      sdkSends(/^\/providers\/Microsoft\.ResourceGraph\/resources$/),
    );
    expect(r.signalled).toBe(true);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/Resource Graph inventory unavailable/);
    const report = JSON.parse(r.stdout);
    expect(report.incomplete).toBe(true);
    for (const x of report.targets[0].results) expect(x.reason, x.checkId).toMatch(/interrupted/);
  }, 60_000);

  it('an interrupted resync releases its lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-int-'));
    const cache = join(dir, 'cache');
    const world = buildWorlds()['keys-storage-rotated']!;
    // The resync operation never completes: its poll is never answered.
    world.faults = [{ match: 'GET .*/workspaceOperationsStatus/.*', latencyMs: NEVER_MS }];
    const file = join(dir, 'slow-resync.json');
    await writeFile(file, JSON.stringify(world));
    const polling = sdkSends(/\/workspaceOperationsStatus\//);
    // Ctrl-C once the child said it runs resyncKeys (it holds the lock) and the SDK polls the operation.
    const r = await runAndInterrupt(
      ['resync', '--workspace', ids.workspace, '--mock', file, '--yes'],
      { AML_PREFLIGHT_CACHE_DIR: cache, AZURE_LOG_LEVEL: 'info' },
      (o) => o.stdout.includes('running resyncKeys') && polling(o),
      () => readdir(cache),
    );
    expect(r.signalled).toBe(true);
    // The lock was held when the signal went, so its absence below is the interrupt's doing.
    expect((r.seen as string[]).filter((f) => f.endsWith('.lock'))).toHaveLength(1);
    expect(r.code).toBe(3);
    expect((await readdir(cache)).filter((f) => f.endsWith('.lock'))).toEqual([]);
  }, 60_000);
});
