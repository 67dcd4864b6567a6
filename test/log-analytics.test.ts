import { gzipSync } from 'node:zlib';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { AuditReport } from '../src/report/types.js';
import { parseWorld, type WorldInput } from '../src/world/schema.js';
import { createArmHandler } from '../mocks/handler.js';
import { startMockServer, type MockServer } from '../mocks/server.js';
import { buildWorlds, ids, RG, secrets, SUB } from '../mocks/worlds/generate.js';
import { whatIfCases } from '../mocks/worlds/what-if.js';
import { subscriptionWorld } from '../mocks/worlds/subscription.js';
import { fastRetries } from './helpers.js';

const DCR = 'dcr-00112233445566778899aabbccddeeff';
let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function audit(world: WorldInput, args: string[]) {
  server = await startMockServer(parseWorld(world));
  let stdout = '';
  let stderr = '';
  const code = await main(['audit', '--endpoint', server.url, '--format', 'json', '--log-analytics', server.url, '--dcr', DCR, ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: false,
    connectionOverrides: { ...fastRetries, ca: server.ca },
  });
  return { code, stdout, stderr, server };
}

const rowsOf = (s: MockServer) => s.handler.ingested.flatMap((b) => b.rows);

describe('--log-analytics', () => {
  it('sends one row per check result per workspace, matching the report, and never a secret', async () => {
    const r = await audit(buildWorlds().demo!, ['--workspace', ids.workspace]);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(r.code).toBe(1);
    const rows = rowsOf(r.server);
    expect(r.server.handler.ingested.map((b) => `${b.dcr}/${b.stream}`)).toEqual([`${DCR}/Custom-AmlPreflight_CL`]);
    const results = report.targets.flatMap((t) => t.results.map((x) => ({ t, x })));
    expect(rows).toHaveLength(results.length);
    expect(new Set(rows.map((row) => row.RunId)).size).toBe(1);
    for (const { t, x } of results) {
      const row = rows.find((w) => w.WorkspaceId === t.workspaceId && w.CheckId === x.checkId)!;
      const counted = x.findings.filter((f) => !f.suppressed);
      expect(row).toMatchObject({
        Workspace: 'mlw-mlops-prod-weu',
        Status: x.status,
        Severity: x.severity,
        FindingCount: counted.length,
        NewFindingCount: null,
        Fingerprints: counted.map((f) => f.fingerprint),
        FirstMessage: counted[0]?.message ?? x.reason ?? '',
        ToolVersion: report.tool.version,
      });
      expect(Date.parse(String(row.TimeGenerated))).not.toBeNaN();
    }
    expect(r.stderr).toMatch(new RegExp(`sent ${rows.length} rows to Log Analytics \\(Custom-AmlPreflight_CL, run [0-9a-f-]{36}\\)`));
    const sent = JSON.stringify(r.server.handler.ingested);
    for (const secret of Object.values(secrets)) expect(sent).not.toContain(secret);
  });

  it('a run large enough for several requests: every row arrives once, each request under 1 MB', async () => {
    const { world } = subscriptionWorld(240);
    const r = await audit(world, [
      '--subscription',
      world.resources[0]!.id.split('/')[2]!,
      '--check',
      'same-vnet-placement',
      '--check',
      'nsg-outbound-service-tags',
      '--check',
      'image-build-compute',
      '--check',
      'private-dns-zones',
      '--check',
      'acr-private-endpoint-region',
      '--check',
      'acr-workspace-access',
      '--check',
      'managed-network-outbound',
      '--check',
      'workspace-diagnose',
    ]);
    const report = JSON.parse(r.stdout) as AuditReport;
    const expected = report.targets.reduce((n, t) => n + t.results.length, 0);
    expect(expected).toBe(240 * 8);
    expect(r.server.handler.ingested.length).toBeGreaterThanOrEqual(2);
    const rows = rowsOf(r.server);
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((row) => `${String(row.WorkspaceId)} ${String(row.CheckId)}`)).size).toBe(expected);
    for (const b of r.server.handler.ingested) expect(Buffer.byteLength(JSON.stringify(b.rows))).toBeLessThanOrEqual(1024 * 1024);
  });

  it('with --what-if, NewFindingCount is what the deployment introduces', async () => {
    const c = whatIfCases().find((x) => x.name === 'whatif-deny-above-mcr')!;
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-la-what-if-'));
    await writeFile(join(dir, 'template.json'), JSON.stringify(c.template));
    const r = await audit(c.world, ['--what-if', join(dir, 'template.json'), '--subscription', SUB, '--resource-group', RG]);
    expect(r.code).toBe(1);
    const nsg = rowsOf(r.server).find((row) => row.CheckId === 'nsg-outbound-service-tags')!;
    expect(nsg).toMatchObject({ Status: 'fail', FindingCount: 2, NewFindingCount: 2 });
    // The same deny cuts the seven tags compute itself needs.
    const compute = rowsOf(r.server).find((row) => row.CheckId === 'compute-outbound')!;
    expect(compute).toMatchObject({ Status: 'fail', FindingCount: 7, NewFindingCount: 7 });
    expect(
      rowsOf(r.server)
        .filter((row) => row.CheckId !== 'nsg-outbound-service-tags' && row.CheckId !== 'compute-outbound')
        .every((row) => row.NewFindingCount === 0),
    ).toBe(true);
  });

  it('429 with Retry-After: the upload waits and retries, and every row arrives', async () => {
    const world = {
      ...buildWorlds()['healthy-private']!,
      faults: [{ match: 'POST /dataCollectionRules/.*', status: 429, headers: { 'Retry-After': '1' }, times: 1 }],
    };
    const r = await audit(world, ['--workspace', ids.workspace]);
    expect(r.code).toBe(0);
    const statuses = r.server.handler.log.filter((e) => e.path.startsWith('/dataCollectionRules/')).map((e) => e.status);
    expect(statuses).toEqual([429, 204]);
    // One row per check the audit ran (the opt-in image-reference is not among them).
    expect(rowsOf(r.server)).toHaveLength((JSON.parse(r.stdout) as AuditReport).targets[0]!.results.length);
  });

  it('a rejected upload keeps the report, says so on stderr and exits 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-la-'));
    const world = { ...buildWorlds()['healthy-private']!, faults: [{ match: 'POST /dataCollectionRules/.*', status: 403 }] };
    const r = await audit(world, ['--workspace', ids.workspace, '-o', join(dir, 'report.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /could not send the results to Log Analytics \(https:\/\/127\.0\.0\.1:\d+, dcr-0011.*, Custom-AmlPreflight_CL\): 10 of 10 rows were not accepted: Injected fault.*; the report was written/,
    );
    expect((JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as AuditReport).summary.pass).toBeGreaterThan(0);
  });

  it('bad options exit 2 before anything runs', async () => {
    const run = async (args: string[]) => {
      let stderr = '';
      const code = await main(['audit', '--mock', 'mocks/worlds/healthy-private.json', ...args], {
        stdout: () => undefined,
        stderr: (s) => (stderr += s),
        isTTY: false,
      });
      return { code, stderr };
    };
    expect(await run(['--log-analytics', 'https://dce.westeurope-1.ingest.monitor.azure.com'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--log-analytics needs --dcr/),
    });
    expect(await run(['--log-analytics', 'https://dce.westeurope-1.ingest.monitor.azure.com', '--dcr', 'dcr-nothex'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--dcr "dcr-nothex" is not a data collection rule immutable id/),
    });
    expect(await run(['--log-analytics', 'http://dce.example', '--dcr', DCR])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/must be an https URL/),
    });
    expect(await run(['--dcr', DCR])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--dcr and --stream go with --log-analytics/),
    });
  });
});

describe('the mock ingestion endpoint', () => {
  const handler = createArmHandler(parseWorld(buildWorlds()['healthy-private']!));
  const post = (path: string, rows: unknown, encoding?: string) => {
    const raw = Buffer.from(JSON.stringify(rows));
    const body = encoding === 'gzip' ? gzipSync(raw) : raw;
    return handler.handle(
      {
        method: 'POST',
        url: `${path}?api-version=2023-01-01`,
        headers: { authorization: 'Bearer x', ...(encoding ? { 'content-encoding': encoding } : {}) },
        rawBody: body,
      },
      'https://127.0.0.1',
    );
  };
  it('takes gzip JSON arrays, rejects above 1 MB inflated with 413, and checks the rule and stream in the path', async () => {
    expect((await post(`/dataCollectionRules/${DCR}/streams/Custom-AmlPreflight_CL`, [{ a: 1 }], 'gzip')).status).toBe(204);
    const big = Array.from({ length: 1100 }, () => ({ pad: 'x'.repeat(1000) }));
    expect((await post(`/dataCollectionRules/${DCR}/streams/Custom-AmlPreflight_CL`, big, 'gzip')).status).toBe(413);
    expect((await post(`/dataCollectionRules/not-a-dcr/streams/Custom-AmlPreflight_CL`, [], 'gzip')).status).toBe(404);
    expect((await post(`/dataCollectionRules/${DCR}/streams/NoPrefix`, [], 'gzip')).status).toBe(400);
    expect((await post(`/dataCollectionRules/${DCR}/streams/Custom-AmlPreflight_CL`, { not: 'an array' })).status).toBe(400);
    expect(handler.ingested.map((b) => b.rows.length)).toEqual([1]);
  });
});
