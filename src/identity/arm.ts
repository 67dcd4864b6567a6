/**
 * Microsoft.Authorization answers (api-version 2022-04-01) into the evaluator's plain data,
 * validated at the boundary: a body without the fields the evaluation needs is an error naming
 * the field, never a silent "no access".
 * https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope
 * https://learn.microsoft.com/rest/api/authorization/role-definitions/get-by-id
 * https://learn.microsoft.com/rest/api/authorization/deny-assignments/list-for-scope
 */
import * as z from '../base/zod.js';
import type { DenyAssignment, RoleAssignment, RoleDefinition } from './rbac-types.js';
import { PARSE } from '../arm/shapes.js';

export const AUTHORIZATION_API_VERSION = '2022-04-01';

/** An absent or null list is an empty one. */
function list<T extends z.core.SomeType>(item: T) {
  return z.pipe(
    z.nullish(z.array(item)),
    z.transform((v) => v ?? []),
  );
}
const id = z.string().check(z.minLength(1));
const text = z.nullish(z.string());
const strings = list(z.string());
const block = z.object({ actions: strings, notActions: strings, dataActions: strings, notDataActions: strings });

const assignmentSchema = z.object({
  id,
  properties: z.object({
    scope: id,
    roleDefinitionId: id,
    principalId: id,
    principalType: text,
    condition: text,
    conditionVersion: text,
  }),
});

const definitionSchema = z.object({
  id,
  properties: z.object({
    roleName: text,
    type: text,
    assignableScopes: strings,
    permissions: list(block),
  }),
});

const principal = z.object({ id, type: text });
const denySchema = z.object({
  id,
  properties: z.object({
    denyAssignmentName: text,
    scope: id,
    permissions: list(block),
    principals: z.array(principal).check(z.minLength(1)),
    excludePrincipals: list(principal),
    doNotApplyToChildScopes: z.nullish(z.boolean()),
    denyAssignmentEffect: text,
    condition: text,
    conditionVersion: text,
  }),
});

/** An ARM answer that lacks what the evaluation needs. */
export class AuthorizationShapeError extends Error {
  override readonly name = 'AuthorizationShapeError';
  readonly code = 'UnexpectedShape';
}

function parse<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body, PARSE);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new AuthorizationShapeError(`ARM answered a ${what} without ${issue.path.join('.') || 'a body'} (${issue.message})`);
}

const opt = <K extends string, V>(key: K, v: V | null | undefined): Partial<Record<K, V>> =>
  (v === null || v === undefined ? {} : { [key]: v }) as Partial<Record<K, V>>;

export function roleAssignmentFromArm(body: unknown): RoleAssignment {
  const a = parse(assignmentSchema, body, 'role assignment');
  return {
    id: a.id,
    scope: a.properties.scope,
    roleDefinitionId: a.properties.roleDefinitionId,
    principalId: a.properties.principalId,
    ...opt('principalType', a.properties.principalType),
    ...opt('condition', a.properties.condition),
    ...opt('conditionVersion', a.properties.conditionVersion),
  };
}

export function roleDefinitionFromArm(body: unknown): RoleDefinition {
  const d = parse(definitionSchema, body, 'role definition');
  return {
    id: d.id,
    roleName: d.properties.roleName ?? d.id.split('/').pop()!,
    ...opt('roleType', d.properties.type),
    assignableScopes: d.properties.assignableScopes,
    permissions: d.properties.permissions,
  };
}

export function denyAssignmentFromArm(body: unknown): DenyAssignment {
  const d = parse(denySchema, body, 'deny assignment');
  return {
    id: d.id,
    ...opt('name', d.properties.denyAssignmentName),
    scope: d.properties.scope,
    permissions: d.properties.permissions,
    principals: d.properties.principals.map((p) => ({ id: p.id, ...opt('type', p.type) })),
    excludePrincipals: d.properties.excludePrincipals.map((p) => ({ id: p.id, ...opt('type', p.type) })),
    doNotApplyToChildScopes: d.properties.doNotApplyToChildScopes ?? false,
    ...opt('effect', d.properties.denyAssignmentEffect),
    ...opt('condition', d.properties.condition),
    ...opt('conditionVersion', d.properties.conditionVersion),
  };
}
