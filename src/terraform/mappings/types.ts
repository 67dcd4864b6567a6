/**
 * What a mapping is: for one Terraform resource type, the ARM resource its change produces. One
 * module per resource family (`ml.ts`, `network.ts`, …) exports a table of these; `index.ts` joins
 * them. A mapping is data first (the provider file it follows, the ARM type it produces) and two
 * functions: the ARM id, and the ARM body (or the edit it makes to another resource's body).
 */

export type Json = Record<string, unknown>;

/** What a mapping reads of one change: attribute values, with unknown ones turned into markers. */
export interface MapContext {
  /** The Terraform address (`module.net.azurerm_subnet.training`). */
  readonly address: string;
  readonly type: string;
  /** `create`, `update` or `delete` (a replace is a create: the resource is made anew). */
  readonly action: 'create' | 'update' | 'delete';
  /** `before.id` (updates, deletes and replaces). */
  readonly liveId: string | undefined;
  /**
   * The planned value at an attribute path (`['managed_network', 0, 'isolation_mode']`). Unknown
   * at plan time, it is an id of a resource this plan creates when the configuration says so
   * (`subnet_id = azurerm_subnet.training.id`), else an unevaluated marker that names the address
   * and path. Undefined when absent or null.
   */
  get(path: readonly (string | number)[]): unknown;
  /** A string attribute (or its marker), undefined when absent. */
  str(path: readonly (string | number)[]): string | undefined;
  /** The blocks of a nested block list (`security_rule`), `undefined` when the list itself is unknown. */
  blocks(name: string): readonly number[] | undefined;
  /** The subscription of ids this change builds (from the plan's other ids, or the caller). */
  readonly subscriptionId: string | undefined;
}

/** A change to a resource that another Terraform resource owns (an association, an access policy). */
export interface Edit {
  /** The ARM id of the resource it edits. */
  readonly target: string;
  /** The body with this edit applied (the body is a copy: mutate and return it). */
  apply(body: Json): Json;
}

export interface Mapping {
  /** The azurerm (or azapi) provider source that defines the attributes mapped. */
  readonly source: string;
  /** The ARM resource type produced (`Microsoft.Network/networkSecurityGroups`), or `(from type)` for azapi. */
  readonly armType: string;
  /** The ARM id, or undefined when the plan cannot say it (a name unknown until apply). */
  id(c: MapContext): string | undefined;
  /** The ARM body of the resource (for a create, all of it; for an update, what Terraform sets). */
  body?(c: MapContext): Json;
  /** Instead of a body of its own: the edits it makes to other resources' bodies (separate-resource style). */
  edits?(c: MapContext, id: string): readonly Edit[];
  /** More ARM resources the same Terraform resource produces (a private endpoint's DNS zone group). */
  extra?(c: MapContext, id: string): readonly { readonly id: string; readonly body: Json }[];
}

/** A Terraform type that changes ARM state a check reads, for which no mapping exists yet. */
export interface Unmapped {
  /** What it changes, said in the error (`the firewall's classic rule collections`). */
  readonly changes: string;
  /** The id of the ARM resource it changes, when the change says it. */
  id?(c: MapContext): string | undefined;
}

/** A family module: its mappings, and the types it knows a check reads without a mapping. */
export interface Family {
  readonly mappings: Readonly<Record<string, Mapping>>;
  readonly unmapped?: Readonly<Record<string, Unmapped>>;
  /**
   * Types no check reads whose ARM id other resources reference (`parent_id =
   * azurerm_resource_group.ml.id`): only their id is built, so those references resolve.
   */
  readonly idOnly?: Readonly<Record<string, (c: MapContext) => string | undefined>>;
}

/** `/subscriptions/{sub}/resourceGroups/{rg}/providers/{type}/{name}`, undefined when a part is unknown. */
export function armId(sub: string | undefined, rg: string | undefined, type: string, ...names: (string | undefined)[]): string | undefined {
  if (!sub || !rg || names.some((n) => !n || isMarker(n)) || isMarker(rg)) return undefined;
  const [ns, ...types] = type.split('/');
  let id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}`;
  for (const [i, t] of types.entries()) id += `/${t}/${names[i]!}`;
  return id;
}

/** `{parent}/{childType}/{name}`, undefined when a part is unknown. */
export function childId(parent: string | undefined, childType: string, name: string | undefined): string | undefined {
  if (!parent || !name || isMarker(parent) || isMarker(name)) return undefined;
  return `${parent}/${childType}/${name}`;
}

/** An unevaluated marker: ARM template expression syntax, so the planned state treats it as unevaluated. */
export function marker(address: string, path: readonly (string | number)[]): string {
  return `[terraform: ${address}.${attributePath(path)} is known only after apply]`;
}

export function isMarker(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('[terraform: ');
}

/** `ip_configuration[0].subnet_id` */
export function attributePath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** `{ id }` for a reference to another resource, undefined when there is none. */
export function ref(id: unknown): { id: string } | undefined {
  return typeof id === 'string' && id !== '' ? { id } : undefined;
}

/** Drops undefined fields (absent in the body); null stays (it removes a field in an update). */
export function compact<T extends Json>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `Enabled` / `Disabled` for a Terraform boolean (or its marker). */
export function enabled(v: unknown): string | undefined {
  if (typeof v === 'string' && isMarker(v)) return v;
  return v === true ? 'Enabled' : v === false ? 'Disabled' : undefined;
}

/** A list attribute of strings (or markers), undefined when absent. */
export function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string' && isMarker(v)) return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** The ARM identity of an azurerm `identity` block. */
export function identity(c: MapContext): Json | undefined {
  if (!c.blocks('identity')?.length) return c.blocks('identity') === undefined ? { type: c.str(['identity']) } : undefined;
  const type = c.str(['identity', 0, 'type']);
  const ids = strings(c.get(['identity', 0, 'identity_ids'])) ?? [];
  return compact({
    // azurerm says "SystemAssigned, UserAssigned"; ARM answers the same string.
    type,
    userAssignedIdentities: ids.length ? Object.fromEntries(ids.map((i) => [i, {}])) : undefined,
  });
}
