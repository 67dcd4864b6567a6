/** Laying what Terraform sets over live ARM bodies. */
import { idKey } from '../base/resource-id.js';

/**
 * What Terraform sets laid over a live body: objects merge, `null` removes a field, an array is
 * Terraform's (it writes whole lists), each member merged over the live member of the same id or name.
 */
export function merge(live: unknown, patch: unknown): unknown {
  if (patch === undefined) return live;
  if (Array.isArray(patch)) {
    if (!Array.isArray(live)) return patch;
    const keyOf = (x: unknown): string | undefined => {
      const o = x as { id?: unknown; name?: unknown } | null;
      return typeof o?.id === 'string' ? idKey(o.id) : typeof o?.name === 'string' ? `name:${o.name.toLowerCase()}` : undefined;
    };
    const members = live as unknown[];
    return patch.map((p: unknown) => {
      const k = keyOf(p);
      const name = (p as { name?: unknown } | null)?.name;
      const l = k
        ? members.find((x) => keyOf(x) === k || (typeof name === 'string' && keyOf(x) === `name:${name.toLowerCase()}`))
        : undefined;
      return l === undefined ? p : merge(l, p);
    });
  }
  if (patch && typeof patch === 'object') {
    if (!live || typeof live !== 'object' || Array.isArray(live)) return stripNulls(patch);
    const out = new Map(Object.entries(live));
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) out.delete(k);
      else out.set(k, merge(out.get(k), v));
    }
    return Object.fromEntries(out);
  }
  return patch;
}

export function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, stripNulls(x)]),
    );
  return v;
}
