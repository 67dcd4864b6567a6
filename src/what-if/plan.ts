/**
 * The planned state of a deployment: ARM's what-if changes laid over live ARM. GETs of resources the
 * deployment creates or modifies answer the `after` body, deleted ones 404, and everything else is
 * read live; children follow their parents (a subnet inside its planned VNet, a security rule inside
 * its planned NSG, a compute or a private endpoint connection in a planned list). An `after` value ARM
 * could not evaluate (an expression left as a string, `[reference(...)]`) is never guessed: the read
 * fails naming its JSON path, so the checks that need it say `error`.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-what-if
 */
import { idKey, tryParseResourceId } from '../base/resource-id.js';

/** One change of ARM's what-if answer (`properties.changes[]`). */
export interface PlannedChange {
  readonly resourceId: string;
  /** Create, Delete, Modify, Deploy, NoChange, Ignore, Unsupported. */
  readonly changeType: string;
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
}

const WRITES = /^(create|modify|deploy)$/i;
/** Changes that may bring a resource into being (`Deploy`: what-if cannot tell create from update). */
const CREATES = /^(create|deploy)$/i;

/** An ARM template expression left unevaluated: a whole string in square brackets (not `[[`). */
function unevaluated(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return /^\[(?!\[)[\s\S]*\]$/.test(value.trim()) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = unevaluated(v, `${path}[${i}]`);
      if (p) return p;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = unevaluated(v, path ? `${path}.${k}` : k);
      if (p) return p;
    }
  }
  return undefined;
}

/** Children ARM embeds in their parent's body: `properties.<array>` of the parent type. */
const EMBEDDED: Record<string, string> = {
  'microsoft.network/virtualnetworks/subnets': 'subnets',
  'microsoft.network/virtualnetworks/virtualnetworkpeerings': 'virtualNetworkPeerings',
  'microsoft.network/networksecuritygroups/securityrules': 'securityRules',
  'microsoft.network/routetables/routes': 'routes',
};

export class PlannedState {
  /** idKey → the change that decides it (writes and deletes only). */
  readonly #changes = new Map<string, PlannedChange>();
  readonly changes: readonly PlannedChange[];

  constructor(changes: readonly PlannedChange[]) {
    this.changes = changes;
    for (const c of changes) {
      if (WRITES.test(c.changeType) || /^delete$/i.test(c.changeType)) this.#changes.set(idKey(c.resourceId), c);
    }
  }

  /** The ids the deployment creates, modifies or deletes (lower case). */
  get changedIds(): ReadonlySet<string> {
    return new Set(this.#changes.keys());
  }

  /** The answer to `GET url` from the plan, or undefined to ask ARM. */
  answer(method: string, url: string): { status: number; body: unknown } | undefined {
    if (method !== 'GET') return undefined;
    const key = keyOf(url);
    if (!key) return undefined;
    const own = this.#changes.get(key);
    if (own) return this.#body(own);
    // A child ARM embeds in its parent: the parent's planned body decides it.
    const rid = tryParseResourceId(key);
    const field = rid ? EMBEDDED[[rid.provider, ...rid.types].join('/').toLowerCase()] : undefined;
    if (!field) return undefined;
    const parentKey = key.slice(0, key.lastIndexOf('/', key.lastIndexOf('/') - 1));
    const parent = this.#changes.get(parentKey);
    if (!parent) return undefined;
    const answer = this.#body(parent);
    if (answer.status !== 200) return answer;
    const list = ((answer.body as { properties?: Record<string, unknown> }).properties?.[field] ?? []) as { id?: unknown }[];
    const child = list.find((c) => typeof c.id === 'string' && idKey(c.id) === key);
    return child ? { status: 200, body: child } : notFound(key);
  }

  /**
   * A live answer with the plan applied: a list gets its planned members added, replaced or
   * removed; a parent gets its planned embedded children.
   */
  adjust(method: string, url: string, status: number, bodyText: string | undefined): { status: number; bodyText: string } | undefined {
    if (method !== 'GET' || status !== 200 || !bodyText) return undefined;
    const key = keyOf(url);
    if (!key) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      return undefined;
    }
    let changed = false;
    // A member the plan cannot say fails the whole answer: a list with a guessed member is a guess.
    let unknown: { status: number; body: unknown } | undefined;
    const member = (c: PlannedChange): object => {
      const b = this.#body(c);
      if (b.status !== 200) unknown ??= b;
      return b.body as object;
    };
    const value = (body as { value?: unknown } | null)?.value;
    if (Array.isArray(value)) {
      // A list of `key`'s children: members the plan deletes go, members it writes are its bodies, new ones join.
      const prefix = `${key}/`;
      const seen = new Set<string>();
      const out: unknown[] = [];
      for (const item of value as { id?: unknown }[]) {
        const id = typeof item.id === 'string' ? idKey(item.id) : undefined;
        const c = id ? this.#changes.get(id) : undefined;
        if (id) seen.add(id);
        if (!c) out.push(item);
        else if (WRITES.test(c.changeType)) out.push(member(c));
        changed ||= c !== undefined;
      }
      // New members join the last page only, and only what the plan creates: a Modify is of a
      // member that exists live, on whichever page holds it.
      const lastPage = typeof (body as { nextLink?: unknown }).nextLink !== 'string' || (body as { nextLink: string }).nextLink === '';
      for (const [id, c] of this.#changes) {
        if (!lastPage || seen.has(id) || !CREATES.test(c.changeType) || !id.startsWith(prefix) || id.slice(prefix.length).includes('/'))
          continue;
        out.push(member(c));
        changed = true;
      }
      if (unknown) return { status: unknown.status, bodyText: JSON.stringify(unknown.body) };
      return changed ? { status, bodyText: JSON.stringify({ ...(body as object), value: out }) } : undefined;
    }
    // A parent body: its embedded children the plan writes or deletes on their own.
    const props = (body as { properties?: Record<string, unknown> } | null)?.properties;
    if (!props) return undefined;
    for (const field of Object.values(EMBEDDED)) {
      const list = props[field];
      if (!Array.isArray(list)) continue;
      const prefix = `${key}/${field.toLowerCase()}/`;
      const next = (list as { id?: unknown }[])
        .map((item) => {
          const c = typeof item.id === 'string' ? this.#changes.get(idKey(item.id)) : undefined;
          if (!c) return item;
          changed = true;
          return WRITES.test(c.changeType) ? member(c) : undefined;
        })
        .filter((x) => x !== undefined);
      for (const [id, c] of this.#changes) {
        if (
          !WRITES.test(c.changeType) ||
          !id.startsWith(prefix) ||
          next.some((x) => typeof (x as { id?: unknown }).id === 'string' && idKey((x as { id: string }).id) === id)
        )
          continue;
        next.push(member(c));
        changed = true;
      }
      props[field] = next;
    }
    if (unknown) return { status: unknown.status, bodyText: JSON.stringify(unknown.body) };
    return changed ? { status, bodyText: JSON.stringify(body) } : undefined;
  }

  #body(c: PlannedChange): { status: number; body: unknown } {
    if (!WRITES.test(c.changeType)) return notFound(c.resourceId);
    const path = unevaluated(c.after ?? {}, '');
    if (path !== undefined) {
      return {
        status: 400,
        body: {
          error: {
            code: 'WhatIfUnevaluated',
            message: `what-if could not evaluate ${path || 'the body'} of ${c.resourceId} (a template expression left unevaluated); the planned state of this resource is unknown`,
          },
        },
      };
    }
    return { status: 200, body: { id: c.resourceId, ...c.after } };
  }
}

function keyOf(url: string): string | undefined {
  try {
    return idKey(decodeURIComponent(new URL(url).pathname));
  } catch {
    return undefined;
  }
}

function notFound(id: string): { status: number; body: unknown } {
  return {
    status: 404,
    body: { error: { code: 'ResourceNotFound', message: `The deployment deletes ${id} (what-if): it will not exist.` } },
  };
}
