/**
 * Managed virtual network workspaces end to end: the mock's versioned contract, the outbound rules
 * read through the real SDK pipeline (paged), the managed network's private endpoints never read,
 * unexpected shapes as `error`, `--fix` provisioning, and each condition of managed-network-outbound.
 * The full verdict of every managed world is in matrix.test.ts.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import check from '../../checks/managed-network-outbound/index.js';
import { allChecks } from '../../checks/index.js';
import { createArmHandler } from '../../mocks/handler.js';
import { MANAGED_NETWORK_SUBSCRIPTION } from '../../mocks/services/machine-learning/index.js';
import { ids } from '../../mocks/worlds/generate.js';
import { allWorlds } from '../../mocks/worlds/index.js';
import { hubId, rules } from '../../mocks/worlds/managed.js';
import { ML_API_VERSION } from '../../src/arm/connection.js';
import { runAudit } from '../../src/engine/run.js';
import { packageRoot } from '../../src/base/paths.js';
import { parseWorld, type WorldInput } from '../../src/world/schema.js';
import { checkAuditor, runCli, startHarness, type MockHarness } from '../helpers.js';

const auditor = checkAuditor(check);
const world = (name: string): WorldInput => structuredClone(allWorlds()[name]!);
let harness: MockHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("the mock keeps ARM's versioned contract", () => {
  const w = parseWorld(world('healthy-managed'));
  const get = async (path: string, version: string) => {
    const h = createArmHandler(w);
    const a = await h.handle(
      { method: 'GET', url: `${path}?api-version=${version}`, headers: { authorization: 'Bearer t' } },
      'https://127.0.0.1:9',
    );
    return {
      status: a.status,
      body: JSON.parse(a.body ?? 'null') as { properties?: Record<string, unknown>; value?: unknown[]; error?: { code: string } },
    };
  };

  it('serves managedNetwork only from 2023-10-01 on', async () => {
    expect((await get(ids.workspace, '2022-10-01')).body.properties).not.toHaveProperty('managedNetwork');
    expect((await get(ids.workspace, '2022-10-01')).body.properties).not.toHaveProperty('serverlessComputeSettings');
    expect((await get(ids.workspace, '2023-10-01')).body.properties?.managedNetwork).toMatchObject({
      isolationMode: 'AllowOnlyApprovedOutbound',
    });
    expect((await get(ids.workspace, '2025-12-01')).body.properties).toHaveProperty('serverlessComputeSettings');
  });

  it('answers the outbound rules list from 2023-10-01 on, and 400 before', async () => {
    const old = await get(`${ids.workspace}/outboundRules`, '2022-10-01');
    expect(old.status).toBe(400);
    expect(old.body.error?.code).toBe('NoRegisteredProviderFound');
    expect((await get(`${ids.workspace}/outboundRules`, '2024-10-01')).body.value).toHaveLength(10);
  });

  it('answers 403 AuthorizationFailed in a subscription the caller has no access to', async () => {
    const pe = `/subscriptions/${MANAGED_NETWORK_SUBSCRIPTION}/resourceGroups/azureml-mvnet-x/providers/Microsoft.Network/privateEndpoints/x-pe`;
    const a = await get(pe, '2024-05-01');
    expect(a.status).toBe(403);
    expect(a.body.error?.code).toBe('AuthorizationFailed');
  });
});

describe('reading a managed network through the SDK', () => {
  it('reads the workspace at the GA api-version that defines it, and every page of the rules', async () => {
    harness = await startHarness({ ...world('healthy-managed'), pageSize: 3 });
    const ws = await harness.inventory.workspace(ids.workspace);
    expect(ws.managedNetwork).toEqual({
      isolationMode: 'AllowOnlyApprovedOutbound',
      status: 'Active',
      firewallSku: 'Standard',
      kind: 'V1',
      statusSource: 'managedNetwork.status.status',
    });
    expect(ws.managedNetworkKind).toBe('V1');
    const rulesRead = await harness.inventory.outboundRules(ids.workspace);
    expect(rulesRead.map((r) => r.name).sort()).toEqual(Object.values(rules).sort());
    const log = harness.server.handler.log;
    const mlRequests = log.filter((e) => /machinelearningservices/i.test(e.path));
    expect(mlRequests.every((e) => e.apiVersion === ML_API_VERSION)).toBe(true);
    // 10 rules at 3 a page: 4 pages, each a request the inventory counted.
    expect(log.filter((e) => /\/outboundRules$/i.test(e.path))).toHaveLength(4);
  });

  it("never reads the managed network's private endpoints, and still reads the customer's own", async () => {
    harness = await startHarness(world('managed-customer-pe'));
    const report = await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    expect(report.targets[0]!.results.filter((r) => r.status === 'error')).toEqual([]);
    const log = harness.server.handler.log;
    expect(log.filter((e) => e.path.includes(MANAGED_NETWORK_SUBSCRIPTION))).toEqual([]);
    expect(log.some((e) => e.path === ids.peRegistry && e.status === 200)).toBe(true);
    expect(log.filter((e) => e.status === 403)).toEqual([]);
  });

  it("reads a project's managed network and rules from its hub", async () => {
    const r = await auditor.audit(world('managed-hub-project'));
    expect(r.status).toBe('pass');
    expect(r.notes?.join(' ')).toContain('hub mlw-mlops-hub-weu');
    expect(auditor.harness.server.handler.log.some((e) => e.path.toLowerCase() === `${hubId}/outboundRules`.toLowerCase())).toBe(true);
  });

  it('a shape the spec does not define is an error naming the JSON path, not a crash', async () => {
    const w = world('healthy-managed');
    (
      w.resources.find((r) => r.id === ids.workspace)!.properties as {
        managedNetwork: { outboundRules: Record<string, { destination: unknown }> };
      }
    ).managedNetwork.outboundRules[rules.pypi]!.destination = 42;
    const r = await auditor.audit(w);
    expect(r.status).toBe('error');
    expect(r.reason).toMatch(/unexpected shape at value\[\d+\]\.properties\.destination/);
    const bad = world('healthy-managed');
    bad.resources.find((x) => x.id === ids.workspace)!.properties!.managedNetwork = { isolationMode: ['AllowOnlyApprovedOutbound'] };
    const r2 = await auditor.audit(bad);
    expect(r2.status).toBe('error');
    expect(r2.reason).toContain('properties.managedNetwork.isolationMode');
  });
});

describe('managed-network-outbound', () => {
  it('skips a workspace without a managed network', async () => {
    const r = await auditor.audit('healthy-private');
    expect(r.status).toBe('skip');
    expect(r.reason).toContain('isolation mode Disabled');
  });

  it('passes both healthy isolation modes', async () => {
    expect((await auditor.audit('healthy-managed')).status).toBe('pass');
    expect((await auditor.audit('managed-internet-outbound')).status).toBe('pass');
  });

  it('fails a network that is not provisioned, with the command and --fix as the way out', async () => {
    const r = await auditor.audit('managed-not-provisioned');
    expect(r.status).toBe('fail');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.message).toContain('is Inactive, not provisioned');
    expect(r.findings[0]!.remediation).toContain(
      'az ml workspace provision-network --resource-group rg-mlops-prod-weu --name mlw-mlops-prod-weu',
    );
    expect(r.findings[0]!.evidence).toMatchObject({ fixable: 'provisionManagedNetwork', isolationMode: 'AllowOnlyApprovedOutbound' });
  });

  it('fails a Failed rule with its errorInformation, and a missing rule with the outbound-rule command', async () => {
    const failed = await auditor.audit('managed-registry-rule-failed');
    expect(failed.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/__SYS_PE_crmlopsprodweu_registry .* is Failed, not Active: Failed to create private endpoint/),
    ]);
    expect(failed.findings[0]!.evidence).toMatchObject({
      rule: { name: rules.registry, type: 'PrivateEndpoint', category: 'Required', status: 'Failed' },
    });
    const missing = await auditor.audit('managed-storage-rule-missing');
    expect(missing.findings).toHaveLength(1);
    expect(missing.findings[0]!.remediation).toBe(
      `az ml workspace outbound-rule set --resource-group rg-mlops-prod-weu --workspace-name mlw-mlops-prod-weu --rule pe-stmlopsprodweu-file --type private_endpoint --service-resource-id ${ids.storage} --subresource-target file`,
    );
  });

  it('with AllowInternetOutbound, a missing rule for a public resource is a note, for the key vault a warning', async () => {
    const w = world('managed-internet-outbound');
    const mn = (
      w.resources.find((x) => x.id === ids.workspace)!.properties as { managedNetwork: { outboundRules: Record<string, unknown> } }
    ).managedNetwork;
    delete mn.outboundRules[rules.registry];
    delete mn.outboundRules[rules.vault];
    // Registry open to the public: reached over the Internet.
    const reg = w.resources.find((x) => x.id === ids.registry)!.properties as Record<string, any>;
    reg.publicNetworkAccess = 'Enabled';
    reg.networkRuleSet.defaultAction = 'Allow';
    const r = await auditor.audit(w);
    expect(r.status).toBe('warn');
    expect(r.findings.map((f) => [f.level, f.evidence.resourceId])).toEqual([['warning', ids.keyVault]]);
    expect(r.notes?.join(' ')).toContain('reached over the Internet (AllowInternetOutbound, public access open)');
    // The same registry closed: the missing rule is an error again.
    reg.publicNetworkAccess = 'Disabled';
    expect((await auditor.audit(w)).findings.filter((f) => f.level === 'error').map((f) => f.evidence.resourceId)).toEqual([ids.registry]);
  });

  it('fails a missing service-tag rule, and accepts the regional MCR tag', async () => {
    const r = await auditor.audit('managed-service-tag-missing');
    expect(r.findings.map((f) => f.evidence.tag)).toEqual(['AzureFrontDoor.FirstParty']);
    const regional = world('healthy-managed');
    const mn = (
      regional.resources.find((x) => x.id === ids.workspace)!.properties as {
        managedNetwork: { outboundRules: Record<string, { destination: { serviceTag: string; portRanges: string } }> };
      }
    ).managedNetwork;
    mn.outboundRules[rules.mcr]!.destination.serviceTag = 'MicrosoftContainerRegistry.WestEurope';
    expect((await auditor.audit(regional)).status).toBe('pass');
    mn.outboundRules[rules.mcr]!.destination.portRanges = '80';
    expect((await auditor.audit(regional)).findings.map((f) => f.evidence.tag)).toEqual(['MicrosoftContainerRegistry']);
  });

  it('warns when the package sources have no FQDN rule; a wildcard covers conda', async () => {
    const r = await auditor.audit('managed-package-fqdn-missing');
    expect(r.status).toBe('warn');
    expect(r.findings.map((f) => f.evidence.uncovered)).toEqual([['pypi.org', 'files.pythonhosted.org']]);
    // healthy-managed covers conda.anaconda.org with *.anaconda.org only.
    expect((await auditor.audit('healthy-managed')).findings).toEqual([]);
  });
});

describe('audit --fix on a managed network', () => {
  it('provisions the network, waits for the operation, and reports the verdict read afterwards', async () => {
    const file = join(packageRoot, 'mocks', 'worlds', 'managed-not-provisioned.json');
    const before = await runCli(['audit', '--mock', file, '--format', 'json']);
    expect(before.code).toBe(1);
    const r = await runCli(['audit', '--mock', file, '--fix', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('provisioning the managed network of mlw-mlops-prod-weu');
    const report = JSON.parse(r.stdout) as { targets: { results: { checkId: string; status: string; notes?: string[] }[] }[] };
    const results = report.targets[0]!.results;
    expect(results.find((x) => x.checkId === 'managed-network-outbound')).toMatchObject({
      status: 'pass',
      notes: [expect.stringContaining('fixed by --fix: provisionManagedNetwork ran (status Active)')],
    });
    expect(results.filter((x) => x.status === 'fail' || x.status === 'error')).toEqual([]);
  });
});

describe('the new reads stay inside the SDK pipeline', () => {
  it('a throttled or failing outbound-rules list is retried, paced and counted like every read', async () => {
    const w = world('healthy-managed');
    w.faults = [
      { match: 'GET .*/outboundRules$', status: 429, headers: { 'Retry-After': '1' }, times: 1 },
      { match: 'GET .*/outboundRules$', status: 503, times: 1 },
    ];
    harness = await startHarness(w);
    const report = await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    expect(report.targets[0]!.results.filter((r) => r.status === 'error')).toEqual([]);
    const rulesLog = harness.server.handler.log.filter((e) => /\/outboundRules$/i.test(e.path));
    expect(rulesLog.map((e) => e.status)).toEqual([429, 503, 200]);
    expect(report.stats.armRequests).toBe(harness.server.handler.log.length);
  });

  it('a 403 on the rules names the RBAC action, and only the checks that need them error', async () => {
    const w = world('healthy-managed');
    w.faults = [{ match: 'GET .*/outboundRules$', status: 403 }];
    harness = await startHarness(w);
    const report = await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    const byId = Object.fromEntries(report.targets[0]!.results.map((r) => [r.checkId, r]));
    expect(byId['managed-network-outbound']!.status).toBe('error');
    expect(byId['managed-network-outbound']!.reason).toContain('grant Microsoft.MachineLearningServices/workspaces/outboundRules/read');
    expect(byId['workspace-keys-in-sync']!.status).toBe('pass');
  });
});

describe('everywhere else', () => {
  it('the Markdown diagram draws the managed network, its endpoints, and a failing rule in red', async () => {
    const r = await runCli([
      'audit',
      '--mock',
      join(packageRoot, 'mocks', 'worlds', 'demo-managed.json'),
      '--workspace',
      ids.workspace,
      '--format',
      'markdown',
    ]);
    expect(r.code).toBe(1);
    const mermaid = r.stdout.slice(r.stdout.indexOf('```mermaid'), r.stdout.indexOf('```', r.stdout.indexOf('```mermaid') + 3));
    expect(mermaid).toMatch(/subgraph (n\d+)\["managed VNet of mlw-mlops-prod-weu \(AllowOnlyApprovedOutbound, Active\)"\]/);
    expect(mermaid).toContain('🖥️ cpu-build-cluster');
    const failed = /(n\d+)\{\{"🔌 __SYS_PE_crmlopsprodweu_registry \(registry\)"\}\}/.exec(mermaid)![1]!;
    expect(mermaid).toMatch(new RegExp(`${failed} -\\.->\\|"⛔ Failed"\\|`));
    expect(new RegExp(`class [n0-9,]*\\b${failed}\\b`).test(mermaid)).toBe(true);
    expect(mermaid).toContain('-.->|"⛔ no service-tag rule"| mcr');
  });

  it('permissions lists the outbound-rules read; explain prints the README', async () => {
    const role = JSON.parse((await runCli(['permissions', '--check', 'managed-network-outbound'])).stdout) as { Actions: string[] };
    expect(role.Actions).toContain('Microsoft.MachineLearningServices/workspaces/outboundRules/read');
    const explain = await runCli(['explain', 'managed-network-outbound']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('az ml workspace provision-network');
  });

  it('--image on a public registry needs FQDN rules for its hosts with AllowOnlyApprovedOutbound', async () => {
    const image = (await import('../../checks/image-reference/index.js')).default;
    const h = await startHarness(world('healthy-managed'));
    harness = h;
    const audit = async () =>
      (
        await runAudit({
          inventory: h.inventory,
          checks: [image],
          workspaceIds: [ids.workspace],
          checkOptions: { images: ['docker.io/library/python:3.11'] },
        })
      ).targets[0]!.results[0]!;
    const r = await audit();
    expect(r.status).toBe('fail');
    expect(r.findings[0]!.evidence.uncovered).toEqual(['registry-1.docker.io', 'auth.docker.io', 'production.cloudflare.docker.com']);
    const open = await startHarness(world('managed-internet-outbound'));
    try {
      const r2 = (
        await runAudit({
          inventory: open.inventory,
          checks: [image],
          workspaceIds: [ids.workspace],
          checkOptions: { images: ['docker.io/library/python:3.11'] },
        })
      ).targets[0]!.results[0]!;
      expect(r2.status).toBe('pass');
    } finally {
      await open.close();
    }
  });
});
