/**
 * The audit as a library call (`audit` from the package), in-process against the mock over HTTPS:
 * what a platform team's scheduled audit or a portal does without the CLI.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, UsageError, whatIfSource, type AuditReport } from '../src/index.js';
import { ids, RG, SUB } from '../mocks/worlds/generate.js';
import { DEPLOYMENT, whatIfCases } from '../mocks/worlds/what-if.js';
import { startHarness, type MockHarness } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aml-preflight-pipeline-'));
});

describe('audit() from code', () => {
  let h: MockHarness;
  beforeAll(async () => {
    h = await startHarness('nsg-deny-before-allow');
  });
  afterAll(() => h.close());

  it('audits every workspace of a subscription, writes each output and says the exit code', async () => {
    const notes: string[] = [];
    let started: { workspaces: number; checks: number } | undefined;
    const decided: string[] = [];
    const r = await audit({
      connection: h.connection,
      targets: { subscriptions: [SUB] },
      outputs: [
        { format: 'json', file: join(dir, 'nightly.json') },
        { format: 'sarif', file: join(dir, 'nightly.sarif') },
      ],
      onStart: (info) => {
        started = info;
      },
      onResult: (_ws, result) => decided.push(result.checkId),
      onNote: (line) => notes.push(line),
    });
    expect(r.exitCode).toBe(1);
    expect(r.failOn).toBe('error');
    expect(r.report.scope?.subscriptions).toEqual([SUB]);
    expect(r.report.targets.map((t) => t.workspaceId.toLowerCase())).toEqual([ids.workspace.toLowerCase()]);
    const nsg = r.report.targets[0]!.results.find((x) => x.checkId === 'nsg-outbound-service-tags')!;
    expect(nsg.status).toBe('fail');
    // The callbacks saw what the report holds.
    expect(started).toEqual({ workspaces: 1, checks: r.checks.length });
    expect(decided.sort()).toEqual(r.report.targets[0]!.results.map((x) => x.checkId).sort());
    expect(notes).toEqual([]);
    const written = JSON.parse(await readFile(join(dir, 'nightly.json'), 'utf8')) as AuditReport;
    expect(written.summary).toEqual(r.report.summary);
    const sarif = JSON.parse(await readFile(join(dir, 'nightly.sarif'), 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toContain('nsg-outbound-service-tags');
    // Atomic writes leave no temporary file behind.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a baseline of the same state counts nothing new: exit 0, every finding unchanged', async () => {
    const first = await audit({ connection: h.connection, targets: { workspaces: [ids.workspace] } });
    expect(first.exitCode).toBe(1);
    const file = join(dir, 'baseline.json');
    await audit({ connection: h.connection, targets: { workspaces: [ids.workspace] }, outputs: [{ format: 'json', file }] });
    const next = await audit({ connection: h.connection, targets: { workspaces: [ids.workspace] }, baseline: file });
    expect(next.exitCode).toBe(0);
    const states = next.report.targets.flatMap((t) => t.results.flatMap((x) => x.findings.map((f) => f.baselineState)));
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['unchanged']));
  });

  it('checks, skips and failOn select as the CLI flags do; an unknown check is a UsageError before any ARM call', async () => {
    const r = await audit({
      connection: h.connection,
      targets: { workspaces: [ids.workspace] },
      checks: ['nsg-outbound-service-tags', 'same-vnet-placement'],
      failOn: 'never',
    });
    expect(r.checks.map((c) => c.id)).toEqual(['nsg-outbound-service-tags', 'same-vnet-placement']);
    expect(r.exitCode).toBe(0);
    let connected = false;
    const bad = audit({
      connection: () => {
        connected = true;
        return Promise.resolve(h.connection);
      },
      targets: { workspaces: [ids.workspace] },
      checks: ['no-such-check'],
    });
    await expect(bad).rejects.toBeInstanceOf(UsageError);
    expect(connected).toBe(false);
  });

  it('a planned state does not combine with fix or a baseline', async () => {
    const c = whatIfCases()[0]!;
    const planned = whatIfSource({
      request: {
        scope: { kind: 'resourceGroup', subscriptionId: SUB, resourceGroup: RG },
        deploymentName: DEPLOYMENT,
        template: c.template,
      },
      templateFile: 'main.json',
    });
    await expect(audit({ connection: h.connection, targets: {}, planned, fix: true })).rejects.toThrow(/does not combine with fix/);
  });
});

describe('audit() with a planned state', () => {
  it('what-if: a deny above the MCR allow is introduced and fails the run, as the CLI reports it', async () => {
    const c = whatIfCases().find((x) => x.name === 'whatif-deny-above-mcr')!;
    const h = await startHarness(c.world);
    try {
      const r = await audit({
        connection: h.connection,
        targets: {},
        checks: ['nsg-outbound-service-tags', 'same-vnet-placement'],
        planned: whatIfSource({
          request: {
            scope: { kind: 'resourceGroup', subscriptionId: SUB, resourceGroup: RG },
            deploymentName: DEPLOYMENT,
            template: c.template,
          },
          templateFile: 'main.json',
        }),
      });
      expect(r.exitCode).toBe(1);
      expect(r.report.targets[0]!.results.map((x) => x.checkId)).toEqual(['nsg-outbound-service-tags', 'same-vnet-placement']);
      expect(r.report.whatIf).toMatchObject({
        deployment: DEPLOYMENT,
        template: 'main.json',
        changes: { Create: 1 },
        introduced: 2,
        unchanged: 0,
      });
      const nsg = r.report.targets[0]!.results.find((x) => x.checkId === 'nsg-outbound-service-tags')!;
      expect([nsg.liveStatus, nsg.status]).toEqual(['pass', 'fail']);
      expect(nsg.findings.map((f) => f.deploymentState)).toEqual(['introduced', 'introduced']);
    } finally {
      await h.close();
    }
  });
});
