/**
 * Managed network V2 (api-version 2025-12-01, `managedNetworkKind: V2`) end to end: the mock's
 * versioned contract for `…/managedNetworks/default` and its rules, the reads through the real SDK
 * pipeline, verdicts that never depend on the V1 paths, the evidence naming the generation, `--fix`,
 * Resource Graph mode and snapshots. The full verdict of every V2 world is in matrix.test.ts.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import check from '../../checks/managed-network-outbound/index.js';
import { allChecks } from '../../checks/index.js';
import { createArmHandler } from '../../mocks/handler.js';
import { ids } from '../../mocks/worlds/generate.js';
import { allWorlds } from '../../mocks/worlds/index.js';
import { rules } from '../../mocks/worlds/managed.js';
import { managedNetworkV2Id } from '../../mocks/worlds/managed-v2.js';
import { runAudit } from '../../src/engine/run.js';
import { packageRoot } from '../../src/base/paths.js';
import { parseWorld, type WorldInput } from '../../src/world/schema.js';
import { checkAuditor, runCli, startHarness, type MockHarness } from '../helpers.js';

const auditor = checkAuditor(check);
const world = (name: string): WorldInput => structuredClone(allWorlds()[name]!);
const worldFile = (name: string): string => join(packageRoot, 'mocks', 'worlds', `${name}.json`);
let harness: MockHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Requests to the V1 managed-network paths of the workspace: a V2 verdict must never need them. */
const v1Paths = (h: MockHarness) =>
  h.server.handler.log.filter(
    (e) => /\/workspaces\/[^/]+\/(outboundRules|outboundRules\/[^/]+)$/i.test(e.path) && !/managedNetworks/i.test(e.path),
  );

describe('the mock serves V2 as the spec defines it, gated by api-version', () => {
  const w = parseWorld(world('healthy-managed-v2'));
  const get = async (path: string, version: string) => {
    const a = await createArmHandler(w, { pageSize: 4 }).handle(
      { method: 'GET', url: `${path}?api-version=${version}`, headers: { authorization: 'Bearer t' } },
      'https://127.0.0.1:9',
    );
    return {
      status: a.status,
      body: JSON.parse(a.body ?? 'null') as {
        properties?: Record<string, any>;
        value?: { id: string; type: string; properties: { status: string } }[];
        nextLink?: string;
        error?: { code: string };
      },
    };
  };

  it('managedNetworks/default and its rules from 2025-12-01 on, 400 NoRegisteredProviderFound before', async () => {
    for (const path of [
      managedNetworkV2Id,
      `${managedNetworkV2Id}/outboundRules`,
      `${managedNetworkV2Id}/outboundRules/${rules.registry}`,
    ]) {
      const old = await get(path, '2024-10-01');
      expect(old.status, path).toBe(400);
      expect(old.body.error?.code).toBe('NoRegisteredProviderFound');
    }
    const mn = await get(managedNetworkV2Id, '2025-12-01');
    expect(mn.status).toBe(200);
    expect(mn.body.properties).toMatchObject({
      provisioningState: 'Succeeded',
      managedNetwork: { isolationMode: 'AllowOnlyApprovedOutbound', managedNetworkKind: 'V2', firewallSku: 'Standard' },
    });
    // Paged like every ARM list, each rule a resource of its own below the V2 network.
    const page = await get(`${managedNetworkV2Id}/outboundRules`, '2025-12-01');
    expect(page.body.value).toHaveLength(4);
    expect(page.body.nextLink).toBeTruthy();
    expect(page.body.value![0]!.id.toLowerCase().startsWith(`${managedNetworkV2Id}/outboundRules/`.toLowerCase())).toBe(true);
    expect((await get(`${managedNetworkV2Id}/outboundRules/${rules.registry}`, '2025-12-01')).body.properties?.status).toBe('Active');
  });

  it('managedNetworkKind only from 2025-12-01 on', async () => {
    expect((await get(ids.workspace, '2025-12-01')).body.properties?.managedNetwork).toMatchObject({ managedNetworkKind: 'V2' });
    expect((await get(ids.workspace, '2024-10-01')).body.properties?.managedNetwork).not.toHaveProperty('managedNetworkKind');
  });
});

describe('reading a V2 managed network through the SDK', () => {
  it('reads the V2 resource and its rules (every page), and never the V1 paths', async () => {
    harness = await startHarness({ ...world('healthy-managed-v2'), pageSize: 3 });
    const ws = await harness.inventory.workspace(ids.workspace);
    expect(ws.managedNetworkKind).toBe('V2');
    // The workspace body is never read as the network.
    expect(ws.managedNetwork).toBeUndefined();
    expect(await harness.inventory.managedNetworkV2(ids.workspace)).toEqual({
      isolationMode: 'AllowOnlyApprovedOutbound',
      status: 'Active',
      firewallSku: 'Standard',
      kind: 'V2',
      statusSource: 'managedNetwork.status.status',
    });
    const report = await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    expect(report.targets[0]!.results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
    expect(v1Paths(harness)).toEqual([]);
    // 10 rules at 3 a page: 4 pages.
    expect(harness.server.handler.log.filter((e) => /managedNetworks\/default\/outboundRules$/i.test(e.path))).toHaveLength(4);
  });

  it('a V2 body without managedNetwork.status is judged by its provisioningState, and says so', async () => {
    harness = await startHarness(world('managed-v2-provisioning'));
    const mn = await harness.inventory.managedNetworkV2(ids.workspace);
    expect(mn).toMatchObject({ status: 'Provisioning', statusSource: 'provisioningState' });
    const r = await auditor.audit('managed-v2-provisioning');
    expect(r.status).toBe('fail');
    expect(r.findings[0]!.message).toContain('is Provisioning, not provisioned');
    expect(r.findings[0]!.evidence).toMatchObject({ managedNetworkKind: 'V2', managedNetworkStatusSource: 'provisioningState' });
    expect((await auditor.audit('managed-v2-status-from-provisioning-state')).status).toBe('pass');
  });

  it('a workspace moved from V1 is judged by V2 alone, whatever its body and the V1 list still say', async () => {
    harness = await startHarness(world('managed-v2-moved-from-v1'));
    const report = await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    expect(report.targets[0]!.results.filter((r) => r.status === 'fail' || r.status === 'error' || r.status === 'warn')).toEqual([]);
    expect(v1Paths(harness)).toEqual([]);
    // The V1 list is there and would have failed the check: the verdict did not come from it.
    const stale = await createArmHandler(parseWorld(world('managed-v2-moved-from-v1'))).handle(
      { method: 'GET', url: `${ids.workspace}/outboundRules?api-version=2025-12-01`, headers: { authorization: 'Bearer t' } },
      'https://127.0.0.1:9',
    );
    const items = (JSON.parse(stale.body!) as { value: { properties: { status: string } }[] }).value;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.properties.status === 'Inactive')).toBe(true);
  });

  it('a shape the spec does not define in managedNetworks/default is an error naming the JSON path', async () => {
    const w = world('healthy-managed-v2');
    (w.resources.find((r) => r.id === managedNetworkV2Id)!.properties as Record<string, any>).managedNetwork.isolationMode = 7;
    const r = await auditor.audit(w);
    expect(r.status).toBe('error');
    expect(r.reason).toContain('properties.managedNetwork.isolationMode');
  });

  it('a 403 on managedNetworks/default or its rules is error naming the V2 action, never a pass', async () => {
    for (const [match, action] of [
      ['GET .*/managedNetworks/default$', 'Microsoft.MachineLearningServices/workspaces/managedNetworks/read'],
      ['GET .*/managedNetworks/default/outboundRules$', 'Microsoft.MachineLearningServices/workspaces/managedNetworks/outboundRules/read'],
    ] as const) {
      const w = world('healthy-managed-v2');
      w.faults = [{ match, status: 403 }];
      const r = await auditor.audit(w);
      expect(r.status, match).toBe('error');
      expect(r.reason).toContain(`grant ${action}`);
    }
  });

  it('a throttled V2 read is retried inside the pipeline and changes no verdict', async () => {
    const w = world('healthy-managed-v2');
    w.faults = [
      { match: 'GET .*/managedNetworks/default$', status: 429, headers: { 'Retry-After': '1' }, times: 1 },
      { match: 'GET .*/managedNetworks/default/outboundRules$', status: 503, times: 1 },
    ];
    harness = await startHarness(w);
    const report = await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    expect(report.targets[0]!.results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
    expect(report.stats.armRequests).toBe(harness.server.handler.log.length);
  });
});

describe('managed-network-outbound on V2', () => {
  it('says which generation it judged, and points rule findings at the V2 rules', async () => {
    const failed = await auditor.audit('managed-v2-registry-rule-failed');
    expect(failed.status).toBe('fail');
    expect(failed.findings).toHaveLength(1);
    expect(failed.findings[0]!.resourceId).toBe(`${managedNetworkV2Id}/outboundRules/${rules.registry}`);
    expect(failed.findings[0]!.evidence).toMatchObject({ managedNetworkKind: 'V2', rule: { name: rules.registry, status: 'Failed' } });
    const v1 = await auditor.audit('managed-registry-rule-failed');
    expect(v1.findings[0]!.resourceId).toBe(`${ids.workspace}/outboundRules/${rules.registry}`);
    expect(v1.findings[0]!.evidence).toMatchObject({ managedNetworkKind: 'V1' });
  });

  it('FQDN-rule findings say that FQDN rules run on the managed Azure Firewall, and its SKU', async () => {
    const r = await auditor.audit('managed-v2-package-fqdn-missing');
    expect(r.status).toBe('warn');
    expect(r.findings[0]!.evidence.managedFirewall).toBe("FQDN rules run on the managed network's Azure Firewall (SKU Standard)");
    const none = world('healthy-managed-v2');
    const mn = (none.resources.find((x) => x.id === managedNetworkV2Id)!.properties as Record<string, any>).managedNetwork;
    for (const name of Object.keys(mn.outboundRules)) if (mn.outboundRules[name].type === 'FQDN') delete mn.outboundRules[name];
    delete mn.firewallSku;
    const first = await auditor.audit(none);
    expect(first.findings.map((f) => f.evidence.managedFirewall)).toEqual([
      expect.stringMatching(
        /^no FQDN rule yet: the first one makes Azure ML create the managed network's Azure Firewall \(SKU Standard, the default\)/,
      ),
      expect.stringMatching(/^no FQDN rule yet/),
    ]);
  });

  it('each defect gives the finding it gives on V1', async () => {
    for (const [v2, v1] of [
      ['managed-v2-not-provisioned', 'managed-not-provisioned'],
      ['managed-v2-registry-rule-failed', 'managed-registry-rule-failed'],
      ['managed-v2-storage-rule-missing', 'managed-storage-rule-missing'],
      ['managed-v2-service-tag-missing', 'managed-service-tag-missing'],
      ['managed-v2-package-fqdn-missing', 'managed-package-fqdn-missing'],
      ['managed-v2-internet-outbound', 'managed-internet-outbound'],
    ] as const) {
      const a = await auditor.audit(v2);
      const b = await auditor.audit(v1);
      expect(a.status, v2).toBe(b.status);
      expect(
        a.findings.map((f) => f.message),
        v2,
      ).toEqual(b.findings.map((f) => f.message));
    }
  });
});

describe('everywhere else, on V2', () => {
  it('a healthy V2 workspace passes the gate: exit 0', async () => {
    const r = await runCli(['audit', '--mock', worldFile('healthy-managed-v2'), '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('--fix provisions a V2 network and reports the verdict read afterwards from the V2 resource', async () => {
    const file = worldFile('managed-v2-not-provisioned');
    expect((await runCli(['audit', '--mock', file, '--format', 'json'])).code).toBe(1);
    const r = await runCli(['audit', '--mock', file, '--fix', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { targets: { results: { checkId: string; status: string; notes?: string[] }[] }[] };
    expect(report.targets[0]!.results.find((x) => x.checkId === 'managed-network-outbound')).toMatchObject({
      status: 'pass',
      notes: [expect.stringContaining('fixed by --fix: provisionManagedNetwork ran (status Active)')],
    });
  });

  it('after provisioning, the mock shows the V2 network and its rules Active', async () => {
    harness = await startHarness(world('managed-v2-not-provisioned'), { resyncPolls: 1 });
    expect(await harness.inventory.managedNetworkV2(ids.workspace)).toMatchObject({ status: 'Inactive' });
    await harness.inventory.provisionManagedNetwork(ids.workspace, { pollIntervalInMs: 0 });
    expect(await harness.inventory.managedNetworkV2(ids.workspace)).toMatchObject({ status: 'Active' });
    expect((await harness.inventory.outboundRules(ids.workspace, 'V2')).every((r) => r.status === 'Active')).toBe(true);
  });

  it('Resource Graph mode gives the verdicts ARM mode gives', async () => {
    for (const name of ['healthy-managed-v2', 'managed-v2-registry-rule-failed', 'managed-v2-moved-from-v1']) {
      const arm = await runCli(['audit', '--mock', worldFile(name), '--format', 'json']);
      const graph = await runCli(['audit', '--mock', worldFile(name), '--format', 'json', '--inventory', 'resource-graph']);
      const statuses = (out: string) =>
        (JSON.parse(out) as { targets: { results: { checkId: string; status: string }[] }[] }).targets[0]!.results.map((x) => [
          x.checkId,
          x.status,
        ]);
      expect(statuses(graph.stdout), name).toEqual(statuses(arm.stdout));
      expect(graph.code, name).toBe(arm.code);
    }
  });

  it('a snapshot records the V2 network and its rules, and replays to the same verdicts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-v2-'));
    const out = join(dir, 'snap.json');
    const snap = await runCli([
      'snapshot',
      '--workspace',
      ids.workspace,
      '--mock',
      worldFile('managed-v2-registry-rule-failed'),
      '-o',
      out,
    ]);
    expect(snap.code, snap.stderr).toBe(0);
    const recorded = JSON.parse(await readFile(out, 'utf8')) as { resources: { id: string }[] };
    const idsRecorded = recorded.resources.map((r) => r.id.toLowerCase());
    expect(idsRecorded).toContain(managedNetworkV2Id.toLowerCase());
    expect(idsRecorded).toContain(`${managedNetworkV2Id}/outboundRules/${rules.registry}`.toLowerCase());
    const live = await runCli(['audit', '--mock', worldFile('managed-v2-registry-rule-failed'), '--format', 'json']);
    const replay = await runCli(['audit', '--mock', out, '--workspace', ids.workspace, '--format', 'json']);
    const verdicts = (o: string) =>
      (JSON.parse(o) as { targets: { results: { checkId: string; status: string }[] }[] }).targets[0]!.results.map(
        (x) => `${x.checkId}=${x.status}`,
      );
    expect(verdicts(replay.stdout)).toEqual(verdicts(live.stdout));
  });

  it('the Markdown diagram draws one managed network and names it V2', async () => {
    const r = await runCli(['audit', '--mock', worldFile('managed-v2-registry-rule-failed'), '--format', 'markdown']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/subgraph n\d+\["managed VNet \(V2\) of mlw-mlops-prod-weu \(AllowOnlyApprovedOutbound, Active\)"\]/);
  });
});
