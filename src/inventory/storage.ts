/** Microsoft.Storage: storage accounts and their keys (digested). */
import type { StorageAccount } from '@azure/arm-storage';
import { parseResourceId } from '../base/resource-id.js';
import type { ArmReader } from './reader.js';
import { digestNamed, type ReadOptions, type StorageKeyDigests } from './views.js';

export async function storageAccount(r: ArmReader, id: string, opts?: ReadOptions): Promise<StorageAccount> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const st = await r.clients.storage(rid.subscriptionId);
    return st.storageAccounts.getProperties(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}

export async function storageKeys(r: ArmReader, storageAccountId: string, opts?: ReadOptions): Promise<StorageKeyDigests> {
  const rid = parseResourceId(storageAccountId);
  return r.once(
    'POST listKeys',
    rid,
    opts,
    async (signal) => {
      const st = await r.clients.storage(rid.subscriptionId);
      const res = await st.storageAccounts.listKeys(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
      return { keys: digestNamed(res.keys, 'keyName') };
    },
    'listKeys',
  );
}
