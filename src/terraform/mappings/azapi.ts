/**
 * azapi: `azapi_resource` and `azapi_update_resource` carry the ARM body themselves. `type` is
 * `Microsoft.X/y[/z]@apiVersion`; the id is the parent's id and the type's last segment and name
 * (a top-level type under a resource group or subscription: `{parent}/providers/{type}/{name}`).
 * `body` is an object in azapi 2.x and a JSON string in 1.x; both are read.
 * Attributes follow Azure/terraform-provider-azapi, internal/services/azapi_resource.go and
 * azapi_update_resource.go.
 */
import { compact, isMarker, type Family, type Json, type MapContext } from './types.js';

function armType(c: MapContext): string | undefined {
  const t = c.str(['type']);
  return t && !isMarker(t) ? t.split('@')[0] : undefined;
}

/** `{parent}/providers/{type}/{name}` or `{parent}/{child type}/{name}`. */
function azapiId(c: MapContext): string | undefined {
  const type = armType(c);
  const parent = c.str(['parent_id']);
  const name = c.str(['name']);
  if (!type || !parent || !name || isMarker(parent) || isMarker(name)) return undefined;
  const segments = type.split('/');
  if (segments.length <= 2) return `${parent.replace(/\/$/, '')}/providers/${type}/${name}`;
  return `${parent.replace(/\/$/, '')}/${segments.at(-1)!}/${name}`;
}

/** The ARM body: `body` (object or JSON string), its unknown parts markers. */
function body(c: MapContext): Json {
  let b = c.get(['body']);
  if (typeof b === 'string' && !isMarker(b)) {
    try {
      b = JSON.parse(b) as unknown;
    } catch {
      b = undefined;
    }
  }
  if (isMarker(b)) return { properties: b };
  const out = b && typeof b === 'object' ? (b as Json) : {};
  // Unknown leaves inside an object body: read through the context so they become markers.
  return walk(c, ['body'], out) as Json;
}

function walk(c: MapContext, path: (string | number)[], value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v, i) => walk(c, [...path, i], v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(c, [...path, k], v)]));
  }
  const v = c.get(path);
  return v === undefined ? value : v;
}

export const azapi: Family = {
  mappings: {
    azapi_resource: {
      source: 'Azure/terraform-provider-azapi internal/services/azapi_resource.go',
      armType: '(from type)',
      id: azapiId,
      body: (c) => compact({ location: c.str(['location']), ...body(c) }),
    },
    azapi_update_resource: {
      source: 'Azure/terraform-provider-azapi internal/services/azapi_update_resource.go',
      armType: '(from type)',
      id: (c) => c.str(['resource_id']) ?? azapiId(c),
      edits: (c, id) => [
        {
          target: id,
          // Deleting an azapi_update_resource changes nothing in Azure (the provider's delete is a no-op).
          apply: (live) => (c.action === 'delete' ? live : (mergeInto(live, body(c)) as Json)),
        },
      ],
    },
  },
};

function mergeInto(live: unknown, patch: unknown): unknown {
  if (patch && typeof patch === 'object' && !Array.isArray(patch) && live && typeof live === 'object' && !Array.isArray(live)) {
    const out: Json = { ...(live as Json) };
    for (const [k, v] of Object.entries(patch)) out[k] = mergeInto(out[k], v);
    return out;
  }
  return patch === undefined ? live : patch;
}
