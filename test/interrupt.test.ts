/** Ctrl-C stops the requests, reports what was decided marked incomplete (exit 3), and leaves no lock. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorlds, healthyPrivate, ids } from '../mocks/worlds/generate.js';
import { packageRoot } from '../src/paths.js';

const bin = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

function runAndInterrupt(
  args: string[],
  env: Record<string, string>,
  afterMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    setTimeout(() => child.kill('SIGINT'), afterMs);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

describe('Ctrl-C', () => {
  it('an audit reports what it decided, marked incomplete, exit 3, without waiting for slow answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-int-'));
    const world = healthyPrivate();
    // The NSG answer takes 20 s: the NSG check is still waiting when Ctrl-C comes; the others are done.
    world.faults = [{ match: 'GET .*/networkSecurityGroups/.*', latencyMs: 20_000 }];
    const file = join(dir, 'slow.json');
    await writeFile(file, JSON.stringify(world));
    const r = await runAndInterrupt(['audit', '--mock', file, '--format', 'json'], {}, 3000);
    expect(r.code).toBe(3);
    expect(r.ms).toBeLessThan(15_000);
    expect(r.stderr).toContain('interrupted; finishing with what was decided so far');
    const report = JSON.parse(r.stdout);
    expect(report.incomplete).toBe(true);
    const byId = Object.fromEntries(report.targets[0].results.map((x: { checkId: string; status: string }) => [x.checkId, x]));
    expect(byId['nsg-outbound-service-tags'].status).toBe('error');
    expect(byId['nsg-outbound-service-tags'].reason).toMatch(/interrupted/);
    expect(byId['workspace-keys-in-sync'].status).toBe('pass');
  }, 30_000);

  it('Ctrl-C during the Resource Graph query: exit 3, every result marked not run, no fall-back line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-int-'));
    const world = healthyPrivate();
    world.faults = [{ match: '^POST /providers/Microsoft\\.ResourceGraph/resources$', latencyMs: 20_000 }];
    const file = join(dir, 'slow-graph.json');
    await writeFile(file, JSON.stringify(world));
    const r = await runAndInterrupt(['audit', '--mock', file, '--format', 'json', '--inventory', 'resource-graph'], {}, 3000);
    expect(r.code).toBe(3);
    expect(r.ms).toBeLessThan(15_000);
    expect(r.stderr).not.toMatch(/Resource Graph inventory unavailable/);
    const report = JSON.parse(r.stdout);
    expect(report.incomplete).toBe(true);
    for (const x of report.targets[0].results) expect(x.reason, x.checkId).toMatch(/interrupted/);
  }, 30_000);

  it('an interrupted resync releases its lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-int-'));
    const cache = join(dir, 'cache');
    const world = buildWorlds()['keys-storage-rotated']!;
    // The resync operation never completes: every poll is slow.
    world.faults = [{ match: 'GET .*/workspaceOperationsStatus/.*', latencyMs: 20_000 }];
    const file = join(dir, 'slow-resync.json');
    await writeFile(file, JSON.stringify(world));
    const r = await runAndInterrupt(
      ['resync', '--workspace', ids.workspace, '--mock', file, '--yes'],
      { AML_PREFLIGHT_CACHE_DIR: cache },
      3000,
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('running resyncKeys');
    expect(r.ms).toBeLessThan(15_000);
    expect((await readdir(cache)).filter((f) => f.endsWith('.lock'))).toEqual([]);
  }, 30_000);
});
