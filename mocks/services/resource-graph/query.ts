/**
 * Azure Resource Graph as the mock serves it: `POST /providers/Microsoft.ResourceGraph/resources`
 * over the world's resources, projected the way Resource Graph projects them (lower-case type and
 * resource group, normalised location, `subscriptionId` and `tenantId` columns), paged with
 * `$skipToken`, and limited by a per-user quota reported in `x-ms-user-quota-remaining` and
 * `x-ms-user-quota-resets-after`. Over the quota it answers 429 with those headers and no
 * `Retry-After`, as the guidance for throttled requests describes.
 * https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests
 *
 * It understands the subset of the Kusto query language the tool sends, and says 400
 * `InvalidQuery` to anything else:
 *   Resources [| where COND [and COND]…]… [| order by COLUMN [asc|desc]] [| limit N]
 *   COND: COLUMN in~ ('a', …) | COLUMN in ('a', …) | COLUMN =~ 'a' | COLUMN == 'a' | properties contains 'a'
 */
import type { World } from '../../../src/world/schema.js';
import { normaliseLocation } from '../../../src/arm/location.js';
import { idKey, resourceName, resourceType, tryParseResourceId } from '../../../src/base/resource-id.js';
import { MOCK_TENANT_ID, subscriptionsUnder, text as textOf } from '../../core/index.js';

const COLUMNS = new Set(['id', 'name', 'type', 'tenantid', 'kind', 'location', 'resourcegroup', 'subscriptionid', 'managedby']);

export interface GraphAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ResourceGraphMock {
  /** Answers one query request (the body as sent). */
  query(bodyText: string | undefined): GraphAnswer;
  /** Queries answered, 429s included. */
  readonly requests: number;
  /** Queries answered 429 for the quota. */
  readonly throttled: number;
}

/** Projects `resources` (the world's, as ARM answers them) into Resource Graph rows. */
export function resourceGraphRows(
  resources: Iterable<Record<string, unknown>>,
  notIndexed: readonly string[] = [],
): Record<string, unknown>[] {
  const skip = new Set(notIndexed.map(idKey));
  const rows: Record<string, unknown>[] = [];
  for (const r of resources) {
    // The Resources table holds provider resources only: an id that is none is not a row.
    const rid = tryParseResourceId(r.id);
    if (!rid || skip.has(idKey(rid.id))) continue;
    rows.push({
      id: r.id,
      name: r.name ?? resourceName(rid),
      type: textOf(r.type, resourceType(rid)).toLowerCase(),
      tenantId: MOCK_TENANT_ID,
      kind: r.kind ?? '',
      location: typeof r.location === 'string' ? normaliseLocation(r.location) : '',
      resourceGroup: rid.resourceGroup?.toLowerCase() ?? '',
      subscriptionId: rid.subscriptionId.toLowerCase(),
      managedBy: r.managedBy ?? '',
      sku: r.sku ?? null,
      plan: r.plan ?? null,
      properties: r.properties ?? null,
      tags: r.tags ?? null,
      identity: r.identity ?? null,
      zones: r.zones ?? null,
      extendedLocation: r.extendedLocation ?? null,
    });
  }
  return rows;
}

/** A world resource may omit its type (Microsoft's own examples do); ARM's id says it. */
type Row = Record<string, unknown>;
type Stage = (rows: Row[]) => Row[];

class InvalidQuery extends Error {}

/** Compiles the supported subset of KQL into row transformations. */
export function compileQuery(query: string): Stage[] {
  const pipes = splitOutsideQuotes(query, '|').map((s) => s.trim());
  if (!/^resources$/i.test(pipes[0] ?? '')) throw new InvalidQuery(`the mock serves the Resources table only, not "${pipes[0]}"`);
  return pipes.slice(1).map((stage): Stage => {
    let m: RegExpExecArray | null;
    if ((m = /^where\s+([\s\S]+)$/i.exec(stage))) {
      const conds = splitOutsideQuotes(m[1]!, ' and ').map(compileCondition);
      return (rows) => rows.filter((r) => conds.every((c) => c(r)));
    }
    if ((m = /^(?:order|sort)\s+by\s+(\w+)(?:\s+(asc|desc))?$/i.exec(stage))) {
      const col = column(m[1]!);
      const dir = (m[2] ?? 'desc').toLowerCase() === 'asc' ? 1 : -1; // KQL sorts descending by default
      return (rows) => [...rows].sort((a, b) => dir * textOf(a[col]).localeCompare(textOf(b[col])));
    }
    if ((m = /^(?:limit|take)\s+(\d+)$/i.exec(stage))) {
      const n = Number(m[1]);
      return (rows) => rows.slice(0, n);
    }
    throw new InvalidQuery(`unsupported operator "${stage.split(/\s/)[0]}"`);
  });
}

function compileCondition(text: string): (row: Row) => boolean {
  const t = text.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\w+)\s+(in~|in)\s*\(([\s\S]*)\)$/i.exec(t))) {
    const col = column(m[1]!);
    const insensitive = m[2]!.toLowerCase() === 'in~';
    const values = splitOutsideQuotes(m[3]!, ',').map((v) => literal(v.trim()));
    const set = new Set(insensitive ? values.map((v) => v.toLowerCase()) : values);
    return (row) => set.has(insensitive ? textOf(row[col]).toLowerCase() : textOf(row[col]));
  }
  if ((m = /^(\w+)\s*(=~|==)\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")$/.exec(t))) {
    const col = column(m[1]!);
    const value = literal(m[3]!);
    return m[2] === '=~' ? (row) => textOf(row[col]).toLowerCase() === value.toLowerCase() : (row) => textOf(row[col]) === value;
  }
  // `properties contains 'x'`: Resource Graph matches the dynamic column's JSON text (issue 21: the
  // owner of a private IP); a substring, so callers match the hits exactly.
  if ((m = /^properties\s+contains\s+('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")$/i.exec(t))) {
    const value = literal(m[1]!).toLowerCase();
    return (row) =>
      JSON.stringify(row.properties ?? null)
        .toLowerCase()
        .includes(value);
  }
  throw new InvalidQuery(`unsupported condition "${t}"`);
}

function column(name: string): string {
  const lower = name.toLowerCase();
  if (!COLUMNS.has(lower)) throw new InvalidQuery(`unknown column "${name}"`);
  return { tenantid: 'tenantId', resourcegroup: 'resourceGroup', subscriptionid: 'subscriptionId', managedby: 'managedBy' }[lower] ?? lower;
}

function literal(text: string): string {
  const m = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$/.exec(text);
  if (!m) throw new InvalidQuery(`expected a quoted string, got ${text}`);
  return (m[1] ?? m[2]!).replace(/\\(.)/g, '$1');
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (text.startsWith(separator, i)) {
      out.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  if (quote) throw new InvalidQuery('unterminated string literal');
  out.push(text.slice(start));
  return out;
}

/** Builds the Resource Graph endpoint over a world's live resources. */
export function createResourceGraphMock(world: World, liveResources: () => Iterable<Record<string, unknown>>): ResourceGraphMock {
  const quota = world.resourceGraph?.quota ?? { requests: 15, windowSeconds: 5 };
  const maxPage = world.resourceGraph?.pageSize ?? 1000;
  let windowStart = -Infinity;
  let used = 0;
  let requests = 0;
  let throttled = 0;

  const fail = (
    status: number,
    code: string,
    message: string,
    details?: { code: string; message: string }[],
  ): Omit<GraphAnswer, 'headers'> => ({
    status,
    body: { error: { code, message, ...(details ? { details } : {}) } },
  });

  function answer(bodyText: string | undefined): Omit<GraphAnswer, 'headers'> {
    let request: {
      subscriptions?: unknown;
      managementGroups?: unknown;
      query?: unknown;
      options?: { $top?: unknown; $skip?: unknown; $skipToken?: unknown; resultFormat?: unknown };
    };
    try {
      request = JSON.parse(bodyText ?? '') as typeof request;
    } catch {
      return fail(400, 'BadRequest', 'The request body is not valid JSON.');
    }
    if (typeof request.query !== 'string' || request.query.trim() === '')
      return fail(400, 'BadRequest', "The 'query' property is required.");
    let stages: Stage[];
    try {
      stages = compileQuery(request.query);
    } catch (err) {
      return fail(400, 'BadRequest', 'Please provide below info when asking for support: the query is invalid.', [
        {
          code: 'InvalidQuery',
          message:
            'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.',
        },
        { code: 'ParserFailure', message: (err as Error).message },
      ]);
    }
    let subs = Array.isArray(request.subscriptions) ? new Set(request.subscriptions.map((s) => textOf(s).toLowerCase())) : undefined;
    // A management group scope is every subscription under it, recursively.
    if (Array.isArray(request.managementGroups)) {
      subs = new Set();
      for (const g of request.managementGroups) {
        const under = subscriptionsUnder(world, textOf(g));
        if (!under)
          return fail(403, 'AuthorizationFailed', `The client has no access to management group '${textOf(g)}', or it does not exist.`);
        for (const s of under) subs.add(s);
      }
    }
    let rows = resourceGraphRows(liveResources(), world.resourceGraph?.notIndexed ?? []).filter(
      (r) => !subs || subs.has(String(r.subscriptionId)),
    );
    for (const stage of stages) rows = stage(rows);
    const opts = request.options ?? {};
    let offset = 0;
    if (typeof opts.$skipToken === 'string') {
      try {
        const token = JSON.parse(Buffer.from(opts.$skipToken, 'base64url').toString('utf8')) as { offset?: unknown; query?: unknown };
        if (token.query !== request.query || typeof token.offset !== 'number') throw new Error('mismatch');
        offset = token.offset;
      } catch {
        return fail(400, 'BadRequest', 'The $skipToken is invalid or does not belong to this query.');
      }
    } else if (typeof opts.$skip === 'number') {
      offset = opts.$skip;
    }
    const size = Math.min(maxPage, typeof opts.$top === 'number' && opts.$top > 0 ? opts.$top : 1000);
    const page = rows.slice(offset, offset + size);
    const more = offset + size < rows.length;
    const tableFormat = typeof opts.resultFormat === 'string' && opts.resultFormat.toLowerCase() === 'table';
    return {
      status: 200,
      body: {
        totalRecords: rows.length,
        count: page.length,
        resultTruncated: 'false',
        ...(more ? { $skipToken: Buffer.from(JSON.stringify({ offset: offset + size, query: request.query })).toString('base64url') } : {}),
        data: tableFormat ? toTable(page) : page,
        facets: [],
      },
    };
  }

  return {
    query(bodyText) {
      requests++;
      const now = performance.now();
      if (now - windowStart >= quota.windowSeconds * 1000) {
        windowStart = now;
        used = 0;
      }
      const resetsAfter = timeSpan(windowStart + quota.windowSeconds * 1000 - now);
      if (used >= quota.requests) {
        throttled++;
        return {
          status: 429,
          headers: { 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': resetsAfter },
          body: {
            error: {
              code: 'RateLimiting',
              message: `Please provide below info when asking for support: the per-user quota of ${quota.requests} queries per ${quota.windowSeconds} s is spent; retry after ${resetsAfter}.`,
            },
          },
        };
      }
      used++;
      const result = answer(bodyText);
      return {
        ...result,
        headers: { 'x-ms-user-quota-remaining': String(quota.requests - used), 'x-ms-user-quota-resets-after': resetsAfter },
      };
    },
    get requests() {
      return requests;
    },
    get throttled() {
      return throttled;
    },
  };
}

function toTable(rows: Row[]): unknown {
  const names = rows.length > 0 ? Object.keys(rows[0]!) : ['id'];
  return { columns: names.map((name) => ({ name, type: 'string' })), rows: rows.map((r) => names.map((n) => r[n])) };
}

/** ms → `hh:mm:ss`, rounded up to whole seconds. */
function timeSpan(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}
