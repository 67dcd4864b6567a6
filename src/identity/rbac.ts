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
 */

/** One block of a role definition's (or deny assignment's) `permissions`. */
export interface PermissionBlock {
  readonly actions?: readonly string[] | null;
  readonly notActions?: readonly string[] | null;
  readonly dataActions?: readonly string[] | null;
  readonly notDataActions?: readonly string[] | null;
}

export interface RoleDefinition {
  /** `…/providers/Microsoft.Authorization/roleDefinitions/{guid}`; matched by its GUID. */
  readonly id: string;
  readonly roleName: string;
  /** `BuiltInRole` or `CustomRole`. */
  readonly roleType?: string;
  readonly assignableScopes?: readonly string[];
  readonly permissions: readonly PermissionBlock[];
}

export interface RoleAssignment {
  readonly id: string;
  readonly scope: string;
  readonly roleDefinitionId: string;
  readonly principalId: string;
  /** User, Group, ServicePrincipal, ForeignGroup, Device. */
  readonly principalType?: string;
  readonly condition?: string | null;
  readonly conditionVersion?: string | null;
}

export interface DenyPrincipal {
  readonly id: string;
  readonly type?: string;
}

export interface DenyAssignment {
  readonly id: string;
  readonly name?: string;
  readonly scope: string;
  readonly permissions: readonly PermissionBlock[];
  readonly principals: readonly DenyPrincipal[];
  readonly excludePrincipals?: readonly DenyPrincipal[];
  readonly doNotApplyToChildScopes?: boolean;
  /**
   * `denyAssignmentEffect` (api-version 2024-07-01-preview and later): `enforced` denies;
   * `audit` only records. Absent in older versions, where every deny assignment is enforced.
   */
  readonly effect?: string;
  readonly condition?: string | null;
  readonly conditionVersion?: string | null;
}

/** A control-plane action (`Microsoft.ContainerRegistry/registries/pull/read`) or a data action. */
export interface Permission {
  readonly kind: 'action' | 'dataAction';
  readonly name: string;
}

export interface RbacFacts {
  readonly principalId: string;
  /**
   * Groups the principal is known to belong to (transitively). `assignedTo('{id}')` returns the
   * assignments of those groups too, so every Group principal among its answers is one.
   */
  readonly memberOf?: Iterable<string>;
  /**
   * Management groups known to hold the target's subscription, as scopes
   * (`/providers/Microsoft.Management/managementGroups/{id}`). `atScope()` at the target returns
   * only assignments at or above it, so each management-group scope it returns is one.
   */
  readonly managementGroups?: Iterable<string>;
  readonly assignments: readonly RoleAssignment[];
  readonly definitions: readonly RoleDefinition[];
  readonly denyAssignments?: readonly DenyAssignment[];
}

export interface Question {
  /** The scope asked about: a resource id, resource group, subscription or management group. */
  readonly scope: string;
  readonly permission: Permission;
  /**
   * Attributes a condition may test, known exactly for this question, keyed
   * `@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name]` (case-insensitive).
   */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** What one assignment did for the question. */
export interface AssignmentVerdict {
  readonly assignmentId: string;
  readonly roleDefinitionId: string;
  readonly roleName: string | undefined;
  readonly scope: string;
  readonly principalId: string;
  readonly effect:
    | 'grants'
    | 'not-in-role'
    | 'removed-by-not'
    | 'out-of-scope'
    | 'other-principal'
    | 'condition-false'
    | 'condition-undecidable'
    | 'definition-missing'
    | 'outside-assignable-scopes';
  /** The pattern that granted, or the `not…` pattern that removed it. */
  readonly pattern?: string;
  readonly reason?: string;
}

export interface DenyVerdict {
  readonly denyAssignmentId: string;
  readonly name: string | undefined;
  readonly scope: string;
  readonly effect: 'denies' | 'undecidable';
  readonly pattern: string;
  readonly reason?: string;
}

export interface Decision {
  readonly outcome: 'allowed' | 'denied' | 'undecidable';
  readonly principalId: string;
  readonly scope: string;
  readonly permission: Permission;
  /** The assignment that grants (allowed), when one does. */
  readonly grantedBy?: AssignmentVerdict;
  /** The deny assignment that denies (denied by a deny assignment). */
  readonly deniedBy?: DenyVerdict;
  /** Why the answer is undecidable (empty otherwise). */
  readonly reasons: readonly string[];
  /** Every assignment that names the principal (or a group of it), and what it did. */
  readonly assignments: readonly AssignmentVerdict[];
  /** Every deny assignment that covers the permission at the scope. */
  readonly denies: readonly DenyVerdict[];
}

/** The principal id of "everyone" in deny assignments (type SystemDefined). */
export const EVERYONE = '00000000-0000-0000-0000-000000000000';

/** Principal types that are never groups: a different id is a different principal. */
const NOT_A_GROUP = new Set(['user', 'serviceprincipal', 'application', 'msi', 'device', 'systemdefined']);

const norm = (s: string): string => s.toLowerCase().replace(/\/+$/, '');
const guidOf = (id: string): string => norm(id).split('/').pop() ?? '';

const patternCache = new Map<string, RegExp>();

/**
 * Whether an operation string matches a role-definition pattern: `*` stands for any run of
 * characters (slashes included), everything else is literal, and case does not matter.
 */
export function operationMatches(pattern: string, operation: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'is',
    );
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re.test(operation);
}

/**
 * Whether `blocks` cover `permission`: some block lists a matching pattern in `actions` (or
 * `dataActions`) and no matching one in the same block's `notActions` (`notDataActions`).
 * Answers the pattern that granted, or the `not…` pattern that took it away.
 */
export function blocksCover(
  blocks: readonly PermissionBlock[],
  permission: Permission,
): { covered: true; pattern: string } | { covered: false; removedBy?: string } {
  let removedBy: string | undefined;
  for (const b of blocks) {
    const yes = (permission.kind === 'action' ? b.actions : b.dataActions) ?? [];
    const no = (permission.kind === 'action' ? b.notActions : b.notDataActions) ?? [];
    const granted = yes.find((p) => operationMatches(p, permission.name));
    if (granted === undefined) continue;
    const removed = no.find((p) => operationMatches(p, permission.name));
    if (removed === undefined) return { covered: true, pattern: granted };
    removedBy ??= removed;
  }
  return removedBy !== undefined ? { covered: false, removedBy } : { covered: false };
}

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

// ——— conditions ———

/**
 * Evaluates an ABAC condition (format 2.0) for one permission, in three-valued logic: `true` or
 * `false` when the condition's value is known exactly, `undefined` otherwise. Known exactly:
 * `ActionMatches{'…'}` (against the permission asked), `!`/`NOT`, `AND`/`&&`, `OR`/`||`,
 * parentheses, and string comparisons of an attribute the question supplies. Anything else (an
 * attribute of the request or principal not supplied, `SubOperationMatches`, a function or
 * operator not listed) is undecidable: the condition could go either way.
 * https://learn.microsoft.com/azure/role-based-access-control/conditions-format
 */
export function evaluateCondition(
  condition: string,
  permission: Permission,
  attributes: Readonly<Record<string, string>> = {},
): { value: boolean | undefined; reason?: string } {
  const attrs = new Map(Object.entries(attributes).map(([k, v]) => [k.toLowerCase().replace(/\s+/g, ''), v]));
  let tokens: Token[];
  try {
    tokens = tokenize(condition);
  } catch (err) {
    return { value: undefined, reason: `could not be parsed (${(err as Error).message})` };
  }
  const reasons: string[] = [];
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const take = (): Token => {
    const t = tokens[i++];
    if (!t) throw new Error('unexpected end');
    return t;
  };
  const isWord = (t: Token | undefined, ...words: string[]): boolean => t?.kind === 'word' && words.includes(t.text.toUpperCase());

  function orExpr(): boolean | undefined {
    let v = andExpr();
    while (isWord(peek(), 'OR') || peek()?.kind === 'or') {
      take();
      const r = andExpr();
      v = v === true || r === true ? true : v === false && r === false ? false : undefined;
    }
    return v;
  }
  function andExpr(): boolean | undefined {
    let v = unary();
    while (isWord(peek(), 'AND') || peek()?.kind === 'and') {
      take();
      const r = unary();
      v = v === false || r === false ? false : v === true && r === true ? true : undefined;
    }
    return v;
  }
  function unary(): boolean | undefined {
    if (peek()?.kind === 'not' || isWord(peek(), 'NOT')) {
      take();
      const v = unary();
      return v === undefined ? undefined : !v;
    }
    return primary();
  }
  function primary(): boolean | undefined {
    const t = take();
    if (t.kind === 'lparen') {
      const v = orExpr();
      if (take().kind !== 'rparen') throw new Error('expected )');
      return v;
    }
    if (t.kind === 'word' && /^(ActionMatches|SubOperationMatches)$/i.test(t.text)) {
      const set = take();
      if (set.kind !== 'set' || set.values.length !== 1) throw new Error(`${t.text} takes one string`);
      if (/^SubOperationMatches$/i.test(t.text)) {
        reasons.push(`depends on the sub-operation (${set.values[0]})`);
        return undefined;
      }
      return operationMatches(set.values[0]!, permission.name);
    }
    if (t.kind === 'attr') {
      const op = take();
      if (op.kind !== 'word') throw new Error('expected an operator');
      const value = take();
      if (value.kind !== 'string' && value.kind !== 'set') throw new Error('expected a value');
      const known = attrs.get(t.text.toLowerCase().replace(/\s+/g, ''));
      if (known === undefined) {
        reasons.push(`depends on ${t.text}, which is not known before the request`);
        return undefined;
      }
      const r = compare(op.text, known, value.kind === 'string' ? [value.text] : value.values);
      if (r === undefined) reasons.push(`uses the operator ${op.text}, which is not evaluated here`);
      return r;
    }
    throw new Error(`unexpected ${t.kind}`);
  }

  try {
    const v = orExpr();
    if (i !== tokens.length) throw new Error('trailing input');
    return v === undefined ? { value: undefined, reason: reasons.join('; ') || 'cannot be decided here' } : { value: v };
  } catch (err) {
    return { value: undefined, reason: `could not be parsed (${(err as Error).message})` };
  }
}

type Token =
  | { kind: 'lparen' | 'rparen' | 'and' | 'or' | 'not' }
  | { kind: 'word'; text: string }
  | { kind: 'attr'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'set'; values: string[] };

const SINGLE: Readonly<Record<string, 'lparen' | 'rparen' | 'not'>> = { '(': 'lparen', ')': 'rparen', '!': 'not' };
const DOUBLE: Readonly<Record<string, 'and' | 'or'>> = { '&&': 'and', '||': 'or' };

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const readString = (): string => {
    const quote = s[i]!;
    const end = s.indexOf(quote, i + 1);
    if (end < 0) throw new Error('unterminated string');
    const text = s.slice(i + 1, end);
    i = end + 1;
    return text;
  };
  while (i < s.length) {
    const c = s[i]!;
    const single = SINGLE[c];
    const double = DOUBLE[s.slice(i, i + 2)];
    if (/\s/.test(c)) i++;
    else if (double) {
      out.push({ kind: double });
      i += 2;
    } else if (single) {
      out.push({ kind: single });
      i++;
    } else if (c === "'" || c === '"') out.push({ kind: 'string', text: readString() });
    else if (c === '{') {
      i++;
      const values: string[] = [];
      for (;;) {
        while (i < s.length && /[\s,]/.test(s[i]!)) i++;
        if (s[i] === '}') {
          i++;
          break;
        }
        if (s[i] !== "'" && s[i] !== '"') throw new Error('expected a string in {…}');
        values.push(readString());
      }
      out.push({ kind: 'set', values });
    } else if (c === '@') {
      const end = s.indexOf(']', i);
      if (end < 0) throw new Error('unterminated attribute');
      out.push({ kind: 'attr', text: s.slice(i, end + 1) });
      i = end + 1;
    } else {
      const m = /^[A-Za-z][\w:]*/.exec(s.slice(i));
      if (!m) throw new Error(`unexpected character ${c}`);
      out.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** The string operators of conditions-format, on one known value; undefined for any other operator. */
function compare(op: string, value: string, operands: readonly string[]): boolean | undefined {
  const o = op.toLowerCase();
  const negated = o.startsWith('stringnot');
  const base = o.replace(/^stringnot/, 'string');
  const ci = base.endsWith('ignorecase');
  const kind = base.replace(/ignorecase$/, '');
  const v = ci ? value.toLowerCase() : value;
  const test = (x: string): boolean => {
    const w = ci ? x.toLowerCase() : x;
    if (kind === 'stringequals') return v === w;
    if (kind === 'stringstartswith') return v.startsWith(w);
    // StringLike: `*` any run, `?` one character.
    const re = new RegExp(
      `^${w
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      's',
    );
    return re.test(v);
  };
  if (kind !== 'stringequals' && kind !== 'stringstartswith' && kind !== 'stringlike') return undefined;
  if (operands.length !== 1) return undefined;
  const r = test(operands[0]!);
  return negated ? !r : r;
}
