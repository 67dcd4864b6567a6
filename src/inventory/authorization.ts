/**
 * Microsoft.Authorization, and the identity facts of a workspace the RBAC evaluation needs.
 *
 * Reads, each once per run (single flight, failures cached):
 * - the role assignments of one principal in one subscription:
 *   `GET /subscriptions/{s}/providers/Microsoft.Authorization/roleAssignments?$filter=assignedTo('{objectId}')`,
 *   which lists the assignments at, above (management groups, root) and below the subscription of
 *   the principal and of every group it belongs to, transitively
 *   (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest);
 *   one request answers every scope of that subscription the checks ask about, for every workspace;
 * - the deny assignments of a subscription (`GET /subscriptions/{s}/providers/Microsoft.Authorization/denyAssignments`);
 * - each role definition by id (built-in ids are the same in every tenant, so one read serves all);
 * - the identities of a workspace and of its computes, and its `systemDatastoresAuthMode`, from the
 *   answers as ARM sends them at {@link ML_API_VERSION} (the SDK's 2022-10-01 model drops the latter).
 */
import { getOne, listAll } from '../arm/raw.js';
import { ML_API_VERSION } from '../arm/connection.js';
import { parseResourceId } from '../base/resource-id.js';
import { AUTHORIZATION_API_VERSION, denyAssignmentFromArm, roleAssignmentFromArm, roleDefinitionFromArm } from '../identity/arm.js';
import type { DenyAssignment, RbacFacts, RoleAssignment, RoleDefinition } from '../identity/rbac-types.js';
import type { ArmReader } from './reader.js';
import type { ReadOptions } from './views.js';

/** A managed identity as Azure ML names it: who it is, for the role assignments. */
export interface ManagedIdentityView {
  /** `SystemAssigned` or `UserAssigned`. */
  readonly kind: 'SystemAssigned' | 'UserAssigned';
  /** The service principal's object id (what role assignments name). */
  readonly principalId: string | undefined;
  /** The user-assigned identity's resource id. */
  readonly resourceId?: string;
}

export interface WorkspaceIdentityView {
  /** `None`, `SystemAssigned`, `UserAssigned`, `SystemAssigned,UserAssigned`. */
  readonly type: string;
  readonly systemAssigned: ManagedIdentityView | undefined;
  readonly userAssigned: readonly ManagedIdentityView[];
  /** `primaryUserAssignedIdentity`: the identity the workspace uses when it has user-assigned ones. */
  readonly primaryUserAssignedIdentity: string | undefined;
  /** `systemDatastoresAuthMode` (2024-04-01 and later): `accessKey` (default), `identity`, `UserDelegationSAS`. */
  readonly systemDatastoresAuthMode: string | undefined;
}

export interface ComputeIdentityView {
  readonly id: string;
  readonly name: string;
  readonly computeType: string;
  readonly identityType: string;
  readonly identities: readonly ManagedIdentityView[];
}

const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

function identitiesOf(identity: unknown): { type: string; system: ManagedIdentityView | undefined; user: ManagedIdentityView[] } {
  const i = (identity ?? {}) as { type?: unknown; principalId?: unknown; userAssignedIdentities?: unknown };
  const type = str(i.type) ?? 'None';
  const system = /systemassigned/i.test(type) ? { kind: 'SystemAssigned' as const, principalId: str(i.principalId) } : undefined;
  const uai = (i.userAssignedIdentities && typeof i.userAssignedIdentities === 'object' ? i.userAssignedIdentities : {}) as Record<
    string,
    { principalId?: unknown } | null
  >;
  const user = Object.entries(uai).map(([resourceId, v]) => ({
    kind: 'UserAssigned' as const,
    principalId: str(v?.principalId),
    resourceId,
  }));
  return { type, system, user };
}

/** The role assignments of `principalId` (and its groups) at, above and below subscription `subscriptionId`. */
export async function roleAssignmentsOf(
  r: ArmReader,
  principalId: string,
  subscriptionId: string,
  opts?: ReadOptions,
): Promise<readonly RoleAssignment[]> {
  const scope = `/subscriptions/${subscriptionId}`;
  return r.onceKey(
    `LIST roleAssignments ${scope.toLowerCase()} assignedTo ${principalId.toLowerCase()}`,
    'LIST roleAssignments',
    `${scope}/providers/Microsoft.Authorization/roleAssignments`,
    'Microsoft.Authorization/roleAssignments/read',
    opts,
    async (signal) => {
      const client = await r.clients.tenant();
      const filter = encodeURIComponent(`assignedTo('${principalId}')`);
      const url = `${r.connection.endpoint}${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=${AUTHORIZATION_API_VERSION}&$filter=${filter}`;
      return (await listAll(client, url, signal)).map(roleAssignmentFromArm);
    },
  );
}

/** The deny assignments at, above and below a subscription. */
export async function denyAssignmentsOf(r: ArmReader, subscriptionId: string, opts?: ReadOptions): Promise<readonly DenyAssignment[]> {
  const scope = `/subscriptions/${subscriptionId}`;
  return r.onceKey(
    `LIST denyAssignments ${scope.toLowerCase()}`,
    'LIST denyAssignments',
    `${scope}/providers/Microsoft.Authorization/denyAssignments`,
    'Microsoft.Authorization/denyAssignments/read',
    opts,
    async (signal) => {
      const client = await r.clients.tenant();
      const url = `${r.connection.endpoint}${scope}/providers/Microsoft.Authorization/denyAssignments?api-version=${AUTHORIZATION_API_VERSION}`;
      return (await listAll(client, url, signal)).map(denyAssignmentFromArm);
    },
  );
}

/** A role definition, by the id an assignment names; cached by its GUID (one read per run for a built-in role). */
export async function roleDefinition(r: ArmReader, id: string, opts?: ReadOptions): Promise<RoleDefinition> {
  const guid = id.toLowerCase().replace(/\/+$/, '').split('/').pop()!;
  return r.onceKey(`GET roleDefinition ${guid}`, 'GET', id, 'Microsoft.Authorization/roleDefinitions/read', opts, async (signal) => {
    const client = await r.clients.tenant();
    return roleDefinitionFromArm(await getOne(client, `${r.connection.endpoint}${id}?api-version=${AUTHORIZATION_API_VERSION}`, signal));
  });
}

/**
 * Everything the evaluator needs to decide for `principalId` at scopes in `subscriptionIds`: its
 * assignments, the definitions they name (a definition that cannot be read is left out, which
 * makes its grants undecidable, not denied), the deny assignments, and the groups and management
 * groups the answers prove.
 */
export async function rbacFacts(
  r: ArmReader,
  principalId: string,
  subscriptionIds: readonly string[],
  opts?: ReadOptions,
): Promise<RbacFacts> {
  const subs = [...new Set(subscriptionIds.map((s) => s.toLowerCase()))];
  const [assignmentLists, denyLists] = await Promise.all([
    Promise.all(subs.map((s) => roleAssignmentsOf(r, principalId, s, opts))),
    Promise.all(subs.map((s) => denyAssignmentsOf(r, s, opts))),
  ]);
  const assignments = [...new Map(assignmentLists.flat().map((a) => [a.id.toLowerCase(), a])).values()];
  const definitionIds = [
    ...new Map(assignments.map((a) => [a.roleDefinitionId.toLowerCase().split('/').pop()!, a.roleDefinitionId])).values(),
  ];
  const definitions = (
    await Promise.all(
      definitionIds.map((id) =>
        roleDefinition(r, id, opts).catch((err: unknown) => {
          // A 404 (deleted custom role) or 403 leaves the grant undecidable; anything else fails the read.
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 404 || status === 403) return undefined;
          throw err;
        }),
      ),
    )
  ).filter((d): d is RoleDefinition => d !== undefined);
  const p = principalId.toLowerCase();
  return {
    principalId,
    // assignedTo() returns the principal's own assignments and its groups'; any other principal is a group of it.
    memberOf: assignments.map((a) => a.principalId.toLowerCase()).filter((id) => id !== p),
    managementGroups: assignments
      .map((a) => a.scope)
      .filter((s) => /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/i.test(s.replace(/\/+$/, ''))),
    assignments,
    definitions,
    denyAssignments: denyLists.flat(),
  };
}

/** The workspace's identities and `systemDatastoresAuthMode`, from its answer at {@link ML_API_VERSION}. */
export async function workspaceIdentity(r: ArmReader, workspaceId: string, opts?: ReadOptions): Promise<WorkspaceIdentityView> {
  const rid = parseResourceId(workspaceId);
  return r.once('GET identity', rid, opts, async (signal) => {
    const client = await r.clients.tenant();
    const ws = (await getOne(client, `${r.connection.endpoint}${rid.id}?api-version=${ML_API_VERSION}`, signal)) as {
      identity?: unknown;
      properties?: { primaryUserAssignedIdentity?: unknown; systemDatastoresAuthMode?: unknown } | null;
    };
    const { type, system, user } = identitiesOf(ws.identity);
    return {
      type,
      systemAssigned: system,
      userAssigned: user,
      primaryUserAssignedIdentity: str(ws.properties?.primaryUserAssignedIdentity),
      systemDatastoresAuthMode: str(ws.properties?.systemDatastoresAuthMode),
    };
  });
}

/** The identities of the workspace's computes, from the list as ARM sends it. */
export async function computeIdentities(r: ArmReader, workspaceId: string, opts?: ReadOptions): Promise<readonly ComputeIdentityView[]> {
  const rid = parseResourceId(workspaceId);
  return r.once('LIST compute identities', rid, opts, async (signal) => {
    const client = await r.clients.tenant();
    const items = await listAll(client, `${r.connection.endpoint}${rid.id}/computes?api-version=${ML_API_VERSION}`, signal);
    return items.flatMap((item) => {
      const c = item as { id?: unknown; name?: unknown; identity?: unknown; properties?: { computeType?: unknown } | null };
      const id = str(c.id);
      if (!id) return [];
      const { type, system, user } = identitiesOf(c.identity);
      return [
        {
          id,
          name: str(c.name) ?? id.split('/').pop()!,
          computeType: str(c.properties?.computeType) ?? 'Unknown',
          identityType: type,
          identities: [...(system ? [system] : []), ...user],
        },
      ];
    });
  });
}
