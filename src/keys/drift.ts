/**
 * Key drift, decided over digests only. Azure ML caches the storage account key and the registry
 * admin password; after a rotation it keeps the old ones until a resync, and jobs fail with 401.
 * https://learn.microsoft.com/azure/machine-learning/how-to-change-storage-access-key
 */
import { sameId } from '../base/resource-id.js';
import type { RegistryCredentialDigests, StorageKeyDigests, WorkspaceKeyDigests } from '../inventory/index.js';

export type Drift =
  | { readonly kind: 'storage-key'; readonly storageAccountId: string; readonly currentKeyNames: readonly string[] }
  | { readonly kind: 'storage-account'; readonly heldFor: string; readonly workspaceStorageId: string }
  | { readonly kind: 'registry-password'; readonly registryId: string; readonly passwordName: string };

export interface KeyFacts {
  readonly workspace: WorkspaceKeyDigests;
  readonly workspaceStorageId: string | undefined;
  readonly workspaceRegistryId: string | undefined;
  /** `false` when the account forbids shared keys (`allowSharedKeyAccess: false`). */
  readonly sharedKeyAccess: boolean;
  readonly adminUserEnabled: boolean;
  /** Absent when not read (identity-based, or nothing to compare). */
  readonly storage?: StorageKeyDigests;
  readonly registry?: RegistryCredentialDigests;
}

export interface DriftResult {
  readonly drifts: readonly Drift[];
  /** Facts that are not drift, e.g. identity-based access. */
  readonly notes: readonly string[];
}

/** Whether the storage keys need reading to decide (the workspace holds a key to compare). */
export function needsStorageKeys(ws: WorkspaceKeyDigests, sharedKeyAccess: boolean): boolean {
  return sharedKeyAccess && ws.storageKey !== null;
}

/** Whether the registry credentials need reading (admin user on, and the workspace holds passwords). */
export function needsRegistryCredentials(ws: WorkspaceKeyDigests, adminUserEnabled: boolean): boolean {
  return adminUserEnabled && (ws.registry?.passwords.some((p) => p.digest !== null) ?? false);
}

export function compareKeys(f: KeyFacts): DriftResult {
  const drifts: Drift[] = [];
  const notes: string[] = [];
  const ws = f.workspace;

  if (!f.sharedKeyAccess) notes.push('storage access is identity-based (allowSharedKeyAccess: false): there is no storage key to drift');
  else if (ws.storageKey === null)
    notes.push('the workspace holds no storage key (identity-based datastore access): there is no storage key to drift');
  else if (f.storage && f.workspaceStorageId) {
    if (ws.storageAccountId && !sameId(ws.storageAccountId, f.workspaceStorageId)) {
      drifts.push({ kind: 'storage-account', heldFor: ws.storageAccountId, workspaceStorageId: f.workspaceStorageId });
    } else if (!f.storage.keys.some((k) => k.digest !== null && k.digest === ws.storageKey)) {
      drifts.push({ kind: 'storage-key', storageAccountId: f.workspaceStorageId, currentKeyNames: f.storage.keys.map((k) => k.name) });
    }
  }

  if (!f.adminUserEnabled) notes.push('registry access is identity-based (admin user disabled): there is no registry password to drift');
  else if (!ws.registry || ws.registry.passwords.every((p) => p.digest === null))
    notes.push('the workspace holds no registry password: there is nothing to drift');
  else if (f.registry && f.workspaceRegistryId) {
    for (const held of ws.registry.passwords) {
      if (held.digest === null) continue;
      const current = f.registry.passwords.find((p) => p.name.toLowerCase() === held.name.toLowerCase());
      if (current?.digest !== held.digest)
        drifts.push({ kind: 'registry-password', registryId: f.workspaceRegistryId, passwordName: held.name });
    }
  }
  return { drifts, notes };
}
