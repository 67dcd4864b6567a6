/**
 * The world store: every resource at its id (case-insensitively), the child resources ARM embeds
 * also served at their own ids, the world's canned answers, and the lists ARM answers from them
 * (`…/parent/childType`, `/subscriptions/{s}/providers/{NS}/{type}`), paged with `nextLink`.
 */
import type { World } from '../../src/world/schema.js';
import { text } from './text.js';
import { envelope, json, normaliseKey } from './http.js';
import { paged } from './paging.js';
import type { ArmObject, MockResponse } from './types.js';

/** A canned answer of the world (`responses`), keyed `METHOD /path`. */
export type CannedResponse = World['responses'][string];

/**
 * Resources a service serves at their own ids beyond the ones ARM embeds generically (an object
 * with an `id` under its parent's): derived from a resource of the type it is registered for.
 */
export type ChildResources = (resource: ArmObject, id: string) => readonly ArmObject[];

export interface ResourceStore {
  /** The resource at a lower-case id without a trailing slash. */
  get(key: string): ArmObject | undefined;
  /** Serves a resource created after the start at its id (and its embedded children at theirs); lists keep their items. */
  add(resource: ArmObject): void;
  /** The items of a list request's lower-case path (`…/parent/childType`), sorted by id. */
  children(collectionKey: string): readonly ArmObject[];
  /** The world's canned answer for a method and a lower-case path. */
  canned(method: string, key: string): CannedResponse | undefined;
  /** A GET answered from the store: the resource, or a page of a list; undefined when it is neither. */
  read(path: string, key: string, url: URL, origin: string): MockResponse | undefined;
  /** The subscriptions the world holds anything in (lower case as written). */
  readonly subscriptions: ReadonlySet<string>;
}

export function createResourceStore(world: World, pageSize: number, childResources: ReadonlyMap<string, ChildResources>): ResourceStore {
  const resources = new Map<string, ArmObject>();
  const responses = new Map<string, CannedResponse>();

  function index(resource: ArmObject, topLevel: boolean): void {
    const id = typeof resource.id === 'string' ? resource.id : undefined;
    if (!id) return;
    const key = id.toLowerCase().replace(/\/+$/, '');
    if (topLevel || !resources.has(key)) resources.set(key, resource);
    walkChildren(resource.properties, key);
    for (const child of childResources.get(String(resource.type).toLowerCase())?.(resource, id) ?? []) index(child, false);
  }

  /** Any object with an `id` under the parent's id is a child ARM serves at its own id. */
  function walkChildren(value: unknown, parentKey: string): void {
    if (Array.isArray(value)) {
      for (const v of value) walkChildren(v, parentKey);
    } else if (value && typeof value === 'object') {
      const obj = value as ArmObject;
      if (typeof obj.id === 'string' && obj.id.toLowerCase().startsWith(`${parentKey}/`) && (obj.properties || obj.name)) {
        index(obj, false);
        return;
      }
      for (const v of Object.values(obj)) walkChildren(v, parentKey);
    }
  }

  for (const r of world.resources) index(r, true);
  // Lists answer from indexes, not by scanning every resource: a list request costs what it returns,
  // so a world of thousands of workspaces answers as fast as one (the mock is never the bottleneck).
  /** `…/parent/childType` (the list request's path) → its items, sorted by id. */
  const children = new Map<string, ArmObject[]>();
  /** `{subscription}|{namespace/type}` → the subscription's resources of that type, sorted by id. */
  const byType = new Map<string, ArmObject[]>();
  const push = (m: Map<string, ArmObject[]>, k: string, r: ArmObject): void => {
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  };
  for (const [id, r] of [...resources].sort(([a], [b]) => a.localeCompare(b))) {
    push(children, id.slice(0, id.lastIndexOf('/')), r);
    const sub = /^\/subscriptions\/([^/]+)\//.exec(id)?.[1];
    if (sub) push(byType, `${sub}|${text(r.type).toLowerCase()}`, r);
  }
  for (const [key, value] of Object.entries(world.responses)) responses.set(normaliseKey(key), value);
  const subscriptions = new Set<string>();
  for (const id of [...resources.keys(), ...responses.keys()]) {
    const sub = /\/subscriptions\/([^/]+)/.exec(id)?.[1];
    if (sub) subscriptions.add(sub);
  }

  function listCollection(path: string, key: string, url: URL, origin: string): MockResponse {
    const parts = key.split('/').filter(Boolean);
    let items: readonly ArmObject[];
    const subscriptionScoped = parts[2] === 'providers' && parts.length === 5;
    if (subscriptionScoped) {
      // GET /subscriptions/{s}/providers/{NS}/{type}: every resource of that type in the subscription.
      items = byType.get(`${parts[1]}|${parts[3]}/${parts[4]}`) ?? [];
    } else {
      const parentKey = key.split('/').slice(0, -1).join('/');
      items = children.get(key) ?? [];
      // A snapshot may hold a zone's links without the zone: known children prove the parent.
      if (items.length === 0 && isNested(parentKey) && !resources.has(parentKey)) {
        return json(
          404,
          envelope(
            'ParentResourceNotFound',
            `Can not perform requested operation on nested resource. Parent resource '${parentKey.split('/').pop()}' not found.`,
          ),
        );
      }
    }
    return paged(items, path, url, origin, pageSize);
  }

  return {
    get: (key) => resources.get(key),
    add: (resource) => {
      index(resource, false);
    },
    children: (collectionKey) => children.get(collectionKey) ?? [],
    canned: (method, key) => responses.get(`${method} ${key}`),
    read(path, key, url, origin) {
      const resource = resources.get(key);
      if (resource) return json(200, resource);
      if (isCollectionPath(key)) return listCollection(path, key, url, origin);
      return undefined;
    },
    subscriptions,
  };
}

/** ARM's 404 for an unknown id, naming the type, the name and the resource group as ARM does. */
export function notFound(path: string): MockResponse {
  const parts = path.split('/').filter(Boolean);
  const p = parts.findIndex((s) => s.toLowerCase() === 'providers');
  const type =
    p >= 0
      ? parts
          .slice(p + 1)
          .filter((_, i) => i === 0 || i % 2 === 1)
          .join('/')
      : 'resource';
  const name = parts[parts.length - 1];
  const rgIndex = parts.findIndex((s) => s.toLowerCase() === 'resourcegroups');
  const rg = rgIndex >= 0 ? ` under resource group '${parts[rgIndex + 1]}'` : '';
  return json(
    404,
    envelope(
      'ResourceNotFound',
      `The Resource '${type}/${name}'${rg} was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),
  );
}

function isCollectionPath(key: string): boolean {
  const parts = key.split('/').filter(Boolean);
  const p = parts.indexOf('providers');
  if (p < 0) return false;
  return (parts.length - (p + 2)) % 2 === 1;
}

function isNested(key: string): boolean {
  const parts = key.split('/').filter(Boolean);
  const p = parts.indexOf('providers');
  return p >= 0 && parts.length - (p + 2) >= 2;
}
