/**
 * Whole-tenant scope: which subscriptions an audit covers. `--subscription` names them; the
 * `--management-group` descendants (recursively) and `--all-subscriptions` (every subscription the
 * identity can read) add theirs. Disabled and deleted subscriptions are skipped with a note: no job
 * runs there. A part of the scope that cannot be listed is reported, and the rest still runs.
 * https://learn.microsoft.com/azure/cost-management-billing/manage/subscription-states
 */
import type { ScopeReport, SkippedSubscription } from '../base/results.js';
import type { Inventory, ReadOptions, SubscriptionView } from '../inventory/index.js';

export interface ScopeRequest {
  readonly subscriptions: readonly string[];
  readonly managementGroups: readonly string[];
  readonly allSubscriptions: boolean;
  /** Resource Graph mode: a lone management group goes to Resource Graph as the query's scope. */
  readonly resourceGraph: boolean;
}

export interface ResolvedScope extends ScopeReport {
  /** Resource Graph already holds the scope's resources (a management-group query ran). */
  readonly graphLoaded: boolean;
  /** Lines for stderr: what was skipped or could not be listed, and why. */
  readonly notes: readonly string[];
}

const INACTIVE = /^(disabled|deleted)$/i;

export async function resolveScope(inventory: Inventory, req: ScopeRequest, opts: ReadOptions = {}): Promise<ResolvedScope> {
  const notes: string[] = [];
  const skipped: SkippedSubscription[] = [];
  const unreadable: string[] = [];
  const wanted = new Map<string, string>(); // lower case → as given
  const add = (s: string): void => {
    if (!wanted.has(s.toLowerCase())) wanted.set(s.toLowerCase(), s);
  };
  for (const s of req.subscriptions) add(s);

  let states: ReadonlyMap<string, SubscriptionView> | undefined;
  const readStates = async (): Promise<ReadonlyMap<string, SubscriptionView> | undefined> => {
    if (states) return states;
    try {
      states = new Map((await inventory.subscriptions(opts)).map((s) => [s.subscriptionId.toLowerCase(), s]));
    } catch (err) {
      if (req.allSubscriptions) throw err;
      notes.push(`cannot read subscription states, so none is skipped as disabled: ${(err as Error).message}`);
    }
    return states;
  };

  if (req.allSubscriptions) for (const s of (await readStates())!.values()) add(s.subscriptionId);

  let graphLoaded = false;
  const lone = req.managementGroups.length === 1 && req.subscriptions.length === 0 && !req.allSubscriptions;
  for (const group of req.managementGroups) {
    if (req.resourceGraph && lone) {
      try {
        const loaded = await inventory.useResourceGraph({ managementGroup: group }, opts);
        for (const s of loaded.subscriptions) add(s);
        graphLoaded = true;
        continue;
      } catch (err) {
        if (opts.abortSignal?.aborted) throw err;
        notes.push(
          `Resource Graph could not query management group ${group}, listing its descendants from ARM instead: ${(err as Error).message}`,
        );
      }
    }
    try {
      const descendants = await inventory.managementGroupDescendants(group, opts);
      for (const d of descendants) if (d.kind === 'subscription') add(d.name);
    } catch (err) {
      if (opts.abortSignal?.aborted) throw err;
      unreadable.push(`/providers/Microsoft.Management/managementGroups/${group}`);
      notes.push(`cannot list management group ${group}: ${(err as Error).message}`);
    }
  }

  // A named subscription is audited as asked; one found through a group or the tenant list is
  // skipped when it is disabled or deleted.
  const named = new Set(req.subscriptions.map((s) => s.toLowerCase()));
  const known = wanted.size > named.size ? await readStates() : undefined;
  const subscriptions: string[] = [];
  for (const [key, sub] of wanted) {
    const view = known?.get(key);
    if (!named.has(key) && view && INACTIVE.test(view.state)) {
      skipped.push({ subscriptionId: view.subscriptionId, displayName: view.displayName, state: view.state });
      notes.push(`skipping subscription ${view.displayName} (${view.subscriptionId}): ${view.state}`);
      continue;
    }
    subscriptions.push(sub);
  }
  return {
    ...(req.managementGroups.length > 0 ? { managementGroups: [...req.managementGroups] } : {}),
    subscriptions,
    ...(skipped.length > 0 ? { skipped } : {}),
    ...(unreadable.length > 0 ? { unreadable } : {}),
    graphLoaded,
    notes,
  };
}
