/**
 * A Terraform plan as the planned state's changes: each `resource_changes[]` entry mapped to the
 * ARM resource it will produce (`mappings/`), in the shape ARM's what-if gives (`PlannedChange`),
 * so `PlannedState` lays it over live ARM the same way.
 *
 * - `create` builds the id from the planned attributes; `update` and `delete` take `before.id`; a
 *   replace (`["delete","create"]` or `["create","delete"]`) is a create of a new resource (and a
 *   delete of the old id, when the new one differs).
 * - A value unknown at plan time (`after_unknown`) is an id of a resource the plan creates when the
 *   configuration references it (`subnet_id = azurerm_subnet.training.id`); otherwise it becomes an
 *   unevaluated marker, and the change lists it in `unknown` with the Terraform address and
 *   attribute, so every read that carries it fails naming them.
 * - An update is what Terraform sets laid over the live body (Terraform manages a subset of the ARM
 *   properties; the provider keeps the others), so it needs the live body: {@link plannedChanges}.
 * - Separate-resource style (a rule beside its NSG, an association beside its subnet) is either a
 *   child of its own (PlannedState embeds it in the parent's body) or an edit of the parent body.
 * - A type no check reads is ignored; a type a check reads without a mapping is a problem that
 *   names address and type, and its resource (when the change says it) is `Unsupported`.
 * https://developer.hashicorp.com/terraform/internals/json-format#change-representation
 */
import { idKey, tryParseResourceId } from '../base/resource-id.js';
import type { PlannedChange } from '../what-if/changes.js';
import { TABLE, type Table } from './mappings/index.js';
import { isMarker, marker, type Edit, type Json, type MapContext } from './mappings/types.js';
import type { TerraformPlan, TerraformResourceChange } from './plan-file.js';
import { merge, stripNulls } from './merge.js';
import { configIndex, resolveReference, type ConfigIndex, type Path } from './references.js';

/** A planned change with the Terraform resource it comes from. */
export interface TerraformChange extends PlannedChange {
  readonly address: string;
  readonly terraformType: string;
  /** `true` when `after` is what Terraform sets, to be laid over the live body. */
  readonly patch?: boolean;
  /** Values known only after apply: their ARM path, and the Terraform address and attribute. */
  readonly unknown?: readonly { readonly path: string; readonly why: string }[];
}

/** A change the mapping cannot place or does not know, said with its address and type. */
export interface MappingProblem {
  readonly address: string;
  readonly type: string;
  readonly reason: string;
  /** The ARM resource it concerns, when the plan says it. */
  readonly resourceId?: string;
}

export interface TerraformMapping {
  readonly changes: readonly TerraformChange[];
  /** Edits of resources by other Terraform resources (associations, access policies, network rules). */
  readonly edits: readonly (Edit & { readonly address: string; readonly terraformType: string })[];
  readonly problems: readonly MappingProblem[];
  /** Addresses of changes of types no check reads. */
  readonly ignored: readonly string[];
  /** Addresses of no-op and read changes. */
  readonly unchanged: readonly string[];
}

export interface MapOptions {
  /** The subscription of the ids creates build, when the plan's own ids do not say it. */
  readonly subscriptionId?: string;
  /** The mapping table (tests pass their own). */
  readonly table?: Table;
}

type Action = 'create' | 'update' | 'delete' | 'replace';

/** A subscription or resource group id (a scope, not a resource of a provider). */
const SCOPE = /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?$/i;

function actionOf(actions: readonly string[]): Action | undefined {
  const a = [...actions].sort().join(',');
  if (a === 'create') return 'create';
  if (a === 'update') return 'update';
  if (a === 'delete') return 'delete';
  if (a === 'create,delete') return 'replace';
  return undefined; // no-op, read, forget
}

/** Maps every resource change of a plan. Pure: no ARM reads (updates and edits are laid over live by {@link plannedChanges}). */
export function mapTerraformPlan(plan: TerraformPlan, options: MapOptions = {}): TerraformMapping {
  const table = options.table ?? TABLE;
  const config = configIndex(plan.configuration);
  const subscriptionId = options.subscriptionId ?? dominantSubscription(plan);
  const managed = plan.resourceChanges.filter((rc) => rc.mode === 'managed' && rc.deposed === undefined);
  const unchanged: string[] = [];
  const ignored: string[] = [];
  const active: { rc: TerraformResourceChange; action: Action }[] = [];
  /** Ignored changes whose ids others reference (`idOnly`). */
  const named: { rc: TerraformResourceChange; action: Action }[] = [];
  for (const rc of managed) {
    const action = actionOf(rc.change.actions);
    if (!action) unchanged.push(rc.address);
    else if (!table.mappings[rc.type] && !table.unmapped[rc.type]) {
      ignored.push(rc.address);
      if (table.idOnly[rc.type] && action !== 'delete') named.push({ rc, action });
    } else active.push({ rc, action });
  }

  // Ids first, in rounds: a create's id may rest on the id of another create (a rule of a new workspace).
  const ids = new Map<string, string>();
  // A live resource's id is its before.id, except where Terraform's id is not the ARM resource it
  // edits (an access policy's `{vault}/objectId/{oid}`): edit-only mappings build theirs.
  const editOnly = (type: string): boolean => table.mappings[type] !== undefined && !table.mappings[type].body;
  for (const rc of managed)
    if (typeof rc.change.before?.id === 'string' && actionOf(rc.change.actions) !== 'replace' && !editOnly(rc.type))
      ids.set(rc.address, rc.change.before.id);
  const contexts = new Map<string, MapContext>();
  const ctx = (rc: TerraformResourceChange, action: Action): MapContext => {
    let c = contexts.get(rc.address);
    if (!c) contexts.set(rc.address, (c = context(rc, action, ids, config, subscriptionId)));
    return c;
  };
  for (let round = 0, grew = true; grew && round < 10; round++) {
    grew = false;
    for (const { rc, action } of [...active, ...named]) {
      if (ids.has(rc.address) && action !== 'replace') continue;
      const m = table.mappings[rc.type];
      const found = m ? m.id(ctx(rc, action)) : (table.unmapped[rc.type]?.id ?? table.idOnly[rc.type])?.(ctx(rc, action));
      const id = found && !isMarker(found) && (tryParseResourceId(found) || SCOPE.test(found)) ? found : undefined;
      if (id && ids.get(rc.address) !== id) {
        ids.set(rc.address, id);
        grew = true;
      }
    }
  }

  const changes: TerraformChange[] = [];
  const edits: (Edit & { address: string; terraformType: string })[] = [];
  const problems: MappingProblem[] = [];
  for (const { rc, action } of active) {
    const c = ctx(rc, action);
    const liveId = typeof rc.change.before?.id === 'string' ? rc.change.before.id : undefined;
    const id = (action === 'update' || action === 'delete') && !editOnly(rc.type) ? (liveId ?? ids.get(rc.address)) : ids.get(rc.address);
    const base = { address: rc.address, terraformType: rc.type };
    const mapping = table.mappings[rc.type];
    if (!mapping) {
      const u = table.unmapped[rc.type]!;
      const reason = `Terraform changes ${u.changes} through ${rc.address} (${rc.type}), which aml-preflight cannot map to its ARM state yet`;
      problems.push({ ...base, type: rc.type, reason, ...(id ? { resourceId: id } : {}) });
      if (id) changes.push({ ...base, resourceId: id, changeType: 'Unsupported', unsupportedReason: reason });
      continue;
    }
    if (!id) {
      problems.push({
        ...base,
        type: rc.type,
        reason: `the ARM id of ${rc.address} (${rc.type}) is known only after apply (a name or parent id the plan leaves unknown)`,
      });
      continue;
    }
    if (action === 'replace' && liveId && idKey(liveId) !== idKey(id)) changes.push({ ...base, resourceId: liveId, changeType: 'Delete' });
    if (mapping.edits) for (const e of mapping.edits(c, id)) edits.push({ ...base, ...e });
    if (!mapping.body) continue;
    if (action === 'delete') {
      changes.push({ ...base, resourceId: id, changeType: 'Delete' });
      continue;
    }
    const rid = tryParseResourceId(id);
    const body = succeeded(mapping.body(c));
    const after: Json =
      action === 'update' ? body : { id, name: rid?.names.at(-1), type: rid ? [rid.provider, ...rid.types].join('/') : undefined, ...body };
    const extra = mapping.extra?.(c, id) ?? [];
    for (const [resourceId, b, patch] of [
      [id, after, action === 'update'] as const,
      ...extra.map((x) => [x.id, x.body, action === 'update'] as const),
    ]) {
      changes.push(withUnknown({ ...base, resourceId, changeType: patch ? 'Modify' : 'Create', after: b, ...(patch ? { patch } : {}) }));
    }
  }
  return { changes, edits, problems, ignored, unchanged };
}

/**
 * The state after a successful apply: azurerm and azapi wait for each create and update to finish
 * (the long-running operation's poller) and fail the apply when it does not succeed, so what the
 * plan writes is `Succeeded` once it applies.
 */
function succeeded(body: Json): Json {
  const props = body.properties;
  if (props === undefined) return { ...body, properties: { provisioningState: 'Succeeded' } };
  if (!props || typeof props !== 'object' || Array.isArray(props) || 'provisioningState' in props) return body;
  return { ...body, properties: { ...(props as Json), provisioningState: 'Succeeded' } };
}

/**
 * The planned changes, complete: updates and edits laid over the live bodies (`readLive` answers
 * the live ARM body of an id, undefined when it does not exist), edits of resources the plan itself
 * creates applied to their planned bodies. A live resource the plan updates but ARM does not have is
 * `Unsupported`, naming the address: the state and Azure disagree.
 */
export async function plannedChanges(
  mapping: TerraformMapping,
  readLive: (id: string) => Promise<Json | undefined>,
): Promise<TerraformChange[]> {
  const out = new Map<string, TerraformChange>();
  for (const c of mapping.changes) {
    const key = idKey(c.resourceId);
    if (!c.patch) {
      out.set(key, c);
      continue;
    }
    const live = await readLive(c.resourceId);
    out.set(
      key,
      live
        ? withUnknown({ ...c, patch: false, changeType: 'Modify', before: live, after: merge(live, c.after ?? {}) as Json })
        : { ...c, patch: false, changeType: 'Unsupported', unsupportedReason: missing(c.address, c.resourceId) },
    );
  }
  for (const e of mapping.edits) {
    const key = idKey(e.target);
    const owner = out.get(key);
    if (owner && /^delete$/i.test(owner.changeType)) continue;
    if (owner && /^unsupported$/i.test(owner.changeType)) continue;
    if (owner?.after) {
      out.set(key, withUnknown({ ...owner, after: e.apply(structuredClone(owner.after)) }));
      continue;
    }
    const live = await readLive(e.target);
    out.set(
      key,
      live
        ? withUnknown({
            address: e.address,
            terraformType: e.terraformType,
            resourceId: e.target,
            changeType: 'Modify',
            before: live,
            after: e.apply(structuredClone(live)),
          })
        : {
            address: e.address,
            terraformType: e.terraformType,
            resourceId: e.target,
            changeType: 'Unsupported',
            unsupportedReason: missing(e.address, e.target),
          },
    );
  }
  return [...out.values()];
}

function missing(address: string, id: string): string {
  return `Terraform changes ${id} through ${address}, but ARM has no such resource (the Terraform state and Azure disagree; run terraform plan again)`;
}

/** The change with its markers listed as values known only after apply (and null fields of a create dropped). */
function withUnknown<T extends TerraformChange>(c: T): T {
  const after = c.patch ? c.after : (stripNulls(c.after) as Json | undefined);
  const found: { path: string; why: string }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string' && isMarker(v))
      found.push({
        path,
        why: `Terraform knows ${v.slice('[terraform: '.length, -' is known only after apply]'.length)} only after apply (after_unknown)`,
      });
    else if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(after, '');
  const { unknown: _drop, ...rest } = c;
  return { ...rest, ...(after ? { after } : {}), ...(found.length ? { unknown: found } : {}) } as T;
}

// ---- reading one change ----

function at(v: unknown, path: Path): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === true) return true; // an unknown (or sensitive) subtree
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function context(
  rc: TerraformResourceChange,
  action: Action,
  ids: ReadonlyMap<string, string>,
  config: ConfigIndex,
  subscriptionId: string | undefined,
): MapContext {
  const values = (action === 'delete' ? rc.change.before : rc.change.after) ?? {};
  const unknownTree = action === 'delete' ? undefined : rc.change.after_unknown;
  const isUnknown = (path: Path): boolean => {
    let cur = unknownTree;
    for (const p of path) {
      if (cur === true) return true;
      if (!cur || typeof cur !== 'object') return false;
      cur = (cur as Record<string | number, unknown>)[p];
    }
    return cur === true;
  };
  const get = (path: Path): unknown => {
    if (isUnknown(path)) return resolveReference(rc.address, path, ids, config) ?? marker(rc.address, path);
    const v = at(values, path);
    return v === null ? undefined : v;
  };
  return {
    address: rc.address,
    type: rc.type,
    action: action === 'replace' ? 'create' : action,
    liveId: typeof rc.change.before?.id === 'string' ? rc.change.before.id : undefined,
    subscriptionId,
    get,
    str(path) {
      const v = get(path);
      return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
    },
    blocks(name) {
      if (isUnknown([name])) return undefined;
      const v = at(values, [name]);
      return Array.isArray(v) ? v.map((_, i) => i) : [];
    },
  };
}

/** The subscription most of the plan's ids name: the one its creates go to when nothing else says. */
function dominantSubscription(plan: TerraformPlan): string | undefined {
  const counts = new Map<string, number>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      const m = /^\/subscriptions\/([0-9a-fA-F-]{36})(\/|$)/.exec(v);
      if (m) counts.set(m[1]!.toLowerCase(), (counts.get(m[1]!.toLowerCase()) ?? 0) + 1);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  for (const rc of plan.resourceChanges) {
    visit(rc.change.before);
    visit(rc.change.after);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
