import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { allChecks } from '../checks/index.js';
import { ids } from '../mocks/worlds/generate.js';
import { runAudit } from '../src/engine/run.js';
import { render, FORMATS } from '../src/report/index.js';
import { describeTopology } from '../src/network/gather/topology.js';
import { applySuppressions, parseConfig } from '../src/pipeline/config.js';
import { describeCommands } from '../src/cli/main.js';
import { packageRoot } from '../src/base/paths.js';
import type { AuditReport } from '../src/report/types.js';
import { runCli, startHarness, worldPath, type MockHarness } from './helpers.js';

const run = promisify(execFile);
let dir: string;
let harness: MockHarness;
let demo: AuditReport;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aml-preflight-report-'));
  harness = await startHarness('demo');
  // The clock is injected: every duration is 0, so the rendered reports are stable.
  const report = await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace], now: () => 0 });
  const topology = await describeTopology(harness.inventory, ids.workspace);
  demo = { ...report, targets: report.targets.map((t) => ({ ...t, topology: topology! })) };
});
afterAll(async () => harness.close());

describe('every format, from the demo world', () => {
  it.each(FORMATS)('%s matches its snapshot', async (format) => {
    const text = render(demo, format, { color: false, checks: allChecks.map((c) => c.meta) });
    await expect(text).toMatchFileSnapshot(
      `./__snapshots__/demo.${format === 'markdown' ? 'md' : format === 'junit' ? 'xml' : format === 'table' ? 'txt' : format}`,
    );
  });

  it("SARIF passes Microsoft's SARIF validator with no error and no warning", async () => {
    const file = join(dir, 'demo.sarif');
    await writeFile(file, render(demo, 'sarif', { checks: allChecks.map((c) => c.meta) }));
    const bin = join(packageRoot, 'node_modules', '.bin', 'sarif-multitool');
    const out = await run(bin, ['validate', file], { maxBuffer: 16 * 1024 * 1024 });
    expect(out.stdout).toContain('Analysis completed successfully');
    expect(out.stdout).not.toMatch(/: (error|warning) [A-Z]+\d+/);
  }, 120_000);

  it('SARIF: one rule per check, one result per finding with the resource id as logical location, levels from severity', () => {
    const sarif = JSON.parse(render(demo, 'sarif', { checks: allChecks.map((c) => c.meta) }));
    const runZero = sarif.runs[0];
    // The demo runs Microsoft's diagnosis too: its Warning maps to a SARIF warning.
    expect(sarif.version).toBe('2.1.0');
    expect(runZero.tool.driver).toMatchObject({
      name: 'aml-preflight',
      version: demo.tool.version,
      informationUri: expect.stringMatching(/^https:\/\//),
    });
    expect(runZero.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(allChecks.map((c) => c.meta.id));
    expect(runZero.tool.driver.rules.every((r: { helpUri: string }) => r.helpUri.startsWith('https://learn.microsoft.com/'))).toBe(true);
    const findings = demo.targets[0]!.results.flatMap((r) => r.findings);
    expect(runZero.results).toHaveLength(findings.length);
    expect(runZero.results.map((r: any) => r.locations[0].logicalLocations[0].fullyQualifiedName)).toEqual(
      findings.map((f) => f.resourceId),
    );
    expect(new Set(runZero.results.map((r: any) => r.level))).toEqual(new Set(['error', 'warning']));
    expect(runZero.results.find((r: any) => r.level === 'warning').ruleId).toBe('workspace-diagnose');
  });

  it('JUnit parses back: a suite per workspace, a case per check, failures, errors and skips distinguished', async () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
    const doc = parser.parse(render(demo, 'junit'));
    const suite = doc.testsuites.testsuite;
    expect(suite.id).toBe(ids.workspace);
    expect(suite.testcase).toHaveLength(allChecks.length);
    expect(Number(suite.failures)).toBe(8);
    expect(suite.testcase.filter((c: any) => !c.skipped && !c.failure).map((c: any) => c.name)).toEqual(['compute-outbound']);
    expect(suite.testcase.filter((c: any) => c.failure).every((c: any) => c.failure.type === 'error')).toBe(true);
    expect(suite.testcase.filter((c: any) => c.skipped).map((c: any) => c.name)).toEqual([
      'managed-network-outbound',
      'image-reference',
      'identity-access',
    ]);
    // A world with an error and skips.
    const h = await startHarness('public-registry');
    const w = await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [ids.workspace], now: () => 0 });
    await h.close();
    const doc2 = parser.parse(render(w, 'junit'));
    const cases = doc2.testsuites.testsuite.testcase as any[];
    expect(cases.filter((c) => c.skipped).map((c) => c.name)).toEqual([
      'acr-private-endpoint-region',
      'image-build-compute',
      'acr-workspace-access',
      'managed-network-outbound',
      'image-reference',
      'identity-access',
    ]);
    expect(cases.find((c) => c.skipped).skipped.message).toMatch(/no private endpoint/);
    const h3 = await startHarness('keys-listkeys-forbidden');
    const w3 = await runAudit({ inventory: h3.inventory, checks: allChecks, workspaceIds: [ids.workspace], now: () => 0 });
    await h3.close();
    const errored = (parser.parse(render(w3, 'junit')).testsuites.testsuite.testcase as any[]).filter((c) => c.error);
    expect(errored.map((c) => c.name)).toEqual(['workspace-keys-in-sync']);
    expect(errored[0].error.message).toMatch(/403 AuthorizationFailed/);
  });

  it('Markdown: summary table, a Mermaid topology with the failing links marked, findings with evidence', () => {
    const md = render(demo, 'markdown');
    expect(md).toMatch(/\| mlw-mlops-prod-weu \| 1 \| 8 \| 0 \| 3 \| 0 \|/);
    expect(md).toMatch(/```mermaid\nflowchart LR/);
    expect(md).toMatch(/n\d+ -\.->\|"⛔ unreachable"\| n\d+/);
    expect(md).toMatch(/-\.->\|"⛔ 443 denied"\| mcr/);
    expect(md).toMatch(/linkStyle [\d,]+ stroke:#c00/);
    expect(md).toContain('<details><summary>evidence</summary>');
  });

  it('-o writes every format to a file; --format markdown draws the topology from the run', async () => {
    for (const format of FORMATS) {
      const out = join(dir, `out.${format}`);
      const r = await runCli(['audit', '--mock', worldPath('demo'), '--format', format, '-o', out]);
      expect(r.code).toBe(1);
      expect((await readFile(out, 'utf8')).length).toBeGreaterThan(100);
    }
    expect(await readFile(join(dir, 'out.markdown'), 'utf8')).toContain('subgraph');
  });
});

describe('config: checks on/off, severity, suppressions', () => {
  async function config(content: unknown): Promise<string> {
    const file = join(dir, `config-${Math.random().toString(16).slice(2)}.json`);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  it('turns checks off and changes severity', async () => {
    const file = await config({ checks: { 'image-build-compute': 'off', 'nsg-outbound-service-tags': { severity: 'warning' } } });
    const r = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--config', file]);
    const results = JSON.parse(r.stdout).targets[0].results;
    expect(results.map((x: { checkId: string }) => x.checkId)).not.toContain('image-build-compute');
    expect(results.find((x: { checkId: string }) => x.checkId === 'nsg-outbound-service-tags')).toMatchObject({
      status: 'fail',
      severity: 'warning',
    });
    // A warning-severity failure does not fail --fail-on error, and does fail --fail-on warning.
    expect(r.code).toBe(0);
    expect((await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--config', file, '--fail-on', 'warning'])).code).toBe(1);
  });

  it('a suppressed finding stays in the report, marked, and does not count', async () => {
    const file = await config({
      suppressions: [
        {
          check: 'nsg-outbound-service-tags',
          resource: '/subscriptions/*/resourceGroups/rg-mlops-prod-*/**',
          reason: 'egress through the hub firewall (INC-4711)',
          expires: '2999-12-31',
        },
      ],
    });
    const r = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--config', file]);
    expect(r.code).toBe(0);
    const nsg = JSON.parse(r.stdout).targets[0].results.find((x: { checkId: string }) => x.checkId === 'nsg-outbound-service-tags');
    expect(nsg.status).toBe('pass');
    expect(nsg.findings).toHaveLength(1);
    expect(nsg.findings[0].suppressed).toEqual({ reason: 'egress through the hub firewall (INC-4711)', expires: '2999-12-31' });
    expect(nsg.notes).toContain('1 finding(s) suppressed by the config');
    const sarif = JSON.parse(
      (await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--config', file, '--format', 'sarif'])).stdout,
    );
    expect(sarif.runs[0].results[0].suppressions[0]).toMatchObject({
      kind: 'external',
      justification: expect.stringContaining('INC-4711'),
    });
  });

  it('an expired suppression stops suppressing and is itself reported', async () => {
    const file = await config({
      suppressions: [
        {
          check: 'nsg-outbound-service-tags',
          resource: ids.nsg.replace('Microsoft.Network', 'microsoft.network') + '/securityRules/DenyInternetOutbound',
          reason: 'temporary',
          expires: '2020-01-31',
        },
      ],
    });
    const r = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--config', file]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.expiredSuppressions).toEqual([
      {
        check: 'nsg-outbound-service-tags',
        resource: expect.stringContaining('DenyInternetOutbound'),
        reason: 'temporary',
        expires: '2020-01-31',
        findings: 1,
      },
    ]);
    const table = await runCli(['audit', '--mock', worldPath('nsg-frontdoor-missing'), '--config', file, '--format', 'table']);
    expect(table.stdout).toMatch(/Suppression of nsg-outbound-service-tags .* expired on 2020-01-31/);
  });

  it.each([
    [{ checks: { 'no-such-check': 'off' } }, /at \$\.checks\["no-such-check"\]: unknown check "no-such-check"/],
    [{ suppressions: [{ check: 'image-build-compute', resource: '*', expires: '2026-12-31' }] }, /at \$\.suppressions\[0\]\.reason: /],
    [
      { suppressions: [{ check: 'image-build-compute', resource: '*', reason: '  ', expires: '2026-12-31' }] },
      /at \$\.suppressions\[0\]\.reason: a reason is required/,
    ],
    [
      { suppressions: [{ check: 'image-build-compute', resource: '*', reason: 'r', expires: 'next week' }] },
      /at \$\.suppressions\[0\]\.expires: a date like 2026-12-31/,
    ],
    [
      { suppressions: [{ check: 'image-build-compute', resource: '*', reason: 'r', expires: '2026-02-30' }] },
      /at \$\.suppressions\[0\]\.expires: a real calendar date/,
    ],
    [{ checks: { 'image-build-compute': { severity: 'critical' } } }, /at \$\.checks\["image-build-compute"\]/],
    [{ failOn: 'sometimes' }, /at \$\.failOn/],
    [{ colour: 'blue' }, /at \$: Unrecognized key/],
    ['{ not json', /not JSON/],
  ])('invalid config %j: exit 2 with the path of the bad field', async (content, message) => {
    const r = await runCli(['audit', '--mock', worldPath('healthy-private'), '--config', await config(content)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('applySuppressions is pure: today is injected', () => {
    const cfg = parseConfig(
      { suppressions: [{ check: 'nsg-outbound-service-tags', resource: '**', reason: 'r', expires: '2026-06-30' }] },
      'x',
      allChecks,
    );
    const nsgFail = {
      ...demo,
      targets: demo.targets.map((t) => ({ ...t, results: t.results.filter((r) => r.checkId === 'nsg-outbound-service-tags') })),
    };
    expect(applySuppressions(nsgFail, cfg, '2026-06-30').targets[0]!.results[0]!.status).toBe('pass');
    expect(applySuppressions(nsgFail, cfg, '2026-07-01').targets[0]!.results[0]!.status).toBe('fail');
  });

  it('the shipped example config is valid', async () => {
    const r = await runCli([
      'audit',
      '--mock',
      worldPath('healthy-private'),
      '--config',
      join(packageRoot, 'examples', 'aml-preflight.config.json'),
    ]);
    expect(r.code).toBe(0);
  });
});

describe('operator commands', () => {
  it('permissions: reader-only and key actions separated; --without-keys reads no secret', async () => {
    const role = JSON.parse((await runCli(['permissions'])).stdout);
    const keyActions = role.Actions.filter((a: string) => a.endsWith('/action'));
    expect(keyActions).toEqual([
      'Microsoft.ContainerRegistry/registries/listCredentials/action',
      'Microsoft.MachineLearningServices/workspaces/listKeys/action',
      'Microsoft.Storage/storageAccounts/listKeys/action',
    ]);
    expect(role.Actions.slice(-3)).toEqual(keyActions);
    expect(role.Description).toMatch(/Key checks \(workspace-keys-in-sync\) also need the key actions/);
    const reader = JSON.parse((await runCli(['permissions', '--without-keys'])).stdout);
    expect(reader.Actions.some((a: string) => a.endsWith('/action'))).toBe(false);
    expect(reader.Name).toBe('aml-preflight auditor (read-only)');
    expect(reader.Actions).toContain('Microsoft.Network/locations/serviceTags/read');
    // Resource Graph mode needs to submit queries; a 403 there would only cost the fall-back to ARM.
    expect(reader.Actions).toContain('Microsoft.ResourceGraph/resources/read');
    expect(reader.Description).toMatch(/Microsoft\.ResourceGraph\/resources\/read is for --inventory resource-graph/);
  });

  it('explain prints the check README; an unknown check is exit 2', async () => {
    const r = await runCli(['explain', 'nsg-outbound-service-tags']);
    expect(r.stdout.startsWith('# nsg-outbound-service-tags\n')).toBe(true);
    expect((await runCli(['explain', 'nope'])).code).toBe(2);
  });

  it("progress on a terminal's stderr; none with --quiet or when stderr is not a terminal", async () => {
    const { main } = await import('../src/cli/main.js');
    let err = '';
    await main(['audit', '--mock', worldPath('healthy-private')], {
      stdout: () => undefined,
      stderr: (s) => (err += s),
      isTTY: false,
      stderrIsTTY: true,
    });
    expect(err).toMatch(/10\/10 checks done/);
    err = '';
    await main(['audit', '--mock', worldPath('healthy-private'), '--quiet'], {
      stdout: () => undefined,
      stderr: (s) => (err += s),
      isTTY: false,
      stderrIsTTY: true,
    });
    expect(err).toBe('');
    expect((await runCli(['audit', '--mock', worldPath('healthy-private')])).stderr).toBe('');
  });
});

describe('examples/ use commands that exist', () => {
  const commands = describeCommands();
  function invocations(yamlText: string): string[][] {
    const doc = parseYaml(yamlText);
    const scripts: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string' && v.includes('aml-preflight ')) scripts.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    };
    walk(doc);
    return scripts
      .flatMap((s) => s.split('\n'))
      .filter((l) => /aml-preflight (audit|resync|exec|snapshot|checks|permissions|explain|mock|demo)/.test(l))
      .map((l) =>
        l
          .slice(l.indexOf('aml-preflight ') + 'aml-preflight '.length)
          .trim()
          .split(/\s+/),
      );
  }
  it('github-actions.yml and github-what-if.yml use the action with inputs it declares', async () => {
    const action = parseYaml(await readFile(join(packageRoot, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
    const steps: { uses?: string; with?: Record<string, unknown> }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) for (const x of v) walk(x);
      else if (v && typeof v === 'object') {
        const o = v as { uses?: unknown; with?: Record<string, unknown> };
        if (typeof o.uses === 'string' && o.uses.endsWith('/aml-preflight@v1')) steps.push(o as { uses: string });
        for (const x of Object.values(v)) walk(x);
      }
    };
    for (const file of ['github-actions.yml', 'github-what-if.yml'])
      walk(parseYaml(await readFile(join(packageRoot, 'examples', file), 'utf8')));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), input).toContain(input);
  });

  it.each(['azure-pipelines.yml'])('%s', async (file) => {
    const calls = invocations(await readFile(join(packageRoot, 'examples', file), 'utf8'));
    expect(calls.length).toBeGreaterThan(0);
    for (const [name, ...args] of calls) {
      const command = commands.find((c) => c.name === name);
      expect(command, `${file}: aml-preflight ${name}`).toBeDefined();
      for (const flag of args.filter((a) => a.startsWith('--'))) expect(command!.options, `${file}: ${name} ${flag}`).toContain(flag);
      const format = args[args.indexOf('--format') + 1];
      if (args.includes('--format')) expect(FORMATS).toContain(format);
    }
  });
});
