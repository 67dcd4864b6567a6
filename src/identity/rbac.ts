/**
 * Azure RBAC, evaluated exactly and without I/O: may a principal perform one action (or data
 * action) at one scope, given the role assignments that apply to it, the role definitions they
 * name and the deny assignments above the scope?
 *
 * The semantics are Microsoft's:
 * - https://learn.microsoft.com/azure/role-based-access-control/overview ("How Azure RBAC
 *   determines if a user has access to a resource": deny assignments first, then the role
 *   assignments at the scope or above it);
 * - https://learn.microsoft.com/azure/role-based-access-control/role-definitions (a role grants
 *   `actions` minus `notActions` and, separately, `dataActions` minus `notDataActions`; `*` is a
 *   wildcard; operation strings are matched without regard to case; `assignableScopes`);
 * - https://learn.microsoft.com/azure/role-based-access-control/deny-assignments (deny
 *   assignments take precedence, minus `excludePrincipals`; `doNotApplyToChildScopes`; the
 *   principal `00000000-0000-0000-0000-000000000000` of type SystemDefined is everyone);
 * - https://learn.microsoft.com/azure/role-based-access-control/conditions-overview and
 *   conditions-format (a condition restricts the grant of its assignment; see {@link evaluateCondition}).
 *
 * The answer is `allowed`, `denied` or `undecidable`, with what decided: the assignment, role and
 * scope that grant; the deny assignment that denies; or why nothing can be said for sure (a
 * condition that depends on the request, a group whose membership is unknown, a role definition
 * that could not be read).
 *
 * The facts and answers are rbac-types.ts; what a definition covers, definitions.ts; conditions,
 * conditions.ts.
 */
import { evaluateCondition } from './conditions.js';
import { blocksCover } from './definitions.js';
import type {
  AssignmentVerdict,
  DenyAssignment,
  DenyPrincipal,
  DenyVerdict,
  Decision,
  Permission,
  Question,
  RbacFacts,
} from './rbac-types.js';

/** The principal id of "everyone" in deny assignments (type SystemDefined). */
export const EVERYONE = '00000000-0000-0000-0000-000000000000';

/** Principal types that are never groups: a different id is a different principal. */
const NOT_A_GROUP = new Set(['user', 'serviceprincipal', 'application', 'msi', 'device', 'systemdefined']);

const norm = (s: string): string => s.toLowerCase().replace(/\/+$/, '');
const guidOf = (id: string): string => norm(id).split('/').pop() ?? '';

/** Whether `outer` is `inner` or an ancestor of it (management groups by the facts given). */
export function scopeContains(outer: string, inner: string, managementGroups: ReadonlySet<string> = new Set()): boolean {
  const o = norm(outer);
  const i = norm(inner);
  if (o === '' || o === i) return true;
  if (i.startsWith(`${o}/`)) return true;
  // A management group holds a subscription by the hierarchy, not by the id's text.
  return (
    /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/.test(o) && i.startsWith('/subscriptions/') && managementGroups.has(o)
  );
}

/** Decides one question. Pure: the same facts and question give the same decision. */
export function decide(facts: RbacFacts, question: Question): Decision {
  const principal = facts.principalId.toLowerCase();
  const groups = new Set([...(facts.memberOf ?? [])].map((g) => g.toLowerCase()));
  const mgs = new Set([...(facts.managementGroups ?? [])].map(norm));
  const definitions = new Map(facts.definitions.map((d) => [guidOf(d.id), d]));
  const { scope, permission } = question;

  const assignments: AssignmentVerdict[] = [];
  for (const a of facts.assignments) {
    const def = definitions.get(guidOf(a.roleDefinitionId));
    const base = {
      assignmentId: a.id,
      roleDefinitionId: a.roleDefinitionId,
      roleName: def?.roleName,
      scope: a.scope,
      principalId: a.principalId,
    };
    const pid = a.principalId.toLowerCase();
    if (pid !== principal && !groups.has(pid)) {
      assignments.push({ ...base, effect: 'other-principal' });
      continue;
    }
    if (!scopeContains(a.scope, scope, mgs)) {
      assignments.push({ ...base, effect: 'out-of-scope' });
      continue;
    }
    if (!def) {
      assignments.push({ ...base, effect: 'definition-missing', reason: `role definition ${a.roleDefinitionId} could not be read` });
      continue;
    }
    const covered = blocksCover(def.permissions, permission);
    if (!covered.covered) {
      assignments.push(
        covered.removedBy !== undefined
          ? { ...base, effect: 'removed-by-not', pattern: covered.removedBy }
          : { ...base, effect: 'not-in-role' },
      );
      continue;
    }
    if (def.assignableScopes && def.assignableScopes.length > 0 && !def.assignableScopes.some((s) => scopeContains(s, a.scope, mgs))) {
      assignments.push({
        ...base,
        effect: 'outside-assignable-scopes',
        pattern: covered.pattern,
        reason: `role ${def.roleName} is assigned at ${a.scope}, outside its assignableScopes (${def.assignableScopes.join(', ')})`,
      });
      continue;
    }
    if (a.condition) {
      const c = conditionOutcome(a.condition, a.conditionVersion, permission, question.attributes);
      if (c.value === false) {
        assignments.push({ ...base, effect: 'condition-false', pattern: covered.pattern, reason: c.reason });
        continue;
      }
      if (c.value === undefined) {
        assignments.push({ ...base, effect: 'condition-undecidable', pattern: covered.pattern, reason: c.reason });
        continue;
      }
    }
    assignments.push({ ...base, effect: 'grants', pattern: covered.pattern });
  }

  const denies: DenyVerdict[] = [];
  for (const d of facts.denyAssignments ?? []) {
    const applies = norm(d.scope) === norm(scope) || (!d.doNotApplyToChildScopes && scopeContains(d.scope, scope, mgs));
    if (!applies) continue;
    const covered = blocksCover(d.permissions, permission);
    if (!covered.covered) continue;
    const base = { denyAssignmentId: d.id, name: d.name, scope: d.scope, pattern: covered.pattern };
    if (d.effect !== undefined && !/^enforced$/i.test(d.effect)) {
      if (/^audit$/i.test(d.effect)) continue;
      denies.push({ ...base, effect: 'undecidable', reason: `its effect ${d.effect} is not one this evaluator knows` });
      continue;
    }
    const who = denyApplies(d, principal, groups);
    if (who.value === false) continue;
    if (d.condition) {
      const c = conditionOutcome(d.condition, d.conditionVersion, permission, question.attributes);
      if (c.value === false) continue;
      if (c.value === undefined) {
        denies.push({ ...base, effect: 'undecidable', reason: c.reason });
        continue;
      }
    }
    denies.push(who.value === true ? { ...base, effect: 'denies' } : { ...base, effect: 'undecidable', reason: who.reason });
  }

  const result = { principalId: facts.principalId, scope, permission, assignments, denies };
  const deny = denies.find((d) => d.effect === 'denies');
  if (deny) return { ...result, outcome: 'denied', deniedBy: deny, reasons: [] };
  const grant = assignments.find((a) => a.effect === 'grants');
  const unsure = assignments.filter(
    (a) => a.effect === 'condition-undecidable' || a.effect === 'definition-missing' || a.effect === 'outside-assignable-scopes',
  );
  if (grant) {
    const denyReasons = denies
      .filter((d) => d.effect === 'undecidable')
      .map((d) => `deny assignment ${d.name ?? d.denyAssignmentId}: ${d.reason ?? ''}`);
    if (denyReasons.length > 0) return { ...result, outcome: 'undecidable', grantedBy: grant, reasons: denyReasons };
    return { ...result, outcome: 'allowed', grantedBy: grant, reasons: [] };
  }
  if (unsure.length > 0)
    return {
      ...result,
      outcome: 'undecidable',
      reasons: unsure.map((a) => `${a.roleName ?? a.roleDefinitionId} at ${a.scope}: ${a.reason ?? ''}`),
    };
  return { ...result, outcome: 'denied', reasons: [] };
}

/** Whether a deny assignment names the principal (directly, through a known group, or everyone), minus its exclusions. */
function denyApplies(d: DenyAssignment, principal: string, groups: ReadonlySet<string>): Tri {
  const member = (p: DenyPrincipal): boolean | undefined => {
    const id = p.id.toLowerCase();
    if (id === principal || groups.has(id)) return true;
    if (id === EVERYONE) return true;
    // A group we do not know the principal to be in may still hold it.
    return NOT_A_GROUP.has((p.type ?? '').toLowerCase()) ? false : undefined;
  };
  const named = anyOf(d.principals.map(member));
  if (named === false) return { value: false };
  const excluded = anyOf((d.excludePrincipals ?? []).map((p) => (p.id.toLowerCase() === EVERYONE ? false : member(p))));
  if (excluded === true) return { value: false };
  if (named === true && excluded === false) return { value: true };
  return {
    value: undefined,
    reason: 'it names or excludes a group the principal may belong to (group membership is not read)',
  };
}

function anyOf(values: readonly (boolean | undefined)[]): boolean | undefined {
  if (values.some((v) => v === true)) return true;
  return values.some((v) => v === undefined) ? undefined : false;
}

interface Tri {
  readonly value: boolean | undefined;
  readonly reason?: string;
}

function conditionOutcome(
  condition: string,
  version: string | null | undefined,
  permission: Permission,
  attributes: Readonly<Record<string, string>> | undefined,
): Tri {
  if (version && version !== '2.0') return { value: undefined, reason: `condition version ${version} is not 2.0` };
  const r = evaluateCondition(condition, permission, attributes);
  if (r.value === true) return { value: true };
  if (r.value === false) return { value: false, reason: `its condition is false for ${permission.name}` };
  return { value: undefined, reason: `its condition ${r.reason ?? 'cannot be decided here'}` };
}
