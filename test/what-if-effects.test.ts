/**
 * `audit --what-if` over what Azure does on its own when a deployment applies (issue 26 §2): each
 * case a template and ARM's answer in Microsoft's what-if shape, through the real SDK over HTTPS.
 */
import { describe, expect, it } from 'vitest';
import type { AuditReport, TargetResult } from '../src/report/types.js';
import { ids } from '../mocks/worlds/generate.js';
import { whatIfChildCases } from '../mocks/worlds/what-if.js';
import { whatIfEffectCases } from '../mocks/worlds/what-if-effects.js';
import { PlannedState } from '../src/what-if/plan.js';
import { whatIfRunner } from './what-if-runner.js';

const { audit: run } = whatIfRunner('what-if-effects', () => [...whatIfEffectCases(), ...whatIfChildCases()]);
const whatIf = (name: string, ...args: string[]) => run(name, args);

const target = (report: AuditReport, id: string = ids.workspace): TargetResult => {
  const t = report.targets.find((x) => x.workspaceId.toLowerCase() === id.toLowerCase());
  expect(t, `${id.split('/').pop()} is audited`).toBeDefined();
  return t!;
};
/** check → `status` (or `live→planned` when the deployment changes it). */
const verdicts = (t: TargetResult): Record<string, string> =>
  Object.fromEntries(t.results.map((r) => [r.checkId, r.liveStatus ? `${r.liveStatus}→${r.status}` : r.status]));
const result = (t: TargetResult, check: string) => t.results.find((r) => r.checkId === check)!;
const states = (t: TargetResult, check: string) => new Set(result(t, check).findings.map((f) => f.deploymentState));

const PRIVATE = {
  'same-vnet-placement': 'pass',
  'acr-private-endpoint-region': 'pass',
  'image-build-compute': 'pass',
  'acr-workspace-access': 'pass',
  'private-dns-zones': 'pass',
  'nsg-outbound-service-tags': 'pass',
  'compute-outbound': 'pass',
  'managed-network-outbound': 'skip',
  'workspace-keys-in-sync': 'skip',
  // Nothing here needs a role: admin user enabled, shared keys allowed, no key vault read.
  'identity-access': 'skip',
};
const MANAGED = {
  ...PRIVATE,
  'private-dns-zones': 'skip',
  'nsg-outbound-service-tags': 'skip',
  'compute-outbound': 'skip',
};

describe('a deleted private endpoint', () => {
  it('takes its connection and DNS zone group with it: the computes lose the registry, nothing errors on a 404', async () => {
    const r = await whatIf('whatif-deletes-registry-endpoint');
    const t = target(r.report);
    expect(verdicts(t)).toEqual({
      ...PRIVATE,
      'same-vnet-placement': 'pass→fail',
      'image-build-compute': 'pass→fail',
      // The registry has no private endpoint left to judge, rather than one Azure removed.
      'acr-private-endpoint-region': 'pass→skip',
    });
    expect(states(t, 'same-vnet-placement')).toEqual(new Set(['introduced']));
    expect(
      result(t, 'same-vnet-placement')
        .findings.map((f) => f.message)
        .join('\n'),
    ).toMatch(/cannot reach container registry crmlopsprodweu/);
    expect(result(t, 'image-build-compute').findings[0]!.message).toMatch(/has no approved private endpoint/);
    expect(r.code).toBe(1);
  });
});

describe('a workspace the deployment creates', () => {
  it('has exactly the computes the deployment creates, no live side, and only introduced findings', async () => {
    const r = await whatIf('whatif-creates-workspace');
    const t = target(r.report, ids.workspace.replace('mlw-mlops-prod-weu', 'mlw-mlops-dev-weu'));
    // Nothing of it exists live: no live status at all, let alone an error.
    expect(t.results.filter((x) => x.liveStatus !== undefined)).toEqual([]);
    expect(verdicts(t)).toEqual({ ...PRIVATE, 'image-build-compute': 'fail' });
    expect(result(t, 'image-build-compute').findings.map((f) => f.messageId)).toEqual(['gpu']);
    expect(states(t, 'image-build-compute')).toEqual(new Set(['introduced']));
    expect(r.report.whatIf).toMatchObject({ introduced: 1, unchanged: 0, fixed: [] });
    expect(r.code).toBe(1);
  });
});

describe('child resources select the workspace at every depth', () => {
  for (const c of whatIfChildCases()) {
    it(`deleting a ${c.child} audits the workspace that depends on it`, async () => {
      const r = await whatIf(c.name);
      expect(r.report.targets.map((t) => t.workspaceId.toLowerCase())).toEqual([ids.workspace.toLowerCase()]);
    });
  }

  it('a deleted peering: the workspace is audited, and Azure leaves the other side Disconnected', async () => {
    const r = await whatIf('whatif-deletes-build-peering');
    const t = target(r.report);
    expect(verdicts(t)).toEqual({ ...PRIVATE, 'same-vnet-placement': 'pass→fail', 'image-build-compute': 'pass→fail' });
    expect(result(t, 'image-build-compute').findings[0]!.message).toMatch(/not peered with it/);
    expect(r.code).toBe(1);
  });
});

describe('changeType Unsupported', () => {
  it("a check that reads the resource errors naming it and ARM's reason; the workspace is selected as by a Modify", async () => {
    for (const args of [[], ['--workspace', ids.workspace]]) {
      const r = await whatIf('whatif-unsupported-nsg', ...args);
      const t = target(r.report);
      expect(verdicts(t)).toEqual({ ...PRIVATE, 'nsg-outbound-service-tags': 'pass→error', 'compute-outbound': 'pass→error' });
      expect(result(t, 'nsg-outbound-service-tags').reason).toMatch(
        /what-if cannot predict the change of .*networkSecurityGroups\/nsg-mlops-training-weu \(changeType Unsupported: Changes to the resource declared at 'resources\[0\]'/,
      );
      expect(r.code).toBe(3);
    }
  });
});

describe('properties the service sets', () => {
  it('FQDN rules added to a provisioned V1 network are Active: the missing-PyPI warning is fixed, nothing introduced', async () => {
    const r = await whatIf('whatif-adds-pypi-rules');
    expect(verdicts(target(r.report))).toEqual({ ...MANAGED, 'managed-network-outbound': 'warn→pass' });
    expect(r.report.whatIf).toMatchObject({ introduced: 0 });
    expect(r.report.whatIf!.fixed.length).toBeGreaterThan(0);
    expect(r.code).toBe(0);
  });

  it("rules written in the workspace's map join the live list Active; the rules the service added stay", async () => {
    const r = await whatIf('whatif-workspace-map-adds-pypi');
    expect(verdicts(target(r.report))).toEqual({ ...MANAGED, 'managed-network-outbound': 'warn→pass' });
    expect(r.report.whatIf).toMatchObject({ introduced: 0 });
    expect(r.code).toBe(0);
  });

  it('the same under a V2 network (managedNetworks/default/outboundRules): Active, the warning fixed', async () => {
    const r = await whatIf('whatif-adds-pypi-rules-v2');
    expect(verdicts(target(r.report))).toEqual({ ...MANAGED, 'managed-network-outbound': 'warn→pass' });
    expect(r.report.whatIf).toMatchObject({ introduced: 0 });
    expect(r.code).toBe(0);
  });

  it('rules added while the network is still Provisioning: the checks that read them cannot decide yet and name the path', async () => {
    const r = await whatIf('whatif-adds-rules-provisioning');
    const t = target(r.report);
    expect(result(t, 'managed-network-outbound').status).toBe('error');
    for (const x of t.results.filter((y) => y.status === 'error'))
      expect(x.reason).toMatch(
        /what-if cannot tell properties\.status of .*outboundRules\/allow-pypi yet: .*the managed network is Provisioning/,
      );
    expect(t.results.filter((x) => x.status === 'fail')).toEqual([]);
    expect(r.code).toBe(3);
  });

  it('both sides of a peering created together are Connected: the build cluster reaches the registry', async () => {
    const r = await whatIf('whatif-peers-build-vnet');
    expect(verdicts(target(r.report))).toEqual({ ...PRIVATE, 'same-vnet-placement': 'fail→pass', 'image-build-compute': 'fail→pass' });
    expect(r.code).toBe(0);
  });

  it('one side alone stays Initiated, as Azure leaves it: still unreachable, and why', async () => {
    const r = await whatIf('whatif-peers-one-side');
    const t = target(r.report);
    expect(verdicts(t)).toEqual({ ...PRIVATE, 'same-vnet-placement': 'fail', 'image-build-compute': 'fail' });
    expect(result(t, 'image-build-compute').findings[0]!.message).toMatch(/peer-vnet-mlops-prod-weu on vnet-mlops-build-weu is Initiated/);
  });
});

describe('an unevaluated value', () => {
  it("makes unreadable only what it touches: a new cluster's subnet errors the checks that read every placement, not image-build-compute", async () => {
    const r = await whatIf('whatif-unevaluated-compute-subnet');
    const t = target(r.report);
    expect(verdicts(t)).toEqual({
      ...PRIVATE,
      'same-vnet-placement': 'pass→error',
      'private-dns-zones': 'pass→error',
      'nsg-outbound-service-tags': 'pass→error',
      'compute-outbound': 'pass→error',
    });
    for (const x of t.results.filter((y) => y.status === 'error'))
      expect(x.reason).toMatch(/what-if could not evaluate properties\.properties\.subnet\.id of .*computes\/cpu-batch-cluster/);
    expect(r.code).toBe(3);
  });
});

describe('a private endpoint the deployment creates', () => {
  it("a manual connection request joins the registry's connections Pending: the build cluster still cannot reach it", async () => {
    const r = await whatIf('whatif-adds-build-endpoint-manual');
    const t = target(r.report);
    expect(verdicts(t)).toEqual({
      ...PRIVATE,
      'same-vnet-placement': 'fail',
      'image-build-compute': 'fail',
      'acr-private-endpoint-region': 'pass→fail',
    });
    expect(
      result(t, 'acr-private-endpoint-region')
        .findings.map((f) => f.message)
        .join('\n'),
    ).toMatch(/Pending/);
    expect(r.code).toBe(1);
  });

  it("an automatic one: whether Azure approves it is open, so the checks that read the registry's connections cannot decide", async () => {
    const r = await whatIf('whatif-adds-build-endpoint');
    const t = target(r.report);
    expect(t.results.filter((x) => x.status === 'fail')).toEqual([]);
    expect(result(t, 'image-build-compute').status).toBe('error');
    for (const x of t.results.filter((y) => y.status === 'error'))
      expect(x.reason).toMatch(
        /what-if cannot tell properties\.privateEndpointConnections\[1\]\.properties\.privateLinkServiceConnectionState\.status of crmlopsprodweu yet/,
      );
    expect(r.code).toBe(3);
  });
});

describe('the planned state, by parent chain (pure)', () => {
  const url = (id: string) => `https://127.0.0.1${id}?api-version=2024-05-01`;
  const deleted = new PlannedState([{ resourceId: ids.peRegistry, changeType: 'Delete' }]);

  it('under a deleted endpoint nothing exists: its zone groups, listed or by id', () => {
    expect(deleted.answer('GET', url(`${ids.peRegistry}/privateDnsZoneGroups`))).toMatchObject({
      status: 404,
      body: { error: { code: 'ParentResourceNotFound' } },
    });
    expect(deleted.answer('GET', url(`${ids.peRegistry}/privateDnsZoneGroups/default`))?.status).toBe(404);
  });

  it("a live target loses the deleted endpoint's connection, embedded or read by id, and keeps the others", () => {
    const connection = (pe: string) => ({
      id: `${ids.registry}/privateEndpointConnections/${pe.split('/').pop()}`,
      properties: { privateEndpoint: { id: pe } },
    });
    const registry = { id: ids.registry, properties: { privateEndpointConnections: [connection(ids.peRegistry), connection(ids.peBlob)] } };
    const adjusted = deleted.adjust('GET', url(ids.registry), 200, JSON.stringify(registry));
    const kept = (JSON.parse(adjusted!.bodyText) as typeof registry).properties.privateEndpointConnections.map(
      (c) => c.properties.privateEndpoint.id,
    );
    expect(kept).toEqual([ids.peBlob]);
    const own = connection(ids.peRegistry);
    expect(deleted.adjust('GET', url(own.id), 200, JSON.stringify(own))?.status).toBe(404);
    expect(deleted.adjust('GET', url(ids.storage), 200, JSON.stringify({ id: ids.storage, properties: {} }))).toBeUndefined();
  });

  it('a created parent has only the children the plan creates; a subnet of a planned VNet is its body', () => {
    const vnet = ids.vnet.replace('vnet-mlops-prod-weu', 'vnet-mlops-new-weu');
    const plan = new PlannedState([
      { resourceId: ids.workspace, changeType: 'Create', after: { properties: {} } },
      { resourceId: vnet, changeType: 'Create', after: { properties: { subnets: [{ id: `${vnet}/subnets/snet-a`, properties: {} }] } } },
    ]);
    expect(plan.answer('GET', url(`${ids.workspace}/computes`))).toEqual({ status: 200, body: { value: [] } });
    expect(plan.answer('GET', url(`${ids.workspace}/computes/cpu-build-cluster`))?.status).toBe(404);
    expect(plan.answer('GET', url(`${vnet}/subnets/snet-a`))).toMatchObject({ status: 200, body: { id: `${vnet}/subnets/snet-a` } });
    expect(plan.answer('GET', url(`${vnet}/subnets/snet-b`))?.status).toBe(404);
  });

  it('Unsupported is never read live, and neither is a write without a body', () => {
    const plan = new PlannedState([
      { resourceId: ids.nsg, changeType: 'Unsupported', unsupportedReason: 'its name is computed at deployment time' },
      { resourceId: ids.routeTable, changeType: 'Deploy' },
    ]);
    expect(plan.answer('GET', url(ids.nsg))).toMatchObject({ status: 400, body: { error: { code: 'WhatIfUnsupported' } } });
    expect(plan.answer('GET', url(`${ids.nsg}/securityRules/AllowMcrOutbound`))?.status).toBe(400);
    expect(plan.answer('GET', url(ids.routeTable))).toMatchObject({ status: 400, body: { error: { code: 'WhatIfNoBody' } } });
  });
});
