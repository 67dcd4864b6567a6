/**
 * Microsoft.Authorization in the mock: role assignments, role definitions and deny assignments,
 * as ARM answers them (api-version 2022-04-01, shapes of Microsoft's examples in
 * `../shared/azure-examples/authorization/`). The world holds them as resources at their ARM ids
 * (`{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`, …); this module answers the
 * lists, which ARM filters by scope and principal rather than by parent id:
 *
 * - `GET {scope}/providers/Microsoft.Authorization/roleAssignments`: at, above and below the scope;
 *   `$filter=atScope()` at or above it only; `$filter=assignedTo('{objectId}')` the assignments of
 *   that principal and of every group it belongs to, transitively (world `groups`);
 *   `$filter=principalId eq '{id}'` that principal's own; `atScope() and assignedTo(…)` combined.
 *   https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest
 * - `GET …/roleDefinitions/{guid}` at any scope (built-in ids are the same everywhere), and
 *   `GET {scope}/providers/Microsoft.Authorization/roleDefinitions`: the definitions assignable there.
 * - `GET {scope}/providers/Microsoft.Authorization/denyAssignments`: at, above and below;
 *   `$filter=atScope()` at or above.
 *
 * A filter ARM does not accept answers 400 `InvalidFilter`, as ARM does.
 *
 * It answers after the world's canned answers, which a snapshot may hold for these lists.
 */
import type { World } from '../../../src/world/schema.js';
import { json, type MockResponse, type MockService, type RouteRequest } from '../../core/index.js';

const norm = (s: string): string => s.toLowerCase().replace(/\/+$/, '');
const TYPE_ASSIGNMENT = 'microsoft.authorization/roleassignments';
const TYPE_DEFINITION = 'microsoft.authorization/roledefinitions';
const TYPE_DENY = 'microsoft.authorization/denyassignments';
const LIST = /^(.*?)\/providers\/microsoft\.authorization\/(roleassignments|roledefinitions|denyassignments)$/;
const DEFINITION = /\/providers\/microsoft\.authorization\/roledefinitions\/([^/]+)$/;

/** Whether `outer` is `inner` or above it. */
function contains(outer: string, inner: string): boolean {
  return outer === '' || outer === inner || inner.startsWith(`${outer}/`);
}

function scopeOf(r: Record<string, unknown>): string {
  const p = r.properties as { scope?: unknown } | undefined;
  if (typeof p?.scope === 'string') return norm(p.scope);
  return norm(String(r.id).replace(/\/providers\/microsoft\.authorization\/.*$/i, ''));
}

/** The answer for a request this module serves, or undefined to let the core answer it. */
type Answer = (req: RouteRequest, pageSize: number) => MockResponse | undefined;

function createAnswer(world: World): Answer {
  const of = (type: string): Record<string, unknown>[] =>
    world.resources.filter((r) => String(r.type).toLowerCase() === type).sort((a, b) => a.id.localeCompare(b.id));
  const assignments = of(TYPE_ASSIGNMENT);
  const definitions = of(TYPE_DEFINITION);
  const denies = of(TYPE_DENY);
  const byGuid = new Map(definitions.map((d) => [String(d.name).toLowerCase(), d]));
  /** group → its direct members. */
  const members = new Map<string, string[]>();
  for (const g of world.groups ?? [])
    members.set(
      g.id.toLowerCase(),
      g.members.map((m) => m.toLowerCase()),
    );

  /** The principal and every group that holds it, transitively. */
  function closure(principal: string): Set<string> {
    const out = new Set([principal]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [group, m] of members) {
        if (!out.has(group) && m.some((x) => out.has(x))) {
          out.add(group);
          grew = true;
        }
      }
    }
    return out;
  }

  function page(items: Record<string, unknown>[], path: string, url: URL, origin: string, pageSize: number): MockResponse {
    const skip = Number(url.searchParams.get('$skipToken') ?? '0') || 0;
    const body: Record<string, unknown> = { value: items.slice(skip, skip + pageSize) };
    if (skip + pageSize < items.length) {
      const next = new URL(path, origin);
      for (const [k, v] of url.searchParams) if (k !== '$skipToken') next.searchParams.set(k, v);
      next.searchParams.set('$skipToken', String(skip + pageSize));
      body.nextLink = next.toString();
    }
    return json(200, body);
  }

  const invalidFilter = (filter: string): MockResponse =>
    json(400, { error: { code: 'InvalidFilter', message: `The filter '${filter}' is not supported.` } });

  return ({ method, key, url, origin }, pageSize) => {
    if (method !== 'GET') return undefined;
    const def = DEFINITION.exec(key);
    if (def) {
      const d = byGuid.get(def[1]!);
      if (d) return json(200, d);
      return json(404, {
        error: { code: 'RoleDefinitionDoesNotExist', message: `The specified role definition with ID '${def[1]!}' does not exist.` },
      });
    }
    const list = LIST.exec(key);
    if (!list) return undefined;
    const scope = norm(list[1]!);
    const kind = list[2]!;
    const path = url.pathname;
    const filter = (url.searchParams.get('$filter') ?? '').trim();
    if (kind === 'roledefinitions') {
      return page(
        definitions.filter((d) => {
          const scopes = ((d.properties as { assignableScopes?: string[] } | undefined)?.assignableScopes ?? ['/']).map(norm);
          return scopes.some((s) => contains(s, scope) || contains(scope, s));
        }),
        path,
        url,
        origin,
        pageSize,
      );
    }
    let atScope = false;
    let principals: Set<string> | undefined;
    for (const part of filter === '' ? [] : filter.split(/\s+and\s+/i)) {
      const assignedTo = /^assignedTo\('([^']+)'\)$/i.exec(part);
      const principalEq = /^principalId\s+eq\s+'([^']+)'$/i.exec(part);
      if (/^atScope\(\)$/i.test(part)) atScope = true;
      else if (assignedTo && kind === 'roleassignments') principals = closure(assignedTo[1]!.toLowerCase());
      else if (principalEq) principals = new Set([principalEq[1]!.toLowerCase()]);
      else return invalidFilter(filter);
    }
    const pool = kind === 'roleassignments' ? assignments : denies;
    const items = pool.filter((r) => {
      const s = scopeOf(r);
      if (!(contains(s, scope) || (!atScope && contains(scope, s)))) return false;
      if (!principals) return true;
      if (kind === 'roleassignments') {
        return principals.has(String((r.properties as { principalId?: unknown }).principalId).toLowerCase());
      }
      const named = (r.properties as { principals?: { id?: string }[] }).principals ?? [];
      return named.some((p) => principals.has(String(p.id).toLowerCase()));
    });
    return page(items, path, url, origin, pageSize);
  };
}

export const authorization: MockService = {
  name: 'authorization',
  register(app) {
    const answer = createAnswer(app.world);
    app.route({
      method: '*',
      path: /\/providers\/microsoft\.authorization\//i,
      afterCanned: true,
      handle: (req) => answer(req, app.pageSize),
    });
  },
};
