import { afterEach, describe, expect, it } from 'vitest';
import { defineCheck, formatMessage, type Check } from '../src/engine/check.js';
import { runAudit, selectChecks } from '../src/engine/run.js';
import { fingerprint } from '../src/engine/fingerprint.js';
import { exitCodeFor, type AuditReport } from '../src/report/types.js';
import { UsageError } from '../src/base/errors.js';
import { ids } from '../mocks/worlds/generate.js';
import { startHarness, type MockHarness } from './helpers.js';

let harness: MockHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const meta = (id: string, severity: 'error' | 'warning' = 'error') => ({
  id,
  title: id,
  severity,
  docs: ['https://learn.microsoft.com/'],
  reads: [],
  actions: [],
  messages: { bad: 'bad {{thing}}', meh: 'meh' },
});

const passes = defineCheck({
  meta: meta('passes'),
  async run(ctx) {
    await ctx.inventory.workspace(ctx.workspaceId, { abortSignal: ctx.abortSignal });
  },
});
const fails = defineCheck({
  meta: meta('fails'),
  run(ctx) {
    ctx.report({ messageId: 'bad', data: { thing: 'x' }, resourceId: ctx.workspaceId, evidence: { a: 1 }, remediation: 'do y' });
    return Promise.resolve(undefined);
  },
});
const warns = defineCheck({
  meta: meta('warns'),
  run(ctx) {
    ctx.report({ messageId: 'meh', resourceId: ctx.workspaceId, evidence: {}, remediation: 'r', level: 'warning' });
    return Promise.resolve(undefined);
  },
});
const skips = defineCheck({
  meta: meta('skips'),
  run(ctx) {
    return Promise.resolve(ctx.skip('not applicable here'));
  },
});
const throws = defineCheck({
  meta: meta('throws'),
  run() {
    return Promise.reject(new Error('boom\n    at somewhere (file.ts:1:1)'));
  },
});
const hangs = defineCheck({
  meta: meta('hangs'),
  run: (ctx) =>
    new Promise((_, reject) => {
      ctx.abortSignal.addEventListener('abort', () => {
        reject(new Error('aborted'));
      });
    }),
});
const reads404 = defineCheck({
  meta: meta('reads-404'),
  async run(ctx) {
    await ctx.inventory.virtualNetwork(`${ids.vnet}-gone`, { abortSignal: ctx.abortSignal });
  },
});

describe('check engine', () => {
  it('isolates every check: throws, hangs past the timeout and ARM errors become error results; the rest decide', async () => {
    harness = await startHarness('healthy-private');
    // The two ARM reads are made (and cached) before the run: the only thing left to race the
    // 1.5 s timeout is `hangs`, which never finishes. Under load a first HTTPS read can take longer.
    await harness.inventory.workspace(ids.workspace);
    await harness.inventory.virtualNetwork(`${ids.vnet}-gone`).catch(() => undefined);
    const report = await runAudit({
      inventory: harness.inventory,
      checks: [passes, fails, warns, skips, throws, hangs, reads404] as Check[],
      workspaceIds: [ids.workspace],
      checkTimeoutInMs: 1500,
    });
    const byId = Object.fromEntries(report.targets[0]!.results.map((r) => [r.checkId, r]));
    expect(Object.fromEntries(Object.entries(byId).map(([k, r]) => [k, r.status]))).toEqual({
      passes: 'pass',
      fails: 'fail',
      warns: 'warn',
      skips: 'skip',
      throws: 'error',
      hangs: 'error',
      'reads-404': 'error',
    });
    expect(byId.fails!.findings).toEqual([
      {
        message: 'bad x',
        messageId: 'bad',
        fingerprint: fingerprint('fails', ids.workspace, 'bad', { thing: 'x' }),
        resourceId: ids.workspace,
        evidence: { a: 1 },
        remediation: 'do y',
        level: 'error',
      },
    ]);
    expect(byId.skips!.reason).toBe('not applicable here');
    expect(byId.throws!.reason).toBe('the check failed unexpectedly: boom');
    expect(byId.hangs!.reason).toMatch(/did not finish within 1500 ms/);
    expect(byId['reads-404']!.reason).toMatch(/GET .*vnet-mlops-prod-weu-gone failed: 404 ResourceNotFound; the resource does not exist/);
    expect(report.summary).toEqual({ pass: 1, fail: 1, warn: 1, skip: 1, error: 3 });
    expect(report.stats.armRequests).toBe(2);
  });

  it('marks an interrupted run incomplete and keeps what was decided', async () => {
    harness = await startHarness('healthy-private');
    const controller = new AbortController();
    // Interrupted on the event: once `fails` is decided, while `hangs` still runs.
    const report = await runAudit({
      inventory: harness.inventory,
      checks: [fails, hangs] as Check[],
      workspaceIds: [ids.workspace],
      abortSignal: controller.signal,
      onResult: (_, result) => {
        if (result.checkId === 'fails') controller.abort();
      },
    });
    expect(report.incomplete).toBe(true);
    expect(report.targets[0]!.results.map((r) => r.status)).toEqual(['fail', 'error']);
    expect(report.targets[0]!.results[1]!.reason).toMatch(/interrupted/);
    expect(exitCodeFor(report, 'never')).toBe(3);
  });

  it('selects checks by --check and --skip and rejects unknown ids', () => {
    const all = [passes, fails, warns] as Check[];
    expect(selectChecks(all).map((c) => c.meta.id)).toEqual(['passes', 'fails', 'warns']);
    expect(selectChecks(all, ['warns']).map((c) => c.meta.id)).toEqual(['warns']);
    expect(selectChecks(all, [], ['fails']).map((c) => c.meta.id)).toEqual(['passes', 'warns']);
    expect(() => selectChecks(all, ['nope'])).toThrow(UsageError);
    expect(() => selectChecks(all, [], ['nope'])).toThrow(/unknown check "nope"; known checks: passes, fails, warns/);
  });

  it('fills message templates and leaves unknown placeholders visible', () => {
    expect(formatMessage('{{a}} and {{ b }} and {{c}}', { a: 1, b: 'two' })).toBe('1 and two and {{c}}');
  });
});

describe('exit codes (CONTRACT.md)', () => {
  const report = (...rs: [string, 'error' | 'warning' | 'info'][]): AuditReport => ({
    schemaVersion: 1,
    tool: { name: 'aml-preflight', version: '0' },
    targets: [
      {
        workspaceId: 'w',
        results: rs.map(([status, severity], i) => ({
          checkId: `c${i}`,
          title: '',
          status: status as any,
          severity,
          findings: [],
          durationMs: 0,
        })),
      },
    ],
    summary: { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 },
    stats: { armRequests: 0, durationMs: 0 },
  });
  it.each([
    [
      [
        ['pass', 'error'],
        ['skip', 'error'],
      ],
      'error',
      0,
    ],
    [[['fail', 'error']], 'error', 1],
    [[['fail', 'error']], 'never', 0],
    [[['warn', 'error']], 'error', 0],
    [[['warn', 'error']], 'warning', 1],
    [[['fail', 'warning']], 'error', 0],
    [[['fail', 'warning']], 'warning', 1],
    [[['error', 'error']], 'error', 3],
    [
      [
        ['error', 'error'],
        ['fail', 'error'],
      ],
      'error',
      1,
    ],
    [
      [
        ['error', 'error'],
        ['warn', 'error'],
      ],
      'error',
      3,
    ],
    [
      [
        ['error', 'error'],
        ['fail', 'error'],
      ],
      'never',
      3,
    ],
  ] as const)('%j with --fail-on %s exits %i', (results, failOn, code) => {
    expect(exitCodeFor(report(...(results as unknown as [string, 'error'][])), failOn)).toBe(code);
  });
});
