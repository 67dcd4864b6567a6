/**
 * `audit --terraform-plan` end to end: the CLI in-process, the worlds on the mock over HTTPS, the
 * real SDK. One written plan per case (test/fixtures/terraform, SOURCES.md), each laid over the
 * world it changes; the complete verdicts of the workspace, and how each finding is marked.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/report/types.js';
import { runCli, worldPath } from '../helpers.js';
import { fixture } from './plans.js';

const SUB = '3f2e4d5c-6b7a-4988-9a1b-2c3d4e5f6a7b';
const WS = `/subscriptions/${SUB}/resourceGroups/rg-mlops-prod-weu/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-prod-weu`;

async function terraform(world: string, plan: string, ...args: string[]) {
  const r = await runCli([
    'audit',
    '--mock',
    worldPath(world),
    '--terraform-plan',
    fixture(plan),
    '--subscription',
    SUB,
    '--format',
    'json',
    ...args,
  ]);
  return { ...r, report: (r.stdout ? JSON.parse(r.stdout) : undefined) as AuditReport };
}

/** check → `status` (or `live→planned` when the plan changes it), for the one workspace. */
function verdicts(report: AuditReport): Record<string, string> {
  expect(report.targets.map((t) => t.workspaceId.toLowerCase())).toEqual([WS.toLowerCase()]);
  return Object.fromEntries(report.targets[0]!.results.map((r) => [r.checkId, r.liveStatus ? `${r.liveStatus}→${r.status}` : r.status]));
}
/** The verdicts of healthy-private, which a plan that touches nothing the checks read leaves alone. */
const HEALTHY = {
  'same-vnet-placement': 'pass',
  'acr-private-endpoint-region': 'pass',
  'image-build-compute': 'pass',
  'acr-workspace-access': 'pass',
  'private-dns-zones': 'pass',
  'nsg-outbound-service-tags': 'pass',
  'compute-outbound': 'pass',
  'managed-network-outbound': 'skip',
  // Secrets and identities are not planned: these skip on both sides, as with --what-if.
  'workspace-keys-in-sync': 'skip',
  'identity-access': 'skip',
};
const result = (report: AuditReport, check: string) => report.targets[0]!.results.find((r) => r.checkId === check)!;
const states = (report: AuditReport, check: string) => result(report, check).findings.map((f) => f.deploymentState);

describe('audit --terraform-plan', () => {
  it('an azurerm_network_security_rule deny above the MCR allow: introduced, and it fails the run', async () => {
    const { code, report } = await terraform('healthy-private', 'nsg-deny-above-mcr/plan.json');
    expect(verdicts(report)).toEqual({ ...HEALTHY, 'nsg-outbound-service-tags': 'pass→fail', 'compute-outbound': 'pass→fail' });
    expect(states(report, 'nsg-outbound-service-tags')).toEqual(['introduced', 'introduced']);
    expect(JSON.stringify(result(report, 'nsg-outbound-service-tags').findings)).toContain('DenyAllOutbound');
    expect(report.whatIf?.introduced).toBeGreaterThan(0);
    expect(code).toBe(1);
  });

  it('--terraform-dir names where the .tf files are when the plan is kept elsewhere; a missing one exits 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-tfdir-'));
    await writeFile(join(dir, 'plan.json'), await readFile(fixture('nsg-deny-above-mcr/plan.json'), 'utf8'));
    const located = async (...extra: string[]) => {
      const r = await runCli([
        'audit',
        '--mock',
        worldPath('healthy-private'),
        '--terraform-plan',
        join(dir, 'plan.json'),
        '--subscription',
        SUB,
        '--format',
        'sarif',
        ...extra,
      ]);
      const sarif = JSON.parse(r.stdout) as {
        runs: { results: { ruleId: string; baselineState: string; locations: Record<string, any>[] }[] }[];
      };
      return sarif.runs[0]!.results.filter((x) => x.ruleId === 'nsg-outbound-service-tags' && x.baselineState === 'new').map(
        (x) => x.locations[0]!.physicalLocation,
      );
    };
    // Beside the copied plan there is no .tf: located on the address only.
    expect(await located()).toEqual([undefined, undefined]);
    expect(await located('--terraform-dir', fixture('nsg-deny-above-mcr'))).toEqual([
      { artifactLocation: { uri: fixture('nsg-deny-above-mcr/main.tf') }, region: { startLine: 7 } },
      { artifactLocation: { uri: fixture('nsg-deny-above-mcr/main.tf') }, region: { startLine: 7 } },
    ]);
    const missing = await runCli([
      'audit',
      '--mock',
      worldPath('healthy-private'),
      '--terraform-plan',
      join(dir, 'plan.json'),
      '--terraform-dir',
      join(dir, 'nope'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--terraform-dir');
  });

  it('SARIF locates an introduced finding on the .tf line beside the plan, and on the Terraform address', async () => {
    const { stdout } = await runCli([
      'audit',
      '--mock',
      worldPath('healthy-private'),
      '--terraform-plan',
      fixture('nsg-deny-above-mcr/plan.json'),
      '--subscription',
      SUB,
      '--format',
      'sarif',
    ]);
    const sarif = JSON.parse(stdout) as {
      runs: { results: { ruleId: string; baselineState: string; locations: Record<string, any>[] }[] }[];
    };
    const introduced = sarif.runs[0]!.results.filter((r) => r.ruleId === 'nsg-outbound-service-tags' && r.baselineState === 'new');
    expect(introduced).toHaveLength(2);
    for (const r of introduced) {
      expect(r.locations[0]!.physicalLocation).toEqual({
        artifactLocation: { uri: fixture('nsg-deny-above-mcr/main.tf') },
        region: { startLine: 7 },
      });
      expect(r.locations[0]!.logicalLocations).toContainEqual({
        fullyQualifiedName: 'azurerm_network_security_rule.deny_all_outbound',
        kind: 'declaration',
      });
    }
  });

  it('without .tf files beside the plan, SARIF locates a fixed finding on the Terraform address alone', async () => {
    const { stdout } = await runCli([
      'audit',
      '--mock',
      worldPath('nsg-deny-before-allow'),
      '--terraform-plan',
      fixture('nsg-remove-deny.tfplan.json'),
      '--subscription',
      SUB,
      '--format',
      'sarif',
    ]);
    const sarif = JSON.parse(stdout) as {
      runs: { results: { ruleId: string; baselineState: string; locations: Record<string, any>[] }[] }[];
    };
    const fixed = sarif.runs[0]!.results.filter((r) => r.ruleId === 'nsg-outbound-service-tags' && r.baselineState === 'absent');
    expect(fixed.length).toBeGreaterThan(0);
    for (const r of fixed) {
      expect(r.locations[0]!.physicalLocation).toBeUndefined();
      expect(r.locations[0]!.logicalLocations).toContainEqual({
        fullyQualifiedName: 'azurerm_network_security_rule.deny_https_internet',
        kind: 'declaration',
      });
    }
  });

  it('a plan that deletes the deny before the allows: fixed, and nothing counts for --fail-on', async () => {
    const { code, report } = await terraform('nsg-deny-before-allow', 'nsg-remove-deny.tfplan.json');
    expect(verdicts(report)).toEqual({ ...HEALTHY, 'nsg-outbound-service-tags': 'fail→pass', 'compute-outbound': 'fail→pass' });
    expect(report.whatIf?.fixed.map((f) => f.checkId)).toContain('nsg-outbound-service-tags');
    expect(report.whatIf?.introduced).toBe(0);
    expect(code).toBe(0);
  });

  it('a compute cluster replaced onto a new subnet whose route table drops everything: introduced', async () => {
    const { report } = await terraform('healthy-private', 'cluster-replaced-no-route.tfplan.json');
    // The new cluster is Succeeded once the apply succeeds, in the workspace's VNet: image builds
    // still find it; its subnet's egress is what breaks.
    expect(verdicts(report)).toEqual({ ...HEALTHY, 'nsg-outbound-service-tags': 'pass→fail', 'compute-outbound': 'pass→fail' });
    expect(states(report, 'nsg-outbound-service-tags')).toEqual(['introduced', 'introduced']);
    expect(JSON.stringify(result(report, 'nsg-outbound-service-tags').findings)).toContain('snet-build');
    expect(report.whatIf?.changedResources.map((c) => `${c.changeType} ${c.resourceId.split('/').slice(-2).join('/')}`)).toEqual(
      expect.arrayContaining(['Create computes/cpu-build-cluster', 'Create subnets/snet-build', 'Create routeTables/rt-mlops-build-weu']),
    );
  });

  it('a private endpoint whose subnet_id is known only after apply: the checks that read it error, naming the address', async () => {
    const { code, report } = await terraform('healthy-private', 'pe-subnet-unknown.tfplan.json');
    // The registry lists the endpoint's new connection; every check that follows it cannot decide.
    expect(verdicts(report)).toEqual({
      ...HEALTHY,
      'same-vnet-placement': 'pass→error',
      'acr-private-endpoint-region': 'pass→error',
      'image-build-compute': 'pass→error',
      'private-dns-zones': 'pass→error',
      // Whether the compute reaches the registry's hosts through a private endpoint: unknown too.
      'compute-outbound': 'pass→error',
    });
    for (const r of report.targets[0]!.results.filter((x) => x.status === 'error'))
      expect(r.reason).toContain('Terraform knows module.endpoints.azurerm_private_endpoint.registry.subnet_id');
    expect(code).toBe(3);
  });

  it('an azapi_resource that creates the missing managed-network outbound rule: fixed', async () => {
    const { report } = await terraform('managed-service-tag-missing', 'azapi-outbound-rule.tfplan.json');
    expect(verdicts(report)).toEqual({
      ...HEALTHY,
      'private-dns-zones': 'skip',
      'nsg-outbound-service-tags': 'skip',
      'compute-outbound': 'skip',
      'managed-network-outbound': 'fail→pass',
    });
    expect(report.whatIf?.fixed.map((f) => f.checkId)).toContain('managed-network-outbound');
  });

  it('a plan of no-ops only changes no verdict', async () => {
    const { code, report } = await terraform('healthy-private', 'no-op-only.tfplan.json', '--workspace', WS);
    expect(verdicts(report)).toEqual(HEALTHY);
    expect(report.whatIf?.introduced).toBe(0);
    expect(report.whatIf?.fixed).toEqual([]);
    expect(report.whatIf?.changedResources).toEqual([]);
    expect(code).toBe(0);
  });

  it('a type a check reads that no mapping knows (an A record): those checks error, naming address and type', async () => {
    const { code, report } = await terraform('healthy-private', 'unmapped-a-record.tfplan.json');
    expect(verdicts(report)).toEqual({ ...HEALTHY, 'private-dns-zones': 'pass→error' });
    expect(code).toBe(3);
    expect(result(report, 'private-dns-zones').reason).toContain(
      'azurerm_private_dns_a_record.registry_data (azurerm_private_dns_a_record)',
    );
  });

  it.each([
    ['--fix', ['--fix'], /does not combine with --fix/],
    ['--baseline', ['--baseline', 'report.json'], /does not combine with --baseline/],
  ])('--terraform-plan with %s: exit 2 with the reason', async (_name, extra, reason) => {
    const { code, stderr } = await terraform('healthy-private', 'no-op-only.tfplan.json', ...extra);
    expect(code).toBe(2);
    expect(stderr).toMatch(reason);
  });

  it.each([
    ['a state, not a plan', 'wrong-shape-state.json', /a state, not a plan/],
    ['a plan of format 0.1', 'checkov-format-0.1-aws.tfplan.json', /format_version 0\.1/],
  ])('a plan file of the wrong shape (%s): exit 2 with the reason', async (_name, file, reason) => {
    const { code, stderr, stdout } = await terraform('healthy-private', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(reason);
    expect(stdout).toBe('');
  });
  // Last: the value it marks sensitive is a secret for the rest of this process.
  it('a value the plan marks sensitive (a name from a sensitive variable) never appears in any output', async () => {
    const plan = JSON.parse(await readFile(fixture('nsg-deny-above-mcr/plan.json'), 'utf8')) as {
      resource_changes: { change: { after_sensitive: Record<string, unknown> } }[];
    };
    plan.resource_changes[0]!.change.after_sensitive = { name: true };
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-tf-'));
    await writeFile(join(dir, 'plan.json'), JSON.stringify(plan));
    for (const format of ['json', 'markdown', 'sarif', 'table']) {
      const r = await runCli([
        'audit',
        '--mock',
        worldPath('healthy-private'),
        '--terraform-plan',
        join(dir, 'plan.json'),
        '--subscription',
        SUB,
        '--format',
        format,
        '-v',
      ]);
      expect(r.code, format).toBe(1);
      expect(r.stdout + r.stderr, format).not.toContain('DenyAllOutbound');
      expect(r.stdout, format).toContain('[REDACTED]');
    }
  });
});
