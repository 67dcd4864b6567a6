/**
 * One change of a deployment's planned state (plan.ts): what kind it is, and what of its body ARM
 * left unevaluated (a template expression kept as a string).
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-what-if
 */

/** One change of ARM's what-if answer (`properties.changes[]`), or one Azure applies on its own. */
export interface PlannedChange {
  readonly resourceId: string;
  /** Create, Delete, Modify, Deploy, NoChange, Ignore, Unsupported. */
  readonly changeType: string;
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
  /** Why ARM cannot predict the change (`Unsupported`). */
  readonly unsupportedReason?: string;
  /** Values of `after` that Azure sets when the change applies and the docs leave open: their paths, and why. */
  readonly unknown?: readonly { readonly path: string; readonly why: string }[];
}

export const WRITES = /^(create|modify|deploy)$/i;
/** Changes that may bring a resource into being (`Deploy`: what-if cannot tell create from update). */
export const CREATES = /^(create|deploy)$/i;
export const DELETES = /^delete$/i;
export const UNSUPPORTED = /^unsupported$/i;
/** A change Azure makes on its own to a live resource (`effects.ts`): the live body with `after`'s values set. */
export const SET = /^set$/i;

/** The changes that decide a resource: writes, deletes, and the ones ARM cannot predict. */
export function decides(changeType: string): boolean {
  return WRITES.test(changeType) || DELETES.test(changeType) || UNSUPPORTED.test(changeType) || SET.test(changeType);
}

/** An ARM template expression left unevaluated: a whole string in square brackets (not `[[`). */
export function isTemplateExpression(value: unknown): value is string {
  return typeof value === 'string' && /^\[(?!\[)[\s\S]*\]$/.test(value.trim());
}

/** Every value of `value` ARM left unevaluated, with its JSON path. */
export function unevaluated(value: unknown, path: string, out: { path: string; value: string }[] = []): { path: string; value: string }[] {
  if (isTemplateExpression(value)) out.push({ path, value });
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) unevaluated(v, `${path}[${i}]`, out);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) unevaluated(v, path ? `${path}.${k}` : k, out);
  return out;
}

/** A path whose value is a resource id (`….id`, `…Id`, `…ResourceId`): unevaluated, it fails where it is used as one. */
export const ID_PATH = /(^|\.)(id|\w*Id)$/;

export type Json = Record<string, unknown>;

export function isChange(x: PlannedChange | Json): x is PlannedChange {
  return typeof (x as PlannedChange).changeType === 'string' && typeof (x as PlannedChange).resourceId === 'string';
}
