import { describe, expect, it } from 'vitest';
import { ids } from '../../mocks/worlds/generate.js';
import check from '../../checks/workspace-keys-in-sync/index.js';
import { compareKeys } from '../../src/keys/drift.js';
import { checkAuditor } from '../helpers.js';

const t = checkAuditor(check);
const audit = t.audit;

describe('workspace-keys-in-sync on its worlds', () => {
  it('passes on healthy-private after comparing all three answers', async () => {
    const r = await audit('healthy-private');
    expect(r.status).toBe('pass');
    const posts = t.harness.server.handler.log.filter((e) => e.method === 'POST').map((e) => e.path.split('/').slice(-3).join('/'));
    expect(posts.sort()).toEqual([
      'registries/crmlopsprodweu/listCredentials',
      'storageAccounts/stmlopsprodweu/listKeys',
      'workspaces/mlw-mlops-prod-weu/listKeys',
    ]);
  });

  it('names the rotated storage key, with the rotation time, never a value', async () => {
    const r = await audit('keys-storage-rotated');
    expect(r.status).toBe('fail');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.message).toBe(
      'Workspace mlw-mlops-prod-weu holds a storage key for stmlopsprodweu that matches neither key1 nor key2: the key was rotated and the next job will fail with 401 until the keys are resynced.',
    );
    expect(r.findings[0]!.evidence).toMatchObject({
      drifted: 'storage key',
      comparedWith: ['key1', 'key2'],
      keyCreationTime: { key1: '2026-11-28T21:04:37.118Z' },
    });
    expect(r.findings[0]!.resourceId).toBe(ids.storage);
    expect(r.findings[0]!.remediation).toMatch(
      /aml-preflight resync --workspace .* --yes \(or az ml workspace sync-keys --name mlw-mlops-prod-weu --resource-group rg-mlops-prod-weu\)/,
    );
  });

  it('names the rotated registry password by name', async () => {
    const r = await audit('keys-registry-rotated');
    expect(r.findings.map((f) => f.evidence.drifted)).toEqual(['registry password']);
    expect(r.findings[0]!.message).toContain('registry password "password" for crmlopsprodweu');
  });

  it('identity-based access is not drift, and says so without reading keys it does not need', async () => {
    const r = await audit('keys-identity-based');
    expect(r.status).toBe('pass');
    expect(r.notes).toEqual([
      'storage access is identity-based (allowSharedKeyAccess: false): there is no storage key to drift',
      'registry access is identity-based (admin user disabled): there is no registry password to drift',
    ]);
    expect(t.harness.server.handler.log.filter((e) => e.method === 'POST').map((e) => e.path)).toEqual([`${ids.workspace}/listKeys`]);
  });

  it('a 403 on listKeys is an error naming the RBAC action', async () => {
    const r = await audit('keys-listkeys-forbidden');
    expect(r.status).toBe('error');
    expect(r.reason).toContain('403 AuthorizationFailed; grant Microsoft.MachineLearningServices/workspaces/listKeys/action');
  });

  it('keys held for another storage account (userStorageArmId) are drift', async () => {
    const r = await audit('keys-other-storage');
    expect(r.findings[0]!.message).toBe(
      'Workspace mlw-mlops-prod-weu holds a storage key for stmlopsoldweu, but its storage account is stmlopsprodweu.',
    );
  });
});

describe('compareKeys', () => {
  const d = (x: string): `sha256:${string}` => `sha256:${x.repeat(64)}`;
  const ws = {
    storageKey: d('a'),
    storageAccountId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/st',
    registry: {
      username: 'cr',
      passwords: [
        { name: 'password', digest: d('b') },
        { name: 'password2', digest: d('c') },
      ],
    },
  };
  const base = {
    workspace: ws,
    workspaceStorageId: ws.storageAccountId.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'),
    workspaceRegistryId: 'cr-id',
    sharedKeyAccess: true,
    adminUserEnabled: true,
  };
  it('a key matching key2 is in sync (rotation of key1 alone does not matter)', () => {
    expect(
      compareKeys({
        ...base,
        storage: {
          keys: [
            { name: 'key1', digest: d('z') },
            { name: 'key2', digest: d('a') },
          ],
        },
        registry: {
          username: 'cr',
          passwords: [
            { name: 'password', digest: d('b') },
            { name: 'password2', digest: d('c') },
          ],
        },
      }).drifts,
    ).toEqual([]);
  });
  it('each drifted registry password is named', () => {
    const r = compareKeys({
      ...base,
      storage: { keys: [{ name: 'key1', digest: d('a') }] },
      registry: {
        username: 'cr',
        passwords: [
          { name: 'password', digest: d('x') },
          { name: 'password2', digest: d('y') },
        ],
      },
    });
    expect(r.drifts.map((x) => (x.kind === 'registry-password' ? x.passwordName : x.kind))).toEqual(['password', 'password2']);
  });
});
