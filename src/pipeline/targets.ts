/**
 * Which workspaces a live audit covers: the ones named, and every workspace of the subscriptions
 * in scope. A subscription that cannot be listed is reported and the rest still run; in Resource
 * Graph mode the scope's resources are loaded in a few queries first, or, when Resource Graph fails,
 * read from ARM one by one.
 */
import { ArmRequestError } from '../arm/errors.js';
import { tryParseResourceId } from '../base/resource-id.js';
import type { ScopeReport } from '../base/results.js';
import type { Inventory } from '../inventory/index.js';
import { scrub } from '../base/secrets.js';

/** What to audit. Subscriptions, management groups and `allSubscriptions` widen it to every workspace there. */
export interface AuditTargets {
  readonly workspaces?: readonly string[];
  readonly subscriptions?: readonly string[];
  /** With `subscriptions`: only this resource group. */
  readonly resourceGroup?: string;
  /** Every subscription under these management groups, recursively. */
  readonly managementGroups?: readonly string[];
  /** Every subscription the identity can read (disabled ones skipped). */
  readonly allSubscriptions?: boolean;
}

export interface LiveTargets {
  readonly workspaceIds: string[];
  /** The tenant-wide scope, when the targets name one. */
  readonly scope?: ScopeReport;
}

/** Whether the targets reach past the named workspaces. */
export function isTenantWide(t: AuditTargets): boolean {
  return (t.subscriptions?.length ?? 0) > 0 || (t.managementGroups?.length ?? 0) > 0 || t.allSubscriptions === true;
}

export async function resolveTargets(
  inventory: Inventory,
  targets: AuditTargets,
  options: { resourceGraph: boolean; note: (line: string) => void; abortSignal?: AbortSignal },
): Promise<LiveTargets> {
  const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const ids = dedupe([...(targets.workspaces ?? [])]);
  const { resolveScope } = await import('./scope.js');
  const scope = isTenantWide(targets)
    ? await resolveScope(
        inventory,
        {
          subscriptions: targets.subscriptions ?? [],
          managementGroups: targets.managementGroups ?? [],
          allSubscriptions: targets.allSubscriptions === true,
          resourceGraph: options.resourceGraph,
        },
        signal,
      )
    : undefined;
  for (const line of scope?.notes ?? []) options.note(scrub(line));
  if (options.resourceGraph && !scope?.graphLoaded) {
    const subscriptions = [
      ...(scope?.subscriptions ?? []),
      ...ids.map((id) => tryParseResourceId(id)?.subscriptionId).filter((s): s is string => !!s),
    ];
    try {
      await inventory.useResourceGraph(subscriptions, signal);
    } catch (err) {
      // Interrupted: the audit marks every result as not run.
      if (!options.abortSignal?.aborted)
        options.note(`Resource Graph inventory unavailable, reading every resource from ARM instead: ${scrub((err as Error).message)}`);
    }
  }
  // Each subscription is listed on its own: one the identity cannot read is reported, the rest run.
  const unreadable = [...(scope?.unreadable ?? [])];
  const listed = await Promise.all(
    (scope?.subscriptions ?? []).map(async (sub) => {
      try {
        return await inventory.workspaces(sub, targets.resourceGroup, signal);
      } catch (err) {
        if (options.abortSignal?.aborted || !(err instanceof ArmRequestError)) throw err;
        unreadable.push(`/subscriptions/${sub}`);
        options.note(`cannot list the workspaces of subscription ${sub}: ${scrub(err.message)}`);
        return [];
      }
    }),
  );
  for (const found of listed) ids.push(...found.map((w) => w.id!).filter(Boolean));
  const workspaceIds = dedupe(ids);
  if (workspaceIds.length === 0)
    options.note(`no workspace found in ${scope ? `${scope.subscriptions.length} subscription(s)` : 'the world'}`);
  if (!scope) return { workspaceIds };
  const { managementGroups, subscriptions, skipped } = scope;
  return {
    workspaceIds,
    scope: {
      ...(managementGroups ? { managementGroups } : {}),
      subscriptions,
      ...(skipped ? { skipped } : {}),
      ...(unreadable.length > 0 ? { unreadable } : {}),
    },
  };
}

/** Ids in their first order, each once (ARM ids compare case-insensitively). */
export function dedupe(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const k = id.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
