/**
 * The identities a workspace's identity-access verdicts are about, for `--what-if` to tell whether a
 * deployment's role assignment changes touch it: the workspace's own (system-assigned and
 * user-assigned) and its computes', in the live and the planned state (a compute the deployment
 * creates or deletes counts). Object ids, lower case; what cannot be read is left out.
 */
import type { Inventory, ReadOptions } from '../inventory/index.js';

export async function workspacePrincipals(inventories: readonly Inventory[], workspaceId: string, opts: ReadOptions): Promise<Set<string>> {
  const out = new Set<string>();
  const add = (id: string | undefined): void => {
    if (id) out.add(id.toLowerCase());
  };
  for (const inventory of inventories) {
    const ws = await inventory.workspaceIdentity(workspaceId, opts).catch(() => undefined);
    add(ws?.systemAssigned?.principalId);
    for (const u of ws?.userAssigned ?? []) add(u.principalId);
    for (const c of await inventory.computeIdentities(workspaceId, opts).catch(() => [])) for (const i of c.identities) add(i.principalId);
  }
  return out;
}
