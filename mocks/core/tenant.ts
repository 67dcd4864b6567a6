/**
 * The tenant around a world's subscriptions, as ARM answers it: `GET /subscriptions` (what the
 * caller can read, with states) and a management group's descendants (child groups and
 * subscriptions, recursively). https://learn.microsoft.com/rest/api/managementgroups/management-groups/get-descendants
 */
import type { World } from '../../src/world/schema.js';

export interface TenantSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly state: string;
}

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

/** `GET /subscriptions` items. */
export function subscriptionItems(world: World): Record<string, unknown>[] {
  return subscriptionsOf(world).map((s) => ({
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: MOCK_TENANT,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'EnterpriseAgreement_2014-09-01', spendingLimit: 'Off' },
  }));
}

const MOCK_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/**
 * The descendants of a management group, breadth first (groups before their subscriptions), in
 * the shape of Microsoft's GetDescendants example; undefined when the world has no such group.
 */
export function descendantItems(world: World, group: string): Record<string, unknown>[] | undefined {
  const groups = world.managementGroups ?? [];
  const root = groups.find((g) => g.name.toLowerCase() === group.toLowerCase());
  if (!root) return undefined;
  const names = new Map(subscriptionsOf(world).map((s) => [s.subscriptionId.toLowerCase(), s.displayName]));
  const out: Record<string, unknown>[] = [];
  const queue = [root];
  for (let g = queue.shift(); g; g = queue.shift()) {
    const parent = { id: `/providers/Microsoft.Management/managementGroups/${g.name}` };
    for (const child of groups.filter((c) => c.parent?.toLowerCase() === g.name.toLowerCase())) {
      out.push({
        id: `/providers/Microsoft.Management/managementGroups/${child.name}`,
        type: 'Microsoft.Management/managementGroups',
        name: child.name,
        properties: { displayName: child.displayName ?? child.name, parent },
      });
      queue.push(child);
    }
    for (const sub of g.subscriptions ?? []) {
      out.push({
        id: `/subscriptions/${sub}`,
        type: 'Microsoft.Management/managementGroups/subscriptions',
        name: sub,
        properties: { displayName: names.get(sub.toLowerCase()) ?? sub, parent },
      });
    }
  }
  return out;
}

/** The subscriptions under a management group, recursively (lower case). */
export function subscriptionsUnder(world: World, group: string): Set<string> | undefined {
  const items = descendantItems(world, group);
  if (!items) return undefined;
  return new Set(
    items.filter((i) => i.type === 'Microsoft.Management/managementGroups/subscriptions').map((i) => String(i.name).toLowerCase()),
  );
}
