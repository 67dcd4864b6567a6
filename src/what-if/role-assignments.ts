/**
 * Role assignments in a deployment's planned state. A role assignment is an extension resource
 * (`{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`), listed by ARM not under a
 * parent but by scope and principal: `GET {scope}/providers/Microsoft.Authorization/roleAssignments`
 * answers the assignments at, above and below the scope (`$filter=atScope()`: at or above only), and
 * `$filter=assignedTo('{objectId}')` those of the principal and of the groups it belongs to,
 * transitively (`principalId eq '{id}'`: the principal's own).
 * https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest
 *
 * So an assignment the deployment creates joins every list whose filter and scope it matches; one it
 * deletes or modifies is found by its id among the live members (plan.ts). Its `properties.principalId`
 * and `roleDefinitionId` decide; its scope is `properties.scope`, else the part of its id before
 * `/providers/Microsoft.Authorization/`. A group's members are not in the plan: a created assignment
 * joins an `assignedTo` list when its principal is the one asked about or a group the live answer
 * already proves the principal belongs to (one of its members' principals). A principal ARM left
 * unevaluated (`[reference(…).principalId]`) fails the list: it might be anyone's.
 */
import { idKey } from '../base/resource-id.js';

type Json = Record<string, unknown>;

/** The part of a planned change this module reads (a narrower copy of `PlannedChange`, which lives in changes.ts). */
interface PlannedChange {
  readonly resourceId: string;
  readonly changeType: string;
  readonly before?: Json;
  readonly after?: Json;
}

/** An ARM template expression left unevaluated (as changes.ts's `isTemplateExpression` tells them): a whole string in square brackets, not `[[`. */
const isTemplateExpression = (value: unknown): boolean => typeof value === 'string' && /^\[(?!\[)[\s\S]*\]$/.test(value.trim());

const ASSIGNMENT = /^(.*)\/providers\/microsoft\.authorization\/roleassignments\/[^/]+$/;
const LIST = /^(.*?)\/providers\/microsoft\.authorization\/roleassignments$/;

/** Whether an id (lower case) is a role assignment. */
export function isRoleAssignment(key: string): boolean {
  return ASSIGNMENT.test(key);
}

/** The scope of a role assignment body or id (lower case, `''` for the root `/`). */
export function assignmentScope(id: string, body?: Json): string {
  const said = (body?.properties as { scope?: unknown } | undefined)?.scope;
  if (typeof said === 'string' && !isTemplateExpression(said)) return idKey(said).replace(/^\/$/, '');
  return ASSIGNMENT.exec(idKey(id))?.[1] ?? '';
}

/** A planned role assignment's body carries its scope, as ARM's answers do (what-if's `after` may leave it out). */
export function withAssignmentScope<C extends PlannedChange>(c: C): C {
  if (!c.after || !isRoleAssignment(idKey(c.resourceId))) return c;
  const props = (c.after.properties ?? {}) as Json;
  if (typeof props.scope === 'string') return c;
  const scope = c.resourceId.slice(0, c.resourceId.toLowerCase().lastIndexOf('/providers/microsoft.authorization/')) || '/';
  return { ...c, after: { ...c.after, properties: { ...props, scope } } };
}

/** The principal of a role assignment body, as written (undefined when absent). */
export function assignmentPrincipal(body: Json | undefined): unknown {
  return (body?.properties as { principalId?: unknown } | undefined)?.principalId;
}

/** Whether `outer` is `inner` or above it (scopes lower case, `''` the root). */
function covers(outer: string, inner: string): boolean {
  return outer === '' || outer === inner || inner.startsWith(`${outer}/`);
}

/**
 * Whether a role assignment the deployment creates belongs in the live list answered at `url`
 * (`live`: the list's members as ARM answered them); `{ error }` when the plan cannot say.
 */
export function joinsAssignmentList(url: string, c: PlannedChange, live: readonly Json[]): boolean | { error: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const list = LIST.exec(idKey(decodeURIComponent(u.pathname)));
  if (!list || !isRoleAssignment(idKey(c.resourceId))) return false;
  const at = list[1]!;
  const filter = (u.searchParams.get('$filter') ?? '').trim();
  const scope = assignmentScope(c.resourceId, c.after);
  const asked = /assignedTo\('([^']+)'\)/i.exec(filter)?.[1] ?? /principalId\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
  const principal = assignmentPrincipal(c.after);
  const evaluated = typeof principal === 'string' && !isTemplateExpression(principal);
  let principalMatches = !asked;
  if (asked && evaluated) {
    const p = principal.toLowerCase();
    // Another principal in an assignedTo() answer is a group the asked one belongs to.
    principalMatches =
      p === asked.toLowerCase() ||
      (/assignedTo\(/i.test(filter) &&
        live.some((m) => {
          const other = assignmentPrincipal(m);
          return typeof other === 'string' && other.toLowerCase() === p;
        }));
  }
  // A management group's place above the subscription is not in its id: only the live answer (an
  // assignment there) proves it.
  const group = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/.exec(scope);
  const above = group ? live.some((m) => typeof m.id === 'string' && assignmentScope(m.id, m) === scope) : covers(scope, at);
  // atScope(): at or above the list's scope; otherwise at, above and below it.
  const inRange = above || (!/atScope\(\)/i.test(filter) && !group && covers(at, scope));
  if (asked && !evaluated && (inRange || group)) {
    return {
      error: `what-if could not evaluate properties.principalId of ${c.resourceId} (a template expression left unevaluated): whether it is ${asked}'s is unknown`,
    };
  }
  if (!principalMatches) return false;
  if (group && !above && !at.startsWith('/providers/')) {
    return {
      error: `the deployment assigns a role at management group ${group[1]!} (${c.resourceId}), and whether management group ${group[1]!} is above ${at} is unknown to the plan`,
    };
  }
  return inRange;
}

/** The principals and scopes a deployment's role assignment changes touch, before and after (evaluated values only). */
export function assignmentChanges(changes: readonly PlannedChange[]): { principalId: string; scope: string; group: boolean }[] {
  const out: { principalId: string; scope: string; group: boolean }[] = [];
  for (const c of changes) {
    if (!isRoleAssignment(idKey(c.resourceId)) || /^(nochange|ignore)$/i.test(c.changeType)) continue;
    for (const body of [c.before, c.after]) {
      const principal = assignmentPrincipal(body);
      const type = (body?.properties as { principalType?: unknown } | undefined)?.principalType;
      out.push({
        principalId: typeof principal === 'string' && !isTemplateExpression(principal) ? principal.toLowerCase() : '',
        scope: assignmentScope(c.resourceId, body),
        // A group, or a principal the plan cannot name: its members are unknown, so any identity may be among them.
        group: typeof type === 'string' ? /^group$/i.test(type) : typeof principal !== 'string' || isTemplateExpression(principal),
      });
    }
  }
  return out;
}

/**
 * Whether role assignment changes touch a workspace: an assignment of one of its identities (the
 * workspace's, its computes') at any scope, or of a group (or an unevaluated principal) at a scope
 * covering one of its resources.
 */
export function assignmentsTouch(
  touched: readonly { principalId: string; scope: string; group: boolean }[],
  principals: ReadonlySet<string>,
  resources: readonly string[],
): boolean {
  const res = resources.map(idKey);
  return touched.some((t) => (t.principalId !== '' && principals.has(t.principalId)) || (t.group && res.some((r) => covers(t.scope, r))));
}
