import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTIVE_FIELDS, fingerprint } from '../src/engine/fingerprint.js';
import type { AuditReport } from '../src/report/types.js';
import { buildWorlds, computeOf, ids, res } from '../mocks/worlds/generate.js';
import { runCli, worldPath } from './helpers.js';

let dir: string;
const file = (name: string): string => join(dir, name);
const report = async (name: string): Promise<AuditReport> => JSON.parse(await readFile(file(name), 'utf8')) as AuditReport;
const findings = (r: AuditReport) =>
  r.targets.flatMap((t) => t.results.flatMap((x) => x.findings.map((f) => ({ checkId: x.checkId, ...f }))));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aml-preflight-baseline-'));
  // The NSG world with one more defect: the image build cluster is now the GPU one.
  const worse = buildWorlds()['nsg-frontdoor-missing']!;
  worse.description = 'nsg-frontdoor-missing plus a GPU image build cluster';
  res(worse, ids.workspace).properties.imageBuildCompute = 'gpu-train-cluster';
  await writeFile(file('worse.json'), JSON.stringify(worse));
  // The same defect, but the NSG has more rules (counts in the evidence move) and ids in other casing.
  const moved = buildWorlds()['nsg-frontdoor-missing']!;
  res(moved, ids.nsg).properties.securityRules.push({
    name: 'AllowSshFromBastion',
    id: `${ids.nsg}/securityRules/AllowSshFromBastion`,
    properties: {
      protocol: 'Tcp',
      sourcePortRange: '*',
      destinationPortRange: '22',
      sourceAddressPrefix: '10.20.9.0/27',
      destinationAddressPrefix: '*',
      access: 'Allow',
      priority: 300,
      direction: 'Inbound',
    },
  });
  computeOf(moved, 'cpu-build-cluster').properties.properties.subnet.id = ids.trainingSubnet
    .toUpperCase()
    .replace('/SUBSCRIPTIONS/', '/subscriptions/');
  await writeFile(file('moved.json'), JSON.stringify(moved));
  const first = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--format', 'json', '-o', file('base.json')]);
  expect(first.code).toBe(1);
});

describe('fingerprints', () => {
  it('every finding has one, the same on a second run, in JSON and SARIF', async () => {
    await runCli(['audit', '--mock', worldPath('demo'), '--format', 'json', '-o', file('demo1.json')]);
    await runCli(['audit', '--mock', worldPath('demo'), '--format', 'json', '-o', file('demo2.json')]);
    const one = findings(await report('demo1.json'));
    const two = findings(await report('demo2.json'));
    expect(one.length).toBeGreaterThan(5);
    expect(one.every((f) => /^[0-9a-f]{32}$/.test(f.fingerprint))).toBe(true);
    expect(new Set(one.map((f) => f.fingerprint)).size).toBe(one.length);
    expect(two.map((f) => f.fingerprint).sort()).toEqual(one.map((f) => f.fingerprint).sort());
    const sarif = await runCli(['audit', '--mock', worldPath('demo'), '--format', 'sarif']);
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { partialFingerprints: Record<string, string> }[] }[] }).runs[0]!
      .results;
    expect(results.map((r) => r.partialFingerprints['amlPreflightFinding/v1']).sort()).toEqual(one.map((f) => f.fingerprint).sort());
  });

  it('ignore counts, descriptions and the casing of ids, and change with what identifies the finding', () => {
    const base = fingerprint('nsg-outbound-service-tags', ids.nsg, 'denied', {
      subnet: 'snet-training',
      tag: 'AzureFrontDoor.FirstParty',
      count: 3,
    });
    expect(
      fingerprint('nsg-outbound-service-tags', ids.nsg.toUpperCase(), 'denied', {
        subnet: 'snet-training',
        tag: 'AzureFrontDoor.FirstParty',
        count: 9,
      }),
    ).toBe(base);
    for (const k of DESCRIPTIVE_FIELDS) {
      expect(
        fingerprint('nsg-outbound-service-tags', ids.nsg, 'denied', {
          subnet: 'snet-training',
          tag: 'AzureFrontDoor.FirstParty',
          [k]: 'anything',
        }),
      ).toBe(base);
    }
    expect(
      fingerprint('nsg-outbound-service-tags', ids.nsg, 'denied', { subnet: 'snet-training', tag: 'MicrosoftContainerRegistry' }),
    ).not.toBe(base);
    expect(
      fingerprint('nsg-outbound-service-tags', ids.nsg, 'dropped', { subnet: 'snet-training', tag: 'AzureFrontDoor.FirstParty' }),
    ).not.toBe(base);
    expect(fingerprint('same-vnet-placement', ids.nsg, 'denied', { subnet: 'snet-training', tag: 'AzureFrontDoor.FirstParty' })).not.toBe(
      base,
    );
    expect(
      fingerprint('nsg-outbound-service-tags', ids.routeTable, 'denied', { subnet: 'snet-training', tag: 'AzureFrontDoor.FirstParty' }),
    ).not.toBe(base);
  });
});

describe('--baseline', () => {
  it('a second run while the same findings stand: 0 new, exit 0, in every format', async () => {
    const again = await runCli([
      'audit',
      '--mock',
      worldPath('nsg-frontdoor-missing'),
      '--baseline',
      file('base.json'),
      '--format',
      'json',
    ]);
    expect(again.code).toBe(0);
    const r = JSON.parse(again.stdout) as AuditReport;
    expect(findings(r).length).toBeGreaterThan(0);
    expect(findings(r).every((f) => f.baselineState === 'unchanged')).toBe(true);
    expect(r.baseline).toEqual({ file: file('base.json'), new: 0, unchanged: findings(r).length, absent: [] });
    expect(r.summary.fail).toBeGreaterThan(0); // the check still fails; only the gate looks at new findings
    const table = await runCli([
      'audit',
      '--mock',
      worldPath('nsg-frontdoor-missing'),
      '--baseline',
      file('base.json'),
      '--format',
      'table',
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`Since the baseline: 0 new, ${findings(r).length} unchanged, 0 gone`);
    const md = await runCli([
      'audit',
      '--mock',
      worldPath('nsg-frontdoor-missing'),
      '--baseline',
      file('base.json'),
      '--format',
      'markdown',
    ]);
    expect(md.stdout).toContain(`**Since the baseline**`);
    expect(md.stdout).toContain(`0 new, ${findings(r).length} unchanged, 0 gone.`);
    const junit = await runCli([
      'audit',
      '--mock',
      worldPath('nsg-frontdoor-missing'),
      '--baseline',
      file('base.json'),
      '--format',
      'junit',
    ]);
    expect(junit.stdout).toContain('[unchanged] ');
  });

  it('the same defect with moved counts and other id casing stays unchanged', async () => {
    const r = await runCli(['audit', '--mock', file('moved.json'), '--baseline', file('base.json'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as AuditReport).baseline?.new).toBe(0);
  });

  it('one more defect: exactly its findings are new, and the gate fails on them', async () => {
    const r = await runCli(['audit', '--mock', file('worse.json'), '--baseline', file('base.json'), '--format', 'json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as AuditReport;
    const fresh = findings(rep).filter((f) => f.baselineState === 'new');
    expect(new Set(fresh.map((f) => f.checkId))).toEqual(new Set(['image-build-compute']));
    expect(
      findings(rep)
        .filter((f) => f.checkId === 'nsg-outbound-service-tags')
        .every((f) => f.baselineState === 'unchanged'),
    ).toBe(true);
    expect(rep.baseline?.new).toBe(fresh.length);
    // --fail-on never still never fails; a new warning-level gate counts the new error finding too.
    expect((await runCli(['audit', '--mock', file('worse.json'), '--baseline', file('base.json'), '--fail-on', 'never'])).code).toBe(0);
    const sarif = JSON.parse(
      (await runCli(['audit', '--mock', file('worse.json'), '--baseline', file('base.json'), '--format', 'sarif'])).stdout,
    ) as {
      runs: { results: { ruleId: string; baselineState: string }[] }[];
    };
    const states = sarif.runs[0]!.results.map((x) => `${x.ruleId}:${x.baselineState}`);
    expect(states).toContain('image-build-compute:new');
    expect(states).toContain('nsg-outbound-service-tags:unchanged');
  });

  it('a fixed defect is listed as absent (JSON, SARIF, table) and nothing fails', async () => {
    const r = await runCli(['audit', '--mock', worldPath('healthy-private'), '--baseline', file('base.json'), '--format', 'json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as AuditReport;
    const before = findings(await report('base.json'));
    expect(rep.baseline?.absent.map((a) => a.fingerprint).sort()).toEqual(before.map((f) => f.fingerprint).sort());
    expect(new Set(rep.baseline?.absent.map((a) => `${a.baselineState}:${a.checkId}`))).toEqual(
      new Set(['absent:nsg-outbound-service-tags']),
    );
    const sarif = JSON.parse(
      (await runCli(['audit', '--mock', worldPath('healthy-private'), '--baseline', file('base.json'), '--format', 'sarif'])).stdout,
    ) as {
      runs: { results: { baselineState: string }[] }[];
    };
    expect(sarif.runs[0]!.results.map((x) => x.baselineState)).toEqual(before.map(() => 'absent'));
    const table = await runCli(['audit', '--mock', worldPath('healthy-private'), '--baseline', file('base.json'), '--format', 'table']);
    expect(table.stdout).toContain(`Gone since the baseline (${before.length} finding`);
    expect(table.stdout).toContain(`0 new, 0 unchanged, ${before.length} gone`);
  });

  it('a baseline from another version, without fingerprints, or unreadable exits 2 with the reason', async () => {
    const base = await report('base.json');
    await writeFile(file('old.json'), JSON.stringify({ ...base, tool: { ...base.tool, version: '0.0.1' } }));
    const old = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--baseline', file('old.json')]);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/--baseline .*old\.json was written by aml-preflight 0\.0\.1, this is .*: .*write a new baseline/);
    expect(old.stderr.trim().split('\n')).toHaveLength(1);
    const stripped = JSON.parse(JSON.stringify(base).replace(/"fingerprint":"[0-9a-f]+",?/g, '')) as AuditReport;
    await writeFile(file('nofp.json'), JSON.stringify(stripped));
    const nofp = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--baseline', file('nofp.json')]);
    expect(nofp.code).toBe(2);
    expect(nofp.stderr).toMatch(/has no fingerprint/);
    await writeFile(file('junk.json'), '{ "not": "a report" }');
    const junk = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--baseline', file('junk.json')]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(
      /invalid report .*junk\.json: at \$\.schemaVersion: .*--baseline takes a report written with --format json/,
    );
    const missing = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--baseline', file('nowhere.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read report .*nowhere\.json: ENOENT/);
  });

  it('merge keeps fingerprints and the baseline comparison of its shards', async () => {
    await runCli(['audit', '--mock', file('worse.json'), '--baseline', file('base.json'), '--format', 'json', '-o', file('shard.json')]);
    const merged = await runCli(['merge', file('shard.json'), '--format', 'json']);
    const m = JSON.parse(merged.stdout) as AuditReport;
    const shard = await report('shard.json');
    expect(findings(m).map((f) => `${f.fingerprint}:${f.baselineState}`)).toEqual(
      findings(shard).map((f) => `${f.fingerprint}:${f.baselineState}`),
    );
    expect(m.baseline).toEqual(shard.baseline);
    expect(merged.code).toBe(1);
  });
});
