/**
 * Where ARM puts a resource's children, for the planned state (plan.ts): embedded in the parent's
 * body (subnets, security rules, routes, peerings, private endpoint connections, the managed
 * network's `outboundRules` map), and at their own ids under it (ancestors, collections).
 */
import { idKey, tryParseResourceId } from '../base/resource-id.js';
import type { Json } from './changes.js';

/**
 * Where a parent's body embeds its children of a type (the last type segment, lower case): a
 * `properties.<field>` array of bodies with ids, or the managed network's `outboundRules` map of
 * rule properties by name (V1 in the workspace, V2 in `managedNetworks/default`).
 */
export const EMBEDDED_ARRAYS: Record<string, string> = {
  subnets: 'subnets',
  virtualnetworkpeerings: 'virtualNetworkPeerings',
  securityrules: 'securityRules',
  routes: 'routes',
  privateendpointconnections: 'privateEndpointConnections',
};

/** `body` with `set`'s values laid over it, objects merged at every depth (a copy; `body` is not changed). */
export function merge(body: Json, set: Json | undefined): Json {
  if (!set) return body;
  const out: Json = { ...body };
  for (const [k, v] of Object.entries(set)) {
    const was = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && was && typeof was === 'object' && !Array.isArray(was)
        ? merge(was as Json, v as Json)
        : v;
  }
  return out;
}

/** The embedded children of `type` in a parent body, or undefined when the body does not carry the field. */
export function embedded(parent: Json, type: string): Json[] | undefined {
  const props = parent.properties as Json | undefined;
  if (!props || typeof props !== 'object') return undefined;
  if (type === 'outboundrules') {
    // The managed network's rules map: V1 in the workspace, V2 in `managedNetworks/default`.
    const map = (props.managedNetwork as { outboundRules?: unknown } | undefined)?.outboundRules;
    if (!map || typeof map !== 'object') return undefined;
    const parentId = String(parent.id);
    return Object.entries(map as Json).map(([name, rule]) => ({ id: `${parentId}/outboundRules/${name}`, name, properties: rule }));
  }
  const field = EMBEDDED_ARRAYS[type];
  const list = field ? props[field] : undefined;
  return Array.isArray(list)
    ? (list as unknown[]).filter((x): x is Json => x !== null && typeof x === 'object' && typeof (x as Json).id === 'string')
    : undefined;
}

export function embeds(type: string): boolean {
  return type === 'outboundrules' || type in EMBEDDED_ARRAYS;
}

/** The last type segment of a child resource id (lower case), undefined for a top-level resource. */
export function childType(key: string): string | undefined {
  const rid = tryParseResourceId(key);
  return rid && rid.types.length > 1 ? rid.types.at(-1)!.toLowerCase() : undefined;
}

/** The resource ids above a resource id, nearest first (`…/vnet/subnets/s` → `…/vnet`). */
export function ancestors(key: string): string[] {
  const out: string[] = [];
  const rid = tryParseResourceId(key);
  if (!rid) return out;
  let id = rid.id;
  for (let depth = rid.types.length; depth > 1; depth--) {
    id = id.slice(0, id.lastIndexOf('/', id.lastIndexOf('/') - 1));
    out.push(idKey(id));
  }
  return out;
}

/** Whether a path names a collection: `…/providers/NS/type[/name/childType]`, an odd number of segments after the namespace. */
export function isCollection(key: string): boolean {
  const parts = key.split('/').filter(Boolean);
  const p = parts.lastIndexOf('providers');
  return p >= 0 && (parts.length - (p + 2)) % 2 === 1;
}

export function isDirectChild(id: string, collection: string): boolean {
  return id.startsWith(`${collection}/`) && !id.slice(collection.length + 1).includes('/');
}

export function keyOf(url: string): string | undefined {
  try {
    return idKey(decodeURIComponent(new URL(url).pathname));
  } catch {
    return undefined;
  }
}
