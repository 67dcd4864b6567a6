/** Key drift worlds: rotated storage key or registry password, identity-based access, listKeys forbidden. */
import type { WorldInput } from '../../src/world/schema.js';
import { ids, type Json, res, secrets } from './base.js';
import { mutate } from './healthy.js';

/** Every world of the family, by file name (without `.json`). */
export function keyWorlds(): Record<string, WorldInput> {
  return {
    'keys-storage-rotated': mutate(
      'keys-storage-rotated: key1 of the storage account was regenerated; the workspace still holds the old key1.',
      (w) => {
        (w.responses![`POST ${ids.storage}/listKeys`]!.body as Json).keys[0].value = secrets.storageKey1Rotated;
        res(w, ids.storage).properties.keyCreationTime.key1 = '2026-11-28T21:04:37.1184632Z';
      },
    ),
    'keys-registry-rotated': mutate(
      'keys-registry-rotated: the registry admin password was regenerated; the workspace still holds the old one.',
      (w) => {
        (w.responses![`POST ${ids.registry}/listCredentials`]!.body as Json).passwords[0].value = secrets.registryPasswordRotated;
      },
    ),
    'keys-identity-based': mutate(
      'keys-identity-based: shared-key access is off on the storage account and the registry admin user is disabled; the workspace holds no keys, which is not drift.',
      (w) => {
        res(w, ids.storage).properties.allowSharedKeyAccess = false;
        res(w, ids.registry).properties.adminUserEnabled = false;
        const body = w.responses![`POST ${ids.workspace}/listKeys`]!.body as Json;
        body.userStorageKey = null;
        body.containerRegistryCredentials = null;
        delete w.responses![`POST ${ids.registry}/listCredentials`];
      },
    ),
    'keys-listkeys-forbidden': mutate(
      'keys-listkeys-forbidden: the auditing identity may read the workspace but not call its listKeys action (403).',
      (w) => {
        w.faults = [{ match: 'POST .*/workspaces/mlw-mlops-prod-weu/listKeys', status: 403 }];
      },
    ),
    'keys-other-storage': mutate(
      "keys-other-storage: the workspace listKeys answer (newer api-version, userStorageArmId) names a storage account other than the workspace's.",
      (w) => {
        const body = w.responses![`POST ${ids.workspace}/listKeys`]!.body as Json;
        delete body.userStorageResourceId;
        body.userStorageArmId = ids.storage.replace('stmlopsprodweu', 'stmlopsoldweu');
      },
    ),
  };
}
