/**
 * Resource Graph inventory (`--inventory resource-graph`): a few Azure Resource Graph queries fetch
 * the workspaces and the network, storage and registry resources of every subscription in scope,
 * and ARM GETs for those resources are then answered from the query results inside the SDK's own
 * pipeline. The SDK deserializes them exactly as it deserializes ARM's answers, so every check sees
 * the same models, and verdicts equal direct mode's by construction.
 *
 * What Resource Graph does not hold still goes to ARM: key actions (secrets are never in Resource
 * Graph), workspace computes and private endpoints' DNS zone groups (not Resource Graph types),
 * service tags and private endpoint types (not resources), and any id the query did not return
 * (another subscription, or a resource Resource Graph has not indexed yet).
 * https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources
 *
 * Paging follows `$skipToken`; the per-user quota (`x-ms-user-quota-remaining`,
 * `x-ms-user-quota-resets-after`) is respected before the service has to say 429.
 * https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests
 */
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { idKey } from '../base/resource-id.js';

/** The resource types the query asks for, as Resource Graph spells them (lower case). */
export const RESOURCE_GRAPH_TYPES = [
  'microsoft.machinelearningservices/workspaces',
  'microsoft.storage/storageaccounts',
  'microsoft.containerregistry/registries',
  'microsoft.keyvault/vaults',
  'microsoft.network/virtualnetworks',
  'microsoft.network/networksecuritygroups',
  'microsoft.network/routetables',
  'microsoft.network/privateendpoints',
  'microsoft.network/privatednszones',
  'microsoft.network/privatednszones/virtualnetworklinks',
] as const;

/** The one query the tool sends. `order by id` keeps pages stable while the skip token walks them. */
export function inventoryQuery(types: readonly string[] = RESOURCE_GRAPH_TYPES): string {
  return `Resources | where type in~ (${types.map((t) => `'${t}'`).join(', ')}) | order by id asc`;
}

/** Resource Graph accepts at most this many subscriptions per request. */
export const MAX_SUBSCRIPTIONS_PER_QUERY = 1000;
/** Rows per page: Resource Graph's maximum. */
export const PAGE_SIZE = 1000;

/** A row of the `Resources` table, as Resource Graph answers it. */
export type ResourceGraphRow = Record<string, unknown> & { id: string };

export class ResourceGraphError extends Error {
  override readonly name = 'ResourceGraphError';
}

/**
 * Runs the query over `subscriptions` (batched by {@link MAX_SUBSCRIPTIONS_PER_QUERY}), following
 * skip tokens to the last page. All or nothing: a failed page fails the whole read, because a
 * partial inventory would answer lists (the workspaces of a subscription, a zone's links) wrongly.
 */
export async function queryResources(
  client: ResourceGraphClient,
  scope: readonly string[] | { readonly managementGroup: string },
  options: { query?: string; abortSignal?: AbortSignal; pageSize?: number } = {},
): Promise<ResourceGraphRow[]> {
  const rows: ResourceGraphRow[] = [];
  const query = options.query ?? inventoryQuery();
  // A management group is one scope Resource Graph expands itself (every subscription under it);
  // subscriptions go in batches of the most one query may name.
  const batches: ({ subscriptions: string[] } | { managementGroups: string[] })[] = [];
  if ('managementGroup' in scope) batches.push({ managementGroups: [scope.managementGroup] });
  else
    for (let i = 0; i < scope.length; i += MAX_SUBSCRIPTIONS_PER_QUERY)
      batches.push({ subscriptions: scope.slice(i, i + MAX_SUBSCRIPTIONS_PER_QUERY) });
  for (const batch of batches) {
    let skipToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page > 100_000) throw new ResourceGraphError('Resource Graph kept answering skip tokens; giving up');
      // The SDK's model types `data` as a dictionary and turns the row array into an object keyed
      // "0", "1", …; read the rows as Resource Graph sent them.
      let raw: { data?: unknown } | undefined;
      const res = await client.resources(
        {
          ...batch,
          query,
          options: { resultFormat: 'objectArray', top: options.pageSize ?? PAGE_SIZE, ...(skipToken ? { skipToken } : {}) },
        },
        {
          ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
          onResponse: (r) => {
            try {
              raw = JSON.parse(r.bodyAsText ?? 'null') as { data?: unknown } | undefined;
            } catch {
              raw = undefined;
            }
          },
        },
      );
      // `true` means rows were cut without a skip token to fetch them: the inventory would be partial.
      if (String(res.resultTruncated).toLowerCase() === 'true')
        throw new ResourceGraphError('Resource Graph truncated the result without a skip token');
      const data = raw?.data;
      if (!Array.isArray(data))
        throw new ResourceGraphError('Resource Graph answered a table, not rows (resultFormat objectArray was ignored)');
      for (const row of data as unknown[]) {
        if (row && typeof row === 'object' && typeof (row as { id?: unknown }).id === 'string') rows.push(row as ResourceGraphRow);
      }
      if (!res.skipToken) break;
      skipToken = res.skipToken;
    }
  }
  return rows;
}

/** A Resource Graph row as ARM's GET would answer it: ARM's casing of the type, no Resource Graph columns. */
export function armBodyOf(row: ResourceGraphRow): Record<string, unknown> {
  const body: Record<string, unknown> = { id: row.id, name: row.name ?? row.id.split('/').pop(), type: armTypeOf(row.id) ?? row.type };
  for (const key of [
    'location',
    'extendedLocation',
    'tags',
    'sku',
    'kind',
    'plan',
    'identity',
    'zones',
    'managedBy',
    'etag',
    'systemData',
    'properties',
  ]) {
    const v = row[key];
    if (v !== null && v !== undefined && v !== '') body[key] = v;
  }
  return body;
}

/** `Microsoft.Network/virtualNetworks/subnets` from an id, in the id's own casing. */
export function armTypeOf(id: string): string | undefined {
  const parts = id.split('/').filter(Boolean);
  const p = parts.map((s) => s.toLowerCase()).lastIndexOf('providers');
  if (p < 0 || parts.length < p + 3) return undefined;
  return [parts[p + 1], ...parts.slice(p + 2).filter((_, i) => i % 2 === 0)].join('/');
}

/**
 * The query results, answering the ARM GETs they can answer exactly: a resource by id, and a
 * collection of a queried type in a subscription or resource group in scope, or under a parent that
 * was returned. Anything else is left to ARM. (Embedded children need no answer of their own: the
 * inventory reads a subnet from its VNet, and asks for it by id only when the VNet lacks it.)
 */
export class ResourceGraphInventory {
  readonly #byId = new Map<string, Record<string, unknown>>();
  readonly #types: ReadonlySet<string>;
  readonly #subscriptions: ReadonlySet<string>;

  constructor(rows: readonly ResourceGraphRow[], subscriptions: readonly string[], types: readonly string[] = RESOURCE_GRAPH_TYPES) {
    this.#types = new Set(types.map((t) => t.toLowerCase()));
    this.#subscriptions = new Set(subscriptions.map((s) => s.toLowerCase()));
    for (const row of rows) this.#byId.set(idKey(row.id), armBodyOf(row));
  }

  /** The answer to `GET url`, or undefined when ARM must be asked. */
  answer(method: string, url: string): { status: number; body: unknown } | undefined {
    if (method !== 'GET') return undefined;
    let path: string;
    try {
      path = decodeURIComponent(new URL(url).pathname);
    } catch {
      // Not a URL, or a malformed escape: not ours to answer.
      return undefined;
    }
    const key = idKey(path);
    const hit = this.#byId.get(key);
    if (hit) return { status: 200, body: hit };
    return this.#collection(key);
  }

  #collection(key: string): { status: number; body: unknown } | undefined {
    const parts = key.split('/').filter(Boolean);
    if (parts[0] !== 'subscriptions' || !this.#subscriptions.has(parts[1] ?? '')) return undefined;
    const p = parts.indexOf('providers');
    if (p < 0 || (parts.length - (p + 2)) % 2 !== 1) return undefined;
    const type = armTypeOf(key)!.toLowerCase();
    if (!this.#types.has(type)) return undefined;
    const nested = parts.length - (p + 2) > 1;
    let prefix: string;
    if (nested) {
      // …/privateDnsZones/z/virtualNetworkLinks: only when the parent came back, so its children did too.
      const parent = parts.slice(0, -1).join('/');
      if (!this.#byId.has(`/${parent}`)) return undefined;
      prefix = `/${parent}/${parts.at(-1)}/`;
    } else if (p === 2) {
      prefix = `/subscriptions/${parts[1]}/`;
    } else if (p === 4 && parts[2] === 'resourcegroups') {
      prefix = `/subscriptions/${parts[1]}/resourcegroups/${parts[3]}/`;
    } else {
      return undefined;
    }
    const value = [...this.#byId.entries()]
      .filter(([id, body]) => id.startsWith(prefix) && typeof body.type === 'string' && body.type.toLowerCase() === type)
      .map(([, body]) => body);
    return { status: 200, body: { value } };
  }
}

/**
 * Resource Graph's per-user quota, from the headers of its answers. A request waits while the
 * quota is spent until the window resets; a 429 without `Retry-After` gets one derived from
 * `x-ms-user-quota-resets-after`, so the SDK's retry policy waits the right time.
 */
export class ResourceGraphQuota {
  #remaining: number | undefined;
  #resetsAt = 0;

  /** How long to wait before sending (ms). */
  beforeSend(now = performance.now()): number {
    if (this.#remaining === undefined || this.#remaining > 0) {
      if (this.#remaining !== undefined) this.#remaining--;
      return 0;
    }
    return Math.max(0, this.#resetsAt - now);
  }

  /** Records what an answer said. Returns the `Retry-After` (seconds) to add to a 429 that lacks one. */
  observe(status: number, remaining: string | undefined, resetsAfter: string | undefined, now = performance.now()): string | undefined {
    const resetMs = parseTimeSpan(resetsAfter);
    if (remaining !== undefined && /^\d+$/.test(remaining.trim())) this.#remaining = Number(remaining.trim());
    if (resetMs !== undefined) this.#resetsAt = now + resetMs;
    if (status === 429) {
      this.#remaining = 0;
      if (resetMs === undefined) this.#resetsAt = Math.max(this.#resetsAt, now + 1000);
      return String(Math.max(1, Math.ceil((this.#resetsAt - now) / 1000)));
    }
    return undefined;
  }
}

/** `hh:mm:ss` (optionally with fractional seconds or a `d.` day prefix) in ms. */
export function parseTimeSpan(value: string | undefined): number | undefined {
  const m = /^\s*(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)\s*$/.exec(value ?? '');
  if (!m) return undefined;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2])) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

/** Whether a request URL is a Resource Graph query. */
export function isResourceGraphUrl(url: string): boolean {
  return /\/providers\/Microsoft\.ResourceGraph\//i.test(url);
}
