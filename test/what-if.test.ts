import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/report/types.js';
import { PlannedState } from '../src/what-if/plan.js';
import { packageRoot } from '../src/base/paths.js';
import { ids } from '../mocks/worlds/generate.js';
import { microsoftExampleCase, templateDigest, whatIfCases, type WhatIfCase } from '../mocks/worlds/what-if.js';
import { runCli } from './helpers.js';
import { whatIfRunner } from './what-if-runner.js';

const cases = new Map<string, WhatIfCase>();
const { audit: run, path } = whatIfRunner('what-if', async () => {
  const example = JSON.parse(
    await readFile(join(packageRoot, 'mocks', 'fixtures', 'what-if', 'PostDeploymentWhatIfOnResourceGroup.json'), 'utf8'),
  );
  for (const c of [...whatIfCases(), microsoftExampleCase(example)]) cases.set(c.name, c);
  return [...cases.values()];
});

/** `audit --what-if` of a case at resource group scope, JSON unless `args` says another format. */
function whatIf(name: string, ...args: string[]) {
  return run(name, args);
}

function whatIfAt(name: string, scope: string[], args: string[]) {
  return run(name, args, scope);
}

/** check → `status` (or `live→planned` when the deployment changes it), for the one workspace. */
function verdicts(report: AuditReport): Record<string, string> {
  return Object.fromEntries(report.targets[0]!.results.map((r) => [r.checkId, r.liveStatus ? `${r.liveStatus}→${r.status}` : r.status]));
}
const states = (report: AuditReport, check: string) =>
  report.targets[0]!.results.find((r) => r.checkId === check)!.findings.map((f) => f.deploymentState);

const UNTOUCHED = {
  'same-vnet-placement': 'pass',
  'acr-private-endpoint-region': 'pass',
  'image-build-compute': 'pass',
  'acr-workspace-access': 'pass',
  'private-dns-zones': 'pass',
  'nsg-outbound-service-tags': 'pass',
  'compute-outbound': 'pass',
  'managed-network-outbound': 'skip',
  // Secrets are not planned: the key check skips on both sides of a what-if.
  'workspace-keys-in-sync': 'skip',
  // Nothing here needs a role: admin user enabled, shared keys allowed, no key vault read.
  'identity-access': 'skip',
};

describe('the planned state over a paged list', () => {
  const computes = `${ids.workspace}/computes`;
  const plan = new PlannedState([
    { resourceId: `${computes}/cpu-new`, changeType: 'Create', after: { name: 'cpu-new', properties: {} } },
    {
      resourceId: `${computes}/cpu-build-cluster`,
      changeType: 'Modify',
      after: { name: 'cpu-build-cluster', properties: { planned: true } },
    },
  ]);
  const url = `https://127.0.0.1${computes}?api-version=2025-12-01`;
  const page = (ids: string[], nextLink?: string) =>
    JSON.stringify({ value: ids.map((id) => ({ id: `${computes}/${id}`, properties: {} })), ...(nextLink ? { nextLink } : {}) });
  const names = (a: { bodyText: string } | undefined) =>
    (JSON.parse(a!.bodyText) as { value: { id: string }[] }).value.map((v) => v.id.split('/').pop());

  it('a modified member changes where it is; a created one joins the last page only, once', () => {
    expect(names(plan.adjust('GET', url, 200, page(['ci-analyst-ds', 'cpu-build-cluster'], `${url}&$skipToken=2`)))).toEqual([
      'ci-analyst-ds',
      'cpu-build-cluster',
    ]);
    expect(plan.adjust('GET', url, 200, page(['gpu-train-cluster']))).toBeDefined();
    expect(names(plan.adjust('GET', url, 200, page(['gpu-train-cluster'])))).toEqual(['gpu-train-cluster', 'cpu-new']);
    // The modified member on page 1 is not added again on the last page.
    expect(names(plan.adjust('GET', url, 200, page([])))).toEqual(['cpu-new']);
  });
});

describe('audit --what-if', () => {
  it('a deny rule above the MCR allow: introduced failures, through the NSG the rule is a child of', async () => {
    const r = await whatIf('whatif-deny-above-mcr');
    expect(r.code).toBe(1);
    expect(verdicts(r.report)).toEqual({ ...UNTOUCHED, 'nsg-outbound-service-tags': 'pass→fail', 'compute-outbound': 'pass→fail' });
    expect(states(r.report, 'nsg-outbound-service-tags')).toEqual(['introduced', 'introduced']);
    expect(r.report.whatIf).toMatchObject({
      deployment: 'aml-preflight-what-if',
      changes: { Create: 1 },
      // MCR and Front Door (nsg-outbound-service-tags), and the seven tags compute itself needs (compute-outbound).
      introduced: 9,
      unchanged: 0,
      fixed: [],
    });
    expect(r.report.targets[0]!.results.find((x) => x.checkId === 'nsg-outbound-service-tags')!.findings[0]!.message).toMatch(
      /DenyHttpsInternetOutbound \(priority 90\)/,
    );
  });

  it('the same deployment at subscription scope (--location) gives the same verdicts', async () => {
    const r = await whatIfAt('whatif-deny-above-mcr', ['--location', 'westeurope'], []);
    expect(r.code).toBe(1);
    expect(verdicts(r.report)).toEqual({ ...UNTOUCHED, 'nsg-outbound-service-tags': 'pass→fail', 'compute-outbound': 'pass→fail' });
  });

  it('a template that fixes the Front Door rule: the finding is fixed, nothing introduced, exit 0', async () => {
    const r = await whatIf('whatif-fixes-frontdoor');
    expect(r.code).toBe(0);
    expect(verdicts(r.report)).toEqual({ ...UNTOUCHED, 'nsg-outbound-service-tags': 'fail→pass' });
    expect(r.report.whatIf?.fixed.map((f) => `${f.checkId}:${f.deploymentState}`)).toEqual(['nsg-outbound-service-tags:fixed']);
    expect(r.report.whatIf?.introduced).toBe(0);
  });

  it('deleting the image build cluster is an introduced failure of image-build-compute', async () => {
    const r = await whatIf('whatif-deletes-build-cluster');
    expect(r.code).toBe(1);
    expect(verdicts(r.report)['image-build-compute']).toBe('pass→fail');
    expect(states(r.report, 'image-build-compute')).toEqual(['introduced']);
    expect(r.report.whatIf?.changes).toEqual({ Delete: 1 });
  });

  it('moving the registry endpoint to an unpeered VNet: the computes lose the registry (introduced), the rest unchanged', async () => {
    const r = await whatIf('whatif-moves-registry-endpoint');
    expect(r.code).toBe(1);
    const v = verdicts(r.report);
    expect(v['same-vnet-placement']).toBe('pass→fail');
    expect(v['image-build-compute']).toBe('pass→fail');
    for (const check of ['same-vnet-placement', 'image-build-compute'])
      expect(new Set(states(r.report, check))).toEqual(new Set(['introduced']));
    expect(r.report.whatIf?.changes).toEqual({ Create: 1, Modify: 1 });
    expect(r.report.whatIf?.unchanged).toBe(0);
  });

  it("a hub's outbound rule deleted: its project, which reaches the registry through the hub's managed network, is audited and loses it", async () => {
    const r = await whatIf('whatif-hub-drops-registry-rule');
    const project = r.report.targets.find((t) => t.workspaceId.toLowerCase() === ids.workspace.toLowerCase());
    expect(project, 'the project is among the audited workspaces').toBeDefined();
    const managed = project!.results.find((x) => x.checkId === 'managed-network-outbound')!;
    expect(`${managed.liveStatus}→${managed.status}`).toBe('pass→fail');
    expect(new Set(managed.findings.map((f) => f.deploymentState))).toEqual(new Set(['introduced']));
    expect(r.code).toBe(1);
  });

  it('an after value ARM could not evaluate: the checks that need it error with the path, never a guess', async () => {
    const r = await whatIf('whatif-unevaluated-reference');
    const errored = r.report.targets[0]!.results.filter((x) => x.status === 'error');
    expect(errored.length).toBeGreaterThan(0);
    for (const x of errored) expect(x.reason).toMatch(/what-if could not evaluate properties\.subnet\.id of .*pe-crmlopsprodweu-registry/);
    expect(r.report.targets[0]!.results.filter((x) => x.findings.some((f) => f.deploymentState === 'introduced'))).toEqual([]);
    expect(r.code).toBe(3);
  });

  it("a template ARM rejects exits 2 with ARM's message", async () => {
    const r = await whatIf('whatif-rejected');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/what-if: ARM rejected the deployment: InvalidTemplate: Deployment template validation failed: .*apiVersion/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("Microsoft's example answer touches no workspace: --workspace is audited, all unchanged", async () => {
    const r = await whatIf('whatif-microsoft-example', '--workspace', ids.workspace);
    expect(r.code).toBe(0);
    expect(verdicts(r.report)).toEqual(UNTOUCHED);
    expect(r.report.whatIf?.changes).toEqual({ Modify: 1, Create: 1 });
  });

  it('without --workspace, a deployment that touches no workspace audits none', async () => {
    const r = await whatIf('whatif-microsoft-example');
    expect(r.report.targets).toEqual([]);
  });

  it('markdown says what the deployment would do; SARIF locates introduced findings on the template', async () => {
    const md = await whatIf('whatif-deny-above-mcr', '--format', 'markdown');
    expect(md.stdout).toContain('## This deployment would');
    expect(md.stdout).toMatch(/introduce 9 findings, fix 0, leave 0 unchanged/);
    const sarif = JSON.parse((await whatIf('whatif-deny-above-mcr', '--format', 'sarif')).stdout) as {
      runs: {
        results: {
          baselineState: string;
          locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    const results = sarif.runs[0]!.results;
    expect(results.map((x) => x.baselineState)).toEqual(Array<string>(9).fill('new'));
    for (const x of results) {
      expect(x.locations[0]!.physicalLocation?.artifactLocation.uri).toMatch(/whatif-deny-above-mcr\.template\.json$/);
      expect(x.locations[0]!.physicalLocation?.region.startLine).toBeGreaterThan(1);
    }
  });

  it("a securestring parameter's value never reaches the output, even when ARM's message quotes it", async () => {
    const c = cases.get('whatif-rejected')!;
    const secret = 'Pr0d-Adm1n-P4ssw0rd-2026!';
    const template = { ...c.template, parameters: { adminPassword: { type: 'secureString' } } };
    const world = {
      ...c.world,
      whatIf: {
        [templateDigest(template)]: {
          error: { code: 'InvalidTemplate', message: `The value '${secret}' of parameter 'adminPassword' is not valid.` },
        },
      },
    };
    await writeFile(path('secure.world.json'), JSON.stringify(world));
    await writeFile(path('secure.template.json'), JSON.stringify(template));
    await writeFile(path('secure.parameters.json'), JSON.stringify({ parameters: { adminPassword: { value: secret } } }));
    const r = await whatIf('secure', '--parameters', path('secure.parameters.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidTemplate: The value '\[REDACTED\]' of parameter 'adminPassword'/);
    expect(r.stderr + r.stdout).not.toContain(secret);
  });

  it('bad what-if input exits 2 before anything runs', async () => {
    const noScope = await runCli([
      'audit',
      '--mock',
      path('whatif-deny-above-mcr.world.json'),
      '--what-if',
      path('whatif-deny-above-mcr.template.json'),
    ]);
    expect(noScope.code).toBe(2);
    expect(noScope.stderr).toMatch(/--what-if needs the deployment's one scope/);
    await writeFile(path('bicep.bicep'), "resource nsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {}");
    const bicep = await whatIf('whatif-deny-above-mcr', '--what-if', path('bicep.bicep'));
    expect(bicep.code).toBe(2);
    expect(bicep.stderr).toMatch(/is not JSON .*az bicep build/);
    const baseline = await whatIf('whatif-deny-above-mcr', '--baseline', path('x.json'));
    expect(baseline.stderr).toMatch(/does not combine with --baseline/);
  });
});
