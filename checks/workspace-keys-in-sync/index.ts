/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-change-storage-access-key
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 *
 * Azure ML caches the storage account key and the registry's admin password. After a rotation it
 * keeps the old ones (for up to an hour), and jobs fail with "Unauthorized error encountered while
 * attempting to connect to the container registry. Please try running resync keys on your
 * workspace and retry." This check compares, by digest, what the workspace holds with what the
 * storage account and the registry answer now. Values never leave memory.
 */
import { defineCheck, type FindingReport } from '../../src/engine/check.js';

type MessageId = 'storageKey' | 'storageAccount' | 'registryPassword';
import { parseResourceId } from '../../src/base/resource-id.js';
import { compareKeys, needsRegistryCredentials, needsStorageKeys, type Drift } from '../../src/keys/drift.js';
import { nameOf } from '../../src/network/exposure.js';

export default defineCheck({
  meta: {
    id: 'workspace-keys-in-sync',
    title: 'The workspace holds the current storage key and registry password',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-change-storage-access-key',
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
    ],
    reads: [
      'workspace',
      'workspace keys (listKeys)',
      'storage account and its keys (listKeys)',
      'container registry and its credentials (listCredentials)',
    ],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.MachineLearningServices/workspaces/listKeys/action',
      'Microsoft.Storage/storageAccounts/listKeys/action',
      'Microsoft.ContainerRegistry/registries/listCredentials/action',
    ],
    messages: {
      storageKey:
        'Workspace {{workspace}} holds a storage key for {{account}} that matches neither {{keys}}: the key was rotated and the next job will fail with 401 until the keys are resynced.',
      storageAccount: 'Workspace {{workspace}} holds a storage key for {{held}}, but its storage account is {{account}}.',
      registryPassword:
        'Workspace {{workspace}} holds a registry password "{{password}}" for {{registry}} that no longer matches the registry\'s: the next image pull will fail with 401 until the keys are resynced.',
    },
  },
  async run(ctx) {
    if (ctx.options.whatIf)
      return ctx.skip('a deployment plans no secrets: key drift is decided on live state only (audit without --what-if)');
    const opts = { abortSignal: ctx.abortSignal };
    const ws = await ctx.inventory.workspace(ctx.workspaceId, opts);
    const [keys, account, registry] = await Promise.all([
      ctx.inventory.workspaceKeys(ctx.workspaceId, opts),
      ws.storageAccount ? ctx.inventory.storageAccount(ws.storageAccount, opts) : undefined,
      ws.containerRegistry ? ctx.inventory.registry(ws.containerRegistry, opts) : undefined,
    ]);
    const sharedKeyAccess = account?.allowSharedKeyAccess !== false;
    const adminUserEnabled = registry?.adminUserEnabled === true;
    const [storage, credentials] = await Promise.all([
      ws.storageAccount && needsStorageKeys(keys, sharedKeyAccess) ? ctx.inventory.storageKeys(ws.storageAccount, opts) : undefined,
      ws.containerRegistry && needsRegistryCredentials(keys, adminUserEnabled)
        ? ctx.inventory.registryCredentials(ws.containerRegistry, opts)
        : undefined,
    ]);
    const result = compareKeys({
      workspace: keys,
      workspaceStorageId: ws.storageAccount,
      workspaceRegistryId: ws.containerRegistry,
      sharedKeyAccess,
      adminUserEnabled,
      ...(storage ? { storage } : {}),
      ...(credentials ? { registry: credentials } : {}),
    });
    for (const n of result.notes) ctx.note(n);
    const wsName = ws.name ?? nameOf(ctx.workspaceId);
    const rg = parseResourceId(ctx.workspaceId).resourceGroup;
    const fix = `Resync the workspace keys: aml-preflight resync --workspace ${ctx.workspaceId} --yes (or az ml workspace sync-keys --name ${wsName} --resource-group ${rg}); running jobs keep failing until it completes.`;
    for (const d of result.drifts) ctx.report(finding(d, wsName, fix, account?.keyCreationTime));
  },
});

function finding(
  d: Drift,
  workspace: string,
  fix: string,
  keyCreationTime: { key1?: Date; key2?: Date } | undefined,
): FindingReport<MessageId> {
  switch (d.kind) {
    case 'storage-key':
      return {
        messageId: 'storageKey',
        data: { workspace, account: nameOf(d.storageAccountId), keys: d.currentKeyNames.join(' nor ') },
        resourceId: d.storageAccountId,
        evidence: {
          drifted: 'storage key',
          comparedWith: d.currentKeyNames,
          ...(keyCreationTime
            ? { keyCreationTime: { key1: keyCreationTime.key1?.toISOString() ?? null, key2: keyCreationTime.key2?.toISOString() ?? null } }
            : {}),
          comparedBy: 'SHA-256 digest; no value is kept',
        },
        remediation: fix,
      };
    case 'storage-account':
      return {
        messageId: 'storageAccount',
        data: { workspace, held: nameOf(d.heldFor), account: nameOf(d.workspaceStorageId) },
        resourceId: d.workspaceStorageId,
        evidence: { drifted: 'storage account', keyHeldFor: d.heldFor, workspaceStorageAccount: d.workspaceStorageId },
        remediation: fix,
      };
    case 'registry-password':
      return {
        messageId: 'registryPassword',
        data: { workspace, password: d.passwordName, registry: nameOf(d.registryId) },
        resourceId: d.registryId,
        evidence: { drifted: `registry ${d.passwordName}`, comparedBy: 'SHA-256 digest; no value is kept' },
        remediation: fix,
      };
  }
}
