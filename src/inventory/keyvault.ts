/** Microsoft.KeyVault: the workspace's key vault, read for its network rules and private endpoint connections. */
import { getOne } from '../arm/raw.js';
import { parseResourceId } from '../base/resource-id.js';
import type { ArmReader } from './reader.js';
import type { KeyVaultView, ReadOptions } from './views.js';

/**
 * The api-version of `Microsoft.KeyVault/vaults` reads. No SDK package is loaded for one GET (not
 * even the generic resources client, 135 KB to compile at start): the bare ARM client sends it
 * through the same pipeline.
 * https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/get
 */
export const KEY_VAULT_API_VERSION = '2023-07-01';

export async function keyVault(r: ArmReader, id: string, opts?: ReadOptions): Promise<KeyVaultView> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const client = await r.clients.tenant();
    const v = ((await getOne(client, `${r.connection.endpoint}${rid.id}?api-version=${KEY_VAULT_API_VERSION}`, signal)) ?? {}) as {
      id?: string;
      name?: string;
      properties?: unknown;
    };
    const p = (v.properties ?? {}) as {
      vaultUri?: unknown;
      publicNetworkAccess?: unknown;
      networkAcls?: { defaultAction?: unknown } | null;
      enableRbacAuthorization?: unknown;
      accessPolicies?: unknown;
      privateEndpointConnections?: ({
        id?: unknown;
        properties?: { privateEndpoint?: { id?: unknown } | null; privateLinkServiceConnectionState?: { status?: unknown } | null } | null;
      } | null)[];
    };
    const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);
    const strs = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
    return {
      id: v.id ?? rid.id,
      name: v.name ?? rid.names[0]!,
      vaultUri: str(p.vaultUri),
      publicNetworkAccess: str(p.publicNetworkAccess) ?? 'Enabled',
      defaultAction: str(p.networkAcls?.defaultAction) ?? 'Allow',
      enableRbacAuthorization: p.enableRbacAuthorization === true,
      accessPolicies: (Array.isArray(p.accessPolicies) ? (p.accessPolicies as unknown[]) : []).flatMap((x) => {
        const ap = (x ?? {}) as { objectId?: unknown; permissions?: Record<string, unknown> | null };
        const objectId = str(ap.objectId);
        if (!objectId) return [];
        const perms = ap.permissions ?? {};
        return [
          { objectId, permissions: { keys: strs(perms.keys), secrets: strs(perms.secrets), certificates: strs(perms.certificates) } },
        ];
      }),
      privateEndpointConnections: (Array.isArray(p.privateEndpointConnections) ? p.privateEndpointConnections : []).flatMap((c) => {
        const pe = str(c?.properties?.privateEndpoint?.id);
        return pe ? [{ privateEndpointId: pe, status: str(c?.properties?.privateLinkServiceConnectionState?.status) ?? 'Unknown' }] : [];
      }),
    };
  });
}
