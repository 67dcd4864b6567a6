/**
 * The tenant around a world's subscriptions, as every service sees it: which subscriptions exist
 * (declared, with states, or those the world holds resources in) and which fall under a management
 * group, recursively. The tenant service answers the listings from it; Resource Graph scopes a
 * management group's query by it.
 * https://learn.microsoft.com/rest/api/managementgroups/management-groups/get-descendants
 */
import type { World } from '../../src/world/schema.js';

/** The tenant id the mock answers in `GET /subscriptions` and Resource Graph rows. */
export const MOCK_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export interface TenantSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly state: string;
}

/** A management group of the world. */
export type ManagementGroup = NonNullable<World['managementGroups']>[number];

/** The world's subscriptions: declared, else every one it holds resources in (Enabled). */
export function subscriptionsOf(world: World): TenantSubscription[] {
  if (world.subscriptions) {
    return world.subscriptions.map((s) => ({
      subscriptionId: s.subscriptionId,
      displayName: s.displayName ?? s.subscriptionId,
      state: s.state ?? 'Enabled',
    }));
  }
  const seen = new Map<string, string>();
  for (const r of world.resources) {
    const sub = /^\/subscriptions\/([^/]+)/i.exec(r.id)?.[1];
    if (sub && !seen.has(sub.toLowerCase())) seen.set(sub.toLowerCase(), sub);
  }
  return [...seen.values()].sort().map((s) => ({ subscriptionId: s, displayName: s, state: 'Enabled' }));
}

/** The groups whose parent is `group`, in the world's order. */
export function childGroups(world: World, group: ManagementGroup): ManagementGroup[] {
  return (world.managementGroups ?? []).filter((c) => c.parent?.toLowerCase() === group.name.toLowerCase());
}

/** A management group and every group under it, breadth first (the group itself first); undefined when the world has no such group. */
export function groupsUnder(world: World, group: string): ManagementGroup[] | undefined {
  const root = (world.managementGroups ?? []).find((g) => g.name.toLowerCase() === group.toLowerCase());
  if (!root) return undefined;
  const out: ManagementGroup[] = [];
  const queue = [root];
  for (let g = queue.shift(); g; g = queue.shift()) {
    out.push(g);
    queue.push(...childGroups(world, g));
  }
  return out;
}

/** The subscriptions under a management group, recursively (lower case). */
export function subscriptionsUnder(world: World, group: string): Set<string> | undefined {
  const groups = groupsUnder(world, group);
  if (!groups) return undefined;
  return new Set(groups.flatMap((g) => (g.subscriptions ?? []).map((s) => s.toLowerCase())));
}
