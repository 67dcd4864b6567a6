/**
 * Reading what `terraform show -json <planfile>` prints: Hashicorp's "JSON Output Format"
 * (format_version 1.x), validated at the boundary. Only the fields the mapping uses are checked;
 * unknown fields pass, as Hashicorp asks of readers ("ignore any object properties with
 * unrecognized names to remain forward-compatible with future minor versions ... reject any input
 * which reports an unsupported major version").
 * https://developer.hashicorp.com/terraform/internals/json-format
 *
 * Sensitive values (`before_sensitive` / `after_sensitive`, sensitive variables and outputs) are
 * registered with the scrubber the moment the file is read, so they never reach a report or a log.
 *
 * `-refresh=false`: the JSON has no field that says the plan was made without refreshing (a plan
 * without `resource_drift` is also what a refreshed plan with no drift prints), so it cannot be
 * told apart and is not rejected. Its `before` values are then the state file's, not live ARM's;
 * the audit reads live ARM for everything the plan does not change, so only the planned bodies of
 * updates rest on them.
 */
import { readFile } from 'node:fs/promises';
import * as z from '../base/zod.js';
import { UsageError } from '../base/errors.js';
import { rememberSecret } from '../base/secrets.js';
import { jsonPath } from '../base/json-path.js';

const actions = z.array(z.enum(['no-op', 'create', 'read', 'update', 'delete', 'forget'])).check(z.minLength(1));

const resourceChange = z.looseObject({
  address: z.string().check(z.minLength(1)),
  module_address: z.optional(z.string()),
  mode: z.enum(['managed', 'data']),
  type: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  index: z.optional(z.union([z.string(), z.number()])),
  provider_name: z.optional(z.string()),
  deposed: z.optional(z.string()),
  change: z.looseObject({
    actions,
    before: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
    after: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
    after_unknown: z.optional(z.unknown()),
    before_sensitive: z.optional(z.unknown()),
    after_sensitive: z.optional(z.unknown()),
  }),
});

const expressionMap: z.ZodMiniType<ConfigModule> = z.lazy(() =>
  z.looseObject({
    resources: z.optional(
      z.array(
        z.looseObject({ address: z.string(), type: z.optional(z.string()), expressions: z.optional(z.record(z.string(), z.unknown())) }),
      ),
    ),
    module_calls: z.optional(z.record(z.string(), z.looseObject({ source: z.optional(z.string()), module: z.optional(expressionMap) }))),
    variables: z.optional(z.record(z.string(), z.looseObject({ sensitive: z.optional(z.boolean()) }))),
  }),
);

const planSchema = z.looseObject({
  format_version: z.string().check(z.regex(/^\d+\.\d+$/, 'a version like "1.2"')),
  terraform_version: z.optional(z.string()),
  errored: z.optional(z.boolean()),
  variables: z.optional(z.record(z.string(), z.looseObject({ value: z.optional(z.unknown()) }))),
  resource_changes: z.optional(z.array(resourceChange)),
  output_changes: z.optional(
    z.record(z.string(), z.looseObject({ after: z.optional(z.unknown()), after_sensitive: z.optional(z.unknown()) })),
  ),
  configuration: z.optional(z.looseObject({ root_module: z.optional(expressionMap) })),
});

/** A module of the plan's `configuration` section: its resources' expressions, its module calls. */
export interface ConfigModule {
  readonly resources?: readonly { readonly address: string; readonly type?: string; readonly expressions?: Record<string, unknown> }[];
  readonly module_calls?: Record<string, { readonly source?: string; readonly module?: ConfigModule }>;
  readonly variables?: Record<string, { readonly sensitive?: boolean }>;
}

export type TerraformResourceChange = z.infer<typeof resourceChange>;

/** A validated Terraform plan. */
export interface TerraformPlan {
  readonly file: string;
  readonly formatVersion: string;
  readonly terraformVersion: string | undefined;
  readonly resourceChanges: readonly TerraformResourceChange[];
  /** The `configuration` section's root module, when the plan carries it. */
  readonly configuration: ConfigModule | undefined;
}

/** Validates a parsed `terraform show -json` plan. Throws {@link UsageError} naming what is wrong. */
export function parseTerraformPlan(data: unknown, file = 'plan.json'): TerraformPlan {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${file} is not a Terraform plan: not a JSON object`);
  const raw = data as Record<string, unknown>;
  if (typeof raw.format_version !== 'string')
    throw new UsageError(`${file} is not a Terraform plan: no format_version (make it with terraform show -json <planfile>)`);
  const major = raw.format_version.split('.')[0];
  if (major !== '1')
    throw new UsageError(
      `${file} is a Terraform JSON of format_version ${raw.format_version}; only 1.x is read (Terraform 1.0 and later: terraform show -json <planfile>)`,
    );
  if (!('resource_changes' in raw) && !('planned_values' in raw)) {
    const what = 'values' in raw ? 'a state, not a plan (terraform show -json of a state file)' : 'not a plan: it has no resource_changes';
    throw new UsageError(`${file} is ${what}; run terraform plan -out tfplan, then terraform show -json tfplan`);
  }
  const result = planSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`invalid Terraform plan ${file}: at ${jsonPath(issue.path)}: ${issue.message}`);
  }
  const plan = result.data;
  if (plan.errored) throw new UsageError(`${file} is the plan of a terraform plan that errored; its changes are incomplete`);
  const changes = plan.resource_changes ?? [];
  rememberSensitive(plan, changes);
  return {
    file,
    formatVersion: plan.format_version,
    terraformVersion: plan.terraform_version,
    resourceChanges: changes,
    configuration: plan.configuration?.root_module,
  };
}

/** Reads and validates a plan file. Throws {@link UsageError} for unreadable or invalid files. */
export async function loadTerraformPlan(file: string): Promise<TerraformPlan> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read Terraform plan ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // A saved plan (`terraform plan -out`) is a zip archive.
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])))
    throw new UsageError(`${file} is a binary plan file; give the JSON of terraform show -json ${file} instead`);
  const text = bytes.toString('utf8');
  // PowerShell's `>` writes UTF-16 with a byte-order mark; Node reads it as garbage, so say so.
  if (text.startsWith('\uFFFD\uFFFD') || text.includes('\u0000'))
    throw new UsageError(`${file} is not UTF-8 (write it with terraform show -json tfplan | Out-File -Encoding utf8)`);
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(
      `${file} is not a Terraform plan: not JSON (${(err as Error).message}); a binary plan file needs terraform show -json first`,
    );
  }
  return parseTerraformPlan(data, file);
}

/** Every string of `value` where `sensitive` (the same shape, `true` at sensitive leaves or subtrees) says so. */
export function sensitiveStrings(value: unknown, sensitive: unknown, out: string[] = []): string[] {
  if (sensitive === true) collectStrings(value, out);
  else if (Array.isArray(sensitive) && Array.isArray(value)) for (const [i, s] of sensitive.entries()) sensitiveStrings(value[i], s, out);
  else if (sensitive && typeof sensitive === 'object' && value && typeof value === 'object' && !Array.isArray(value))
    for (const [k, s] of Object.entries(sensitive)) sensitiveStrings((value as Record<string, unknown>)[k], s, out);
  return out;
}

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, out);
  else if (typeof value === 'number') out.push(String(value));
}

function rememberSensitive(plan: z.infer<typeof planSchema>, changes: readonly TerraformResourceChange[]): void {
  const found: string[] = [];
  for (const rc of changes) {
    sensitiveStrings(rc.change.before, rc.change.before_sensitive, found);
    sensitiveStrings(rc.change.after, rc.change.after_sensitive, found);
  }
  for (const o of Object.values(plan.output_changes ?? {})) sensitiveStrings(o.after, o.after_sensitive, found);
  const declared = plan.configuration?.root_module?.variables ?? {};
  for (const [name, v] of Object.entries(plan.variables ?? {})) if (declared[name]?.sensitive) collectStrings(v.value, found);
  for (const s of found) rememberSecret(s);
}
