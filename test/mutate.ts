/**
 * Mutated worlds: a healthy world with one value replaced or removed anywhere, as the hostile-input
 * property tests and `npm run explore` make them.
 */
import fc from 'fast-check';

type Json = Record<string, unknown>;

/** Replaces (or removes) the value at `path`, each step an index into the keys of the node there. */
export function mutateAt(root: Json, path: readonly number[], value: unknown, remove: boolean): void {
  let node: unknown = root;
  for (let depth = 0; depth < path.length; depth++) {
    if (!node || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = keys[path[depth]! % keys.length]!;
    if (depth === path.length - 1 || typeof (node as Json)[key] !== 'object' || (node as Json)[key] === null) {
      if (remove) delete (node as Json)[key];
      else (node as Json)[key] = value;
      return;
    }
    node = (node as Json)[key];
  }
}

/** The values put in: the wrong types ARM-shaped code meets. */
export const jsonValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom('/subscriptions/x', 'Deny', 'Disabled', 'West Europe', '10.0.0.0/33'),
);

/** A mutation: where, what, and whether to remove instead. */
export const mutation = fc.tuple(fc.array(fc.nat(50), { minLength: 1, maxLength: 7 }), jsonValue, fc.boolean());

/**
 * Every counterexample found so far, kept as examples so each run tries them first:
 * - a null inside an array (a service tag entry) crashed the NSG check;
 * - ids answered as [] or -1 crashed id comparison;
 * - the serviceTags answer, or an array in it, answered as `false` ("boolean false is not
 *   iterable" in nsg-outbound-service-tags; random seeds 550040075 and 978638368). Since ARM's
 *   answers are validated at the boundary (src/arm/shapes.ts) these are an `error` naming the path.
 */
export const PINNED_MUTATIONS: readonly [number[], unknown, boolean][] = [
  [[48, 8, 0, 5, 0], '/subscriptions/x', true],
  [[42, 15, 24, 0, 0], [], false],
  [[33, 0, 0, 6], -1, false],
  [[7, 30, 31, 31, 0, 45, 0], [], false],
  [[39, 21, 0], false, false],
  [[45, 45, 0], false, false],
];
