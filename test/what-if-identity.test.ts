/** `audit --what-if` of deployments that create or delete role assignments: identity-access on the planned state. */
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/report/types.js';
import { PlannedState } from '../src/what-if/plan.js';
import { ids, RG, SUB } from '../mocks/worlds/generate.js';
import { COMPUTE_PRINCIPALS } from '../mocks/worlds/identity.js';
import { whatIfIdentityCases } from '../mocks/worlds/what-if-identity.js';
import { whatIfRunner } from './what-if-runner.js';

const { audit: run } = whatIfRunner('what-if-identity', whatIfIdentityCases);
const whatIf = (name: string) => run(name, ['--check', 'identity-access']);

const result = (report: AuditReport) => report.targets.find((t) => t.workspaceId === ids.workspace)?.results[0];
const GPU = COMPUTE_PRINCIPALS['gpu-train-cluster']!;
const PULL = 'Microsoft.ContainerRegistry/registries/pull/read';

describe('audit --what-if: role assignments', () => {
  it('a deployment assigning the missing AcrPull on the registry fixes the finding', async () => {
    const r = await whatIf('whatif-identity-grants-acrpull');
    expect(r.code, r.stderr).toBe(0);
    const ia = result(r.report)!;
    expect(`${ia.liveStatus}→${ia.status}`).toBe('fail→pass');
    expect(r.report.whatIf?.fixed.map((f) => [f.checkId, f.deploymentState, f.resourceId, f.message.split(' cannot ')[0]])).toEqual([
      ['identity-access', 'fixed', ids.registry, 'compute gpu-train-cluster'],
    ]);
    expect(r.report.whatIf?.introduced).toBe(0);
  });

  it('an assignment on the resource group (not under the registry) still selects the workspace, and the registry inherits it', async () => {
    const r = await whatIf('whatif-identity-grants-acrpull-rg');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.targets.map((t) => t.workspaceId)).toEqual([ids.workspace]);
    expect(result(r.report)!.status).toBe('pass');
    expect(r.report.whatIf?.fixed).toHaveLength(1);
  });

  it('a deployment deleting a compute identity’s AcrPull introduces the failure', async () => {
    const r = await whatIf('whatif-identity-deletes-acrpull');
    expect(r.code).toBe(1);
    const ia = result(r.report)!;
    expect(`${ia.liveStatus}→${ia.status}`).toBe('pass→fail');
    expect(ia.findings.map((f) => [f.deploymentState, f.message])).toEqual([
      [
        'introduced',
        `compute cpu-build-cluster cannot ${PULL} on crmlopsprodweu (the registry's admin user is disabled, so Azure ML builds and pulls images with managed identities): no role assignment applies at that scope or above.`,
      ],
    ]);
  });

  it('disallowing shared keys on the storage account selects the workspace and introduces the key-based datastores finding', async () => {
    const r = await whatIf('whatif-identity-disallows-shared-keys');
    expect(r.code).toBe(1);
    const ia = result(r.report)!;
    expect(`${ia.liveStatus}→${ia.status}`).toBe('pass→fail');
    expect(ia.findings.map((f) => [f.deploymentState, f.messageId])).toEqual([
      ['introduced', 'keyBasedDatastores'],
      ['introduced', 'missing'],
      ['introduced', 'missing'],
      ['introduced', 'missing'],
      ['introduced', 'missing'],
    ]);
  });

  it("an accessPolicies/remove on the vault takes the workspace identity's set and delete away: introduced", async () => {
    const r = await whatIf('whatif-identity-vault-policy-removed');
    expect(r.code).toBe(1);
    const ia = result(r.report)!;
    expect(ia.findings.map((f) => [f.deploymentState, f.message])).toEqual([
      [
        'introduced',
        'Key vault kv-mlops-prod-weu uses access policies, and workspace mlw-mlops-prod-weu has an access policy without the secret permissions set, delete.',
      ],
    ]);
  });

  it('a principal ARM cannot evaluate is never guessed: the reads it may join fail, the check errors naming it', async () => {
    const r = await whatIf('whatif-identity-unevaluated-principal');
    const ia = result(r.report)!;
    expect(ia.status).toBe('error');
    expect(ia.reason).toContain('could not evaluate properties.principalId');
  });
});

describe('the planned role assignment lists (pure)', () => {
  const registryScope = `${ids.registry}/providers/Microsoft.Authorization/roleAssignments`;
  const created = (id: string, principalId: string, scope?: string) => ({
    resourceId: id,
    changeType: 'Create',
    after: {
      id,
      name: id.split('/').pop(),
      type: 'Microsoft.Authorization/roleAssignments',
      properties: { roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/r', principalId, ...(scope ? { scope } : {}) },
    },
  });
  const group = '9b1d3f5a-7c9e-4b1d-8f3a-5c7e9b1d3f70';
  const otherSub = '/subscriptions/11111111-2222-4333-8444-555555555555';
  const plan = new PlannedState([
    created(`${registryScope}/a1`, GPU),
    created(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/a2`, group),
    created(`${otherSub}/providers/Microsoft.Authorization/roleAssignments/a3`, GPU),
    created(`/providers/Microsoft.Management/managementGroups/mg-ml/providers/Microsoft.Authorization/roleAssignments/a4`, GPU),
  ]);
  const list = (filter: string, live: unknown[] = []) => {
    const url = `https://127.0.0.1/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(filter)}`;
    const out = plan.adjust('GET', url, 200, JSON.stringify({ value: live }));
    const body = JSON.parse(out?.bodyText ?? JSON.stringify({ value: live })) as {
      value: { name: string; properties: { scope: string } }[];
    };
    return body.value.map((a) => a.name);
  };
  const liveGroupMember = {
    id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Authorization/roleAssignments/g0`,
    name: 'g0',
    properties: { principalId: group, scope: `/subscriptions/${SUB}/resourceGroups/${RG}`, roleDefinitionId: 'x' },
  };

  const liveAtGroup = {
    id: `/providers/Microsoft.Management/managementGroups/mg-ml/providers/Microsoft.Authorization/roleAssignments/m0`,
    name: 'm0',
    properties: { principalId: GPU, scope: '/providers/Microsoft.Management/managementGroups/mg-ml', roleDefinitionId: 'x' },
  };

  it("assignedTo: the principal's own at, below and above the subscription; a group's only once the live answer proves membership", () => {
    expect(list(`assignedTo('${GPU}')`, [liveAtGroup])).toEqual(['m0', 'a1', 'a4']);
    expect(list(`assignedTo('${GPU}')`, [liveAtGroup, liveGroupMember])).toEqual(['m0', 'g0', 'a1', 'a2', 'a4']);
    expect(list(`principalId eq '${GPU}'`, [liveAtGroup, liveGroupMember])).toEqual(['m0', 'g0', 'a1', 'a4']);
  });

  it('a management group the live answer does not prove to be above the subscription is not guessed: the list fails', () => {
    const url = `https://127.0.0.1/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(`assignedTo('${GPU}')`)}`;
    const out = plan.adjust('GET', url, 200, JSON.stringify({ value: [] }));
    expect(out?.status).toBe(400);
    expect(out?.bodyText).toContain('whether management group mg-ml is above');
  });

  it('atScope(): at or above only; the scope a created body lacks is taken from its id', () => {
    expect(list(`atScope() and assignedTo('${GPU}')`, [liveAtGroup])).toEqual(['m0', 'a4']);
    const out = plan.adjust(
      'GET',
      `https://127.0.0.1${registryScope}?api-version=2022-04-01&$filter=${encodeURIComponent(`atScope()`)}`,
      200,
      JSON.stringify({ value: [liveAtGroup] }),
    );
    const value = (JSON.parse(out!.bodyText) as { value: { name: string; properties: { scope: string } }[] }).value;
    expect(value.map((a) => [a.name, a.properties.scope])).toEqual([
      ['m0', '/providers/Microsoft.Management/managementGroups/mg-ml'],
      ['a1', ids.registry],
      ['a2', `/subscriptions/${SUB}`],
      ['a4', '/providers/Microsoft.Management/managementGroups/mg-ml'],
    ]);
  });
});
