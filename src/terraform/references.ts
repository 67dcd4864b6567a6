/**
 * The plan's configuration section: where an unknown value comes from. A value the plan cannot know
 * (`after_unknown`) is still decided when the configuration writes it as `<resource>.id` of a
 * resource whose ARM id the mapping built.
 * https://developer.hashicorp.com/terraform/internals/json-format#configuration-representation
 */
import type { ConfigModule } from './plan-file.js';

export type Path = readonly (string | number)[];

export interface ConfigIndex {
  /** Config address (module path, no instance key) → expressions. */
  readonly expressions: ReadonlyMap<string, Record<string, unknown>>;
}

export function configIndex(root: ConfigModule | undefined): ConfigIndex {
  const expressions = new Map<string, Record<string, unknown>>();
  const visit = (m: ConfigModule | undefined, prefix: string): void => {
    if (!m) return;
    for (const r of m.resources ?? []) if (r.expressions) expressions.set(prefix + r.address, r.expressions);
    for (const [name, call] of Object.entries(m.module_calls ?? {})) visit(call.module, `${prefix}module.${name}.`);
  };
  visit(root, '');
  return { expressions };
}

/** `module.a["x"].azurerm_subnet.s[0]` → `module.a.azurerm_subnet.s` (the configuration's address). */
function configAddress(address: string): string {
  return address.replace(/\[[^\]]*\]/g, '');
}

/** The module path of an address, as a prefix of the addresses it references (`module.a["x"].`). */
function modulePrefix(address: string): string {
  const m = /^((?:module\.[^.[]+(?:\[[^\]]*\])?\.)*)/.exec(address);
  return m?.[1] ?? '';
}

/**
 * An unknown value the configuration writes as `<resource>.id` of a resource whose ARM id this plan
 * knows (a create whose id the mapping built): that id. Undefined otherwise.
 */
export function resolveReference(address: string, path: Path, ids: ReadonlyMap<string, string>, config: ConfigIndex): string | undefined {
  let expr: unknown = config.expressions.get(configAddress(address));
  for (const p of path) {
    if (!expr || typeof expr !== 'object') return undefined;
    expr = (expr as Record<string | number, unknown>)[p];
  }
  const refs = (expr as { references?: unknown } | undefined)?.references;
  if (!Array.isArray(refs) || typeof refs[0] !== 'string') return undefined;
  const m = /^(.+)\.id$/.exec(refs[0]);
  if (!m) return undefined;
  const target = modulePrefix(address) + m[1]!;
  const exact = ids.get(target);
  if (exact) return exact;
  // `azurerm_subnet.training.id` of a resource with one instance (count = 1) is that instance.
  const instances = [...ids.keys()].filter((k) => k.startsWith(`${target}[`) && !k.slice(target.length).includes('.'));
  return instances.length === 1 ? ids.get(instances[0]!) : undefined;
}
