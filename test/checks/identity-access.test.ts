import { describe, expect, it } from 'vitest';
import check from '../../checks/identity-access/index.js';
import { allChecks } from '../../checks/index.js';
import { checkAuditor, loadWorldByName, startHarness } from '../helpers.js';
import { ids, SUB } from '../../mocks/worlds/generate.js';
import { runAudit } from '../../src/engine/run.js';
import { COMPUTE_PRINCIPALS, identityWorlds, WS_PRINCIPAL } from '../../mocks/worlds/identity.js';
import { identityImageWorlds, SHARED_IMAGE } from '../../mocks/worlds/identity-images.js';

const t = checkAuditor(check);
const audit = t.audit;
const PUSH = 'Microsoft.ContainerRegistry/registries/push/write';

describe('identity-access', () => {
  it.each([
    'identity-healthy-admin-disabled',
    'identity-role-inherited',
    'identity-group-role',
    'identity-custom-role',
    'identity-storage-identity-datastores',
    'identity-vault-rbac',
  ])('%s passes', async (world) => {
    const r = await audit(world);
    expect(r.status, JSON.stringify(r.findings.map((f) => f.message))).toBe('pass');
    expect(r.findings).toEqual([]);
  });

  it('a healthy workspace with its admin user enabled and no key vault in the world has nothing to decide', async () => {
    const r = await audit('healthy-private');
    expect(r.status).toBe('skip');
    expect(r.notes).toEqual(['key vault kv-mlops-prod-weu was not found (404): its access is not evaluated']);
  });

  it('AcrPull without AcrPush: the workspace cannot push, with the assignment that was considered and the fix', async () => {
    const r = await audit('identity-acr-pull-only');
    expect(r.status).toBe('fail');
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.message).toBe(
      `workspace mlw-mlops-prod-weu cannot ${PUSH} on crmlopsprodweu (the registry's admin user is disabled, so Azure ML builds and pulls images with managed identities): none of its roles there (AcrPull) grants it.`,
    );
    expect(f.evidence).toMatchObject({
      principalId: WS_PRINCIPAL,
      scope: ids.registry,
      outcome: 'denied',
      assignments: [{ role: 'AcrPull', effect: 'not-in-role' }],
    });
    expect(f.remediation).toBe(
      `az role assignment create --assignee-object-id ${WS_PRINCIPAL} --assignee-principal-type ServicePrincipal --role "AcrPush" --scope ${ids.registry}`,
    );
  });

  it('a compute without identity fails, naming it and the fix', async () => {
    const r = await audit('identity-compute-no-identity');
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      'Compute gpu-train-cluster has no managed identity: with the admin user of registry crmlopsprodweu disabled, it cannot pull images.',
    ]);
    expect(r.findings[0]!.remediation).toContain('az ml compute update --name gpu-train-cluster --workspace-name mlw-mlops-prod-weu');
    expect(r.findings[0]!.remediation).toContain('--identity-type SystemAssigned');
  });

  it("a custom role's notActions remove the push", async () => {
    const r = await audit('identity-custom-role-notactions');
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      `workspace mlw-mlops-prod-weu cannot ${PUSH} on crmlopsprodweu (the registry's admin user is disabled, so Azure ML builds and pulls images with managed identities): role MLOps registry reader at ${ids.registry} excludes it (${PUSH}).`,
    ]);
  });

  it('a deny assignment overrides the grant and is named', async () => {
    const r = await audit('identity-deny-assignment');
    expect(r.status).toBe('fail');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.message).toContain('deny assignment Deny assignment created by deployment stack stack-mlops-prod at');
    expect(r.findings[0]!.evidence).toMatchObject({ outcome: 'denied', deniedBy: { pattern: '*' } });
    expect(r.findings[0]!.remediation).toContain('deployment stack');
  });

  it('ABAC repository permissions: AcrPush and AcrPull are not honored', async () => {
    const r = await audit('identity-abac-legacy-roles');
    expect(r.status).toBe('fail');
    // Push and pull for the workspace (two data actions each), pull for three computes (two each).
    expect(r.findings).toHaveLength(4 + 6);
    expect(r.findings.every((f) => /repositories\/(content|metadata)\/(read|write)/.test(f.message))).toBe(true);
    expect(r.findings.map((f) => f.remediation)).toContain(
      `az role assignment create --assignee-object-id ${COMPUTE_PRINCIPALS['cpu-build-cluster']!} --assignee-principal-type ServicePrincipal --role "Container Registry Repository Reader" --scope ${ids.registry}`,
    );
  });

  it('a condition on the repository name is undecidable: a warning with the reason', async () => {
    const r = await audit('identity-abac-condition');
    expect(r.status).toBe('warn');
    expect(r.findings).toHaveLength(4);
    expect(r.findings.every((f) => f.message.includes('cannot be decided') && f.message.includes('repositories:name'))).toBe(true);
  });

  it('storage without shared keys: key-based system datastores fail', async () => {
    const r = await audit('identity-storage-key-datastores');
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      'Storage account stmlopsprodweu disallows shared keys, and workspace mlw-mlops-prod-weu reaches its system datastores with keys (systemDatastoresAuthMode: accessKey).',
    ]);
    expect(r.findings[0]!.remediation).toContain('--system-datastores-auth-mode identity');
  });

  it('storage without shared keys: the file data role is missing', async () => {
    const r = await audit('identity-storage-no-file-role');
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.evidence.permission)).toEqual([
      'dataAction Microsoft.Storage/storageAccounts/fileServices/fileshares/files/read',
      'dataAction Microsoft.Storage/storageAccounts/fileServices/fileshares/files/write',
    ]);
  });

  it('a vault switched to RBAC without a role fails; one that lost the access policy fails', async () => {
    const rbac = await audit('identity-vault-rbac-missing');
    expect(rbac.status).toBe('fail');
    expect(rbac.findings).toHaveLength(3);
    expect(rbac.findings[0]!.remediation).toContain('--role "Key Vault Administrator"');
    const lost = await audit('identity-vault-policy-lost');
    expect(lost.status).toBe('fail');
    expect(lost.findings.map((f) => f.message)).toEqual([
      'Key vault kv-mlops-prod-weu uses access policies, and workspace mlw-mlops-prod-weu has no access policy.',
    ]);
    expect(lost.findings[0]!.remediation).toContain(`az keyvault set-policy --name kv-mlops-prod-weu --object-id ${WS_PRINCIPAL}`);
  });

  it('a user-assigned identity missing Contributor on Application Insights', async () => {
    const r = await audit('identity-uai-missing-role');
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      'the user-assigned identity id-mlw-mlops-prod-weu of workspace mlw-mlops-prod-weu cannot Microsoft.Insights/components/write on appi-mlops-prod-weu (the table for a user-assigned workspace identity lists Contributor): no role assignment applies at that scope or above.',
    ]);
  });

  it('a 403 on the role assignments is a warning, not a pass', async () => {
    const r = await audit('identity-assignments-forbidden');
    expect(r.status).toBe('warn');
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.message.startsWith('The role assignments of'))).toBe(true);
  });

  it("reads each principal's assignments once per subscription, and each role definition once", async () => {
    await audit('identity-healthy-admin-disabled');
    const log = t.harness.server.handler.log.filter((e) => /microsoft\.authorization/i.test(e.path));
    const assignments = log.filter((e) => /roleAssignments$/i.test(e.path));
    // The workspace identity and three compute identities: one list each.
    expect(assignments).toHaveLength(4);
    const definitions = log.filter((e) => /roleDefinitions\//i.test(e.path));
    expect(definitions.map((e) => e.path.split('/').pop()).sort()).toEqual([
      '7f951dda-4ed3-4680-a7ca-43fe172d538d',
      '8311e382-0749-4cb8-b61a-304f252e45ec',
    ]);
    expect(log.filter((e) => /denyAssignments$/i.test(e.path))).toHaveLength(1);
  });

  it('a world with the admin user disabled and no roles at all fails for every identity', async () => {
    const w = loadWorldByName('identity-healthy-admin-disabled');
    w.resources = w.resources.filter((r) => r.type !== 'Microsoft.Authorization/roleAssignments');
    const r = await audit(w);
    expect(r.status).toBe('fail');
    expect(r.findings).toHaveLength(2 + 3);
  });

  it.each([
    ...Object.keys(identityWorlds()).map((w): [string, string[] | undefined] => [w, undefined]),
    ...Object.keys(identityImageWorlds()).map((w): [string, string[] | undefined] => [w, [SHARED_IMAGE]]),
  ])('Resource Graph mode decides %s as direct mode does (role assignments stay with ARM)', async (world, images) => {
    const direct = await audit(world, images);
    const h = await startHarness(world);
    try {
      // The audit's scope: the shared subscription is read through ARM, as when it lies outside the audited ones.
      await h.inventory.useResourceGraph([SUB]);
      const report = await runAudit({
        inventory: h.inventory,
        checks: [check],
        workspaceIds: [ids.workspace],
        ...(images ? { checkOptions: { images } } : {}),
      });
      const graph = report.targets[0]!.results[0]!;
      expect(graph.status).toBe(direct.status);
      expect(graph.findings.map((f) => f.message)).toEqual(direct.findings.map((f) => f.message));
      expect(h.server.handler.resourceGraph.requests).toBeGreaterThan(0);
    } finally {
      h.inventory.dispose();
      await h.close();
    }
  });

  it('the key vault is read once per audit, though private-dns-zones and identity-access both use it', async () => {
    for (const mode of ['arm', 'resource-graph'] as const) {
      const h = await startHarness('identity-vault-rbac');
      try {
        if (mode === 'resource-graph') await h.inventory.useResourceGraph([SUB]);
        const report = await runAudit({
          inventory: h.inventory,
          checks: allChecks.filter((c) => ['private-dns-zones', 'identity-access'].includes(c.meta.id)),
          workspaceIds: [ids.workspace],
        });
        expect(report.targets[0]!.results.map((r) => r.status)).toEqual(['pass', 'pass']);
        const vaultGets = h.server.handler.log.filter((e) => e.method === 'GET' && /\/vaults\/kv-mlops-prod-weu$/i.test(e.path));
        expect(vaultGets, mode).toHaveLength(mode === 'arm' ? 1 : 0);
      } finally {
        h.inventory.dispose();
        await h.close();
      }
    }
  });
});
