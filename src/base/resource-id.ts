/**
 * ARM resource ids, parsed and compared the way ARM does: case-insensitively.
 *
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 * ARM ids look like
 * `/subscriptions/{sub}/resourceGroups/{rg}/providers/{Namespace}/{type}/{name}[/{childType}/{childName}]…`.
 * Real ARM answers mix the case of the same id (`resourcegroups`, `Microsoft.network`), so every
 * comparison goes through {@link sameId} or {@link idKey}, never `===`.
 */

/** A parsed ARM resource id. All parts keep the case they were given in. */
export interface ResourceId {
  /** The id as given, without a trailing slash. */
  readonly id: string;
  readonly subscriptionId: string;
  /** Absent for subscription-level resources. */
  readonly resourceGroup?: string;
  /** The resource provider namespace, e.g. `Microsoft.Network`. */
  readonly provider: string;
  /** Type segments, e.g. `['virtualNetworks', 'subnets']`. */
  readonly types: readonly string[];
  /** Name segments, one per type, e.g. `['vnet-mlops', 'snet-training']`. */
  readonly names: readonly string[];
}

const SUBSCRIPTION = /^[0-9a-zA-Z][0-9a-zA-Z-]{0,63}$/;
const SEGMENT = /^[^/?#\s][^/?#]*$/;

/**
 * Parses an ARM resource id. Throws `TypeError` with a message that says what was expected.
 * Accepts subscription-scoped and resource-group-scoped provider resources, including children.
 */
export function parseResourceId(input: string): ResourceId {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new TypeError(
      'expected an ARM resource id like /subscriptions/<id>/resourceGroups/<rg>/providers/<Namespace>/<type>/<name>, got an empty value',
    );
  }
  const id = input.trim().replace(/\/+$/, '');
  const bad = (why: string): TypeError =>
    new TypeError(
      `"${truncate(input)}" is not an ARM resource id (${why}); expected /subscriptions/<id>/resourceGroups/<rg>/providers/<Namespace>/<type>/<name>`,
    );
  if (!id.startsWith('/')) throw bad('it must start with /subscriptions/');
  const parts = id.slice(1).split('/');
  if (parts.some((p) => p === '')) throw bad('it has an empty segment (//)');
  if (parts.some((p) => !SEGMENT.test(p))) throw bad('a segment contains whitespace, ? or #');
  if (parts[0]?.toLowerCase() !== 'subscriptions' || parts.length < 2) throw bad('it must start with /subscriptions/');
  const subscriptionId = parts[1]!;
  if (!SUBSCRIPTION.test(subscriptionId)) throw bad('the subscription id is malformed');
  let i = 2;
  let resourceGroup: string | undefined;
  if (parts[i]?.toLowerCase() === 'resourcegroups') {
    resourceGroup = parts[i + 1];
    if (!resourceGroup) throw bad('the resource group name is missing');
    i += 2;
  }
  if (parts[i]?.toLowerCase() !== 'providers') throw bad('"providers/<Namespace>" is missing');
  const provider = parts[i + 1];
  if (!provider?.includes('.')) throw bad('the provider namespace is missing or malformed');
  const rest = parts.slice(i + 2);
  if (rest.length === 0 || rest.length % 2 !== 0) throw bad('types and names must come in pairs');
  const types: string[] = [];
  const names: string[] = [];
  for (let k = 0; k < rest.length; k += 2) {
    types.push(rest[k]!);
    names.push(rest[k + 1]!);
  }
  return { id, subscriptionId, ...(resourceGroup ? { resourceGroup } : {}), provider, types, names };
}

/** Like {@link parseResourceId} but answers `undefined` instead of throwing. */
export function tryParseResourceId(input: unknown): ResourceId | undefined {
  if (typeof input !== 'string') return undefined;
  try {
    return parseResourceId(input);
  } catch {
    return undefined;
  }
}

/** The canonical key of an id: lower case, no trailing slash. Use for maps and sets. */
export function idKey(id: string): string {
  // Defensive: ARM answers are data; a non-string id must not crash a comparison.
  return String(id).trim().replace(/\/+$/, '').toLowerCase();
}

/** Whether two ids name the same resource (ARM ids are case-insensitive). */
export function sameId(a: string | undefined | null, b: string | undefined | null): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || !a || !b) return false;
  return idKey(a) === idKey(b);
}

/** The full resource type, e.g. `Microsoft.Network/virtualNetworks/subnets`. */
export function resourceType(rid: ResourceId): string {
  return [rid.provider, ...rid.types].join('/');
}

/** The name of the last segment. */
export function resourceName(rid: ResourceId): string {
  return rid.names[rid.names.length - 1]!;
}

/** The id of the parent resource (`…/virtualNetworks/v` for `…/virtualNetworks/v/subnets/s`). */
export function parentId(rid: ResourceId): string | undefined {
  if (rid.types.length < 2) return undefined;
  return rid.id.split('/').slice(0, -2).join('/');
}

/** Parses a workspace id and checks its type. Throws `TypeError` otherwise. */
export function parseWorkspaceId(input: string): ResourceId & { resourceGroup: string } {
  const rid = parseResourceId(input);
  if (!rid.resourceGroup || resourceType(rid).toLowerCase() !== 'microsoft.machinelearningservices/workspaces') {
    throw new TypeError(
      `"${truncate(input)}" is not an Azure ML workspace id; expected /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<name>`,
    );
  }
  return rid as ResourceId & { resourceGroup: string };
}

function truncate(s: unknown): string {
  const text = String(s);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
