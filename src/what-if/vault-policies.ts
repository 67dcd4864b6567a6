/**
 * What a key vault's access policies become when a deployment writes
 * `Microsoft.KeyVault/vaults/accessPolicies/{add|replace|remove}`: a child that is not a resource of
 * its own but an operation on the vault's `properties.accessPolicies`. `add` merges the permissions
 * it lists into the policy of the same object (or appends one), `replace` sets the list, `remove`
 * takes the permissions it lists away (a policy left with none goes).
 * https://learn.microsoft.com/azure/templates/microsoft.keyvault/vaults/accesspolicies
 * Laid over the plan as a `Set` change of the vault (effects.ts), so every read of the vault sees it.
 */
import { idKey } from '../base/resource-id.js';
import type { Inventory, ReadOptions } from '../inventory/index.js';
import { KEY_VAULT_API_VERSION } from '../inventory/keyvault.js';

type Json = Record<string, unknown>;
interface Change {
  readonly resourceId: string;
  readonly changeType: string;
  readonly after?: Json;
}

const OPERATION = /^(.*\/providers\/microsoft\.keyvault\/vaults\/[^/]+)\/accesspolicies\/(add|replace|remove)$/;
const KINDS = ['keys', 'secrets', 'certificates', 'storage'] as const;

interface Policy {
  tenantId?: unknown;
  objectId?: unknown;
  applicationId?: unknown;
  permissions?: Partial<Record<(typeof KINDS)[number], unknown>>;
}

const policiesOf = (body: Json | undefined): Policy[] => {
  const list = (body?.properties as { accessPolicies?: unknown } | undefined)?.accessPolicies;
  return Array.isArray(list) ? (list as unknown[]).filter((p): p is Policy => p !== null && typeof p === 'object') : [];
};
const text = (x: unknown): string => (typeof x === 'string' ? x.toLowerCase() : '');
const same = (a: Policy, b: Policy): boolean => text(a.objectId) === text(b.objectId) && text(a.applicationId) === text(b.applicationId);
const names = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

function apply(operation: string, live: Policy[], given: Policy[]): Policy[] {
  if (operation === 'replace') return given;
  const out = live.map((p) => structuredClone(p));
  for (const g of given) {
    const at = out.findIndex((p) => same(p, g));
    if (operation === 'add') {
      if (at < 0) {
        out.push(g);
        continue;
      }
      const p = out[at]!;
      const perms: Record<string, string[]> = {};
      for (const k of KINDS) perms[k] = [...new Set([...names(p.permissions?.[k]), ...names(g.permissions?.[k])])];
      out[at] = { ...p, permissions: perms };
    } else if (at >= 0) {
      const p = out[at]!;
      const perms: Record<string, string[]> = {};
      for (const k of KINDS) {
        const drop = new Set(names(g.permissions?.[k]).map((s) => s.toLowerCase()));
        perms[k] = names(p.permissions?.[k]).filter((s) => !drop.has(s.toLowerCase()));
      }
      if (KINDS.every((k) => perms[k]!.length === 0)) out.splice(at, 1);
      else out[at] = { ...p, permissions: perms };
    }
  }
  return out;
}

/**
 * The `Set` changes of the vaults whose access policies `changes` operate on, in the order the
 * operations come (the vault's own planned body, else its live one, is the start). A vault the plan
 * creates or deletes is left to its own change.
 */
export async function accessPolicyEffects(changes: readonly Change[], live: Inventory, opts: ReadOptions = {}): Promise<Change[]> {
  const byVault = new Map<string, { id: string; policies: Policy[] }>();
  for (const c of changes) {
    const m = OPERATION.exec(idKey(c.resourceId));
    if (!m || !/^(create|modify|deploy)$/i.test(c.changeType) || !c.after) continue;
    const vaultKey = m[1]!;
    const own = changes.find((x) => idKey(x.resourceId) === vaultKey);
    if (own && /^(create|delete|unsupported)$/i.test(own.changeType)) continue;
    let state = byVault.get(vaultKey);
    if (!state) {
      const id = c.resourceId.slice(0, c.resourceId.toLowerCase().lastIndexOf('/accesspolicies/'));
      const start = own?.after ?? (await live.rawResource(id, KEY_VAULT_API_VERSION, opts));
      state = { id, policies: policiesOf(start) };
      byVault.set(vaultKey, state);
    }
    state.policies = apply(m[2]!, state.policies, policiesOf(c.after));
  }
  return [...byVault.values()].map((v) => ({ resourceId: v.id, changeType: 'Set', after: { properties: { accessPolicies: v.policies } } }));
}
