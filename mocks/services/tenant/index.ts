/**
 * The tenant around the world's subscriptions: `GET /subscriptions` (what the caller can read,
 * with states) and a management group's descendants (child groups and subscriptions,
 * recursively), over the core's tenant (`mocks/core/tenant.ts`); a group the world lacks answers
 * 403, as ARM answers a caller without access to it.
 * https://learn.microsoft.com/rest/api/managementgroups/management-groups/get-descendants
 */
import type { World } from '../../../src/world/schema.js';
import { childGroups, envelope, groupsUnder, json, MOCK_TENANT_ID, subscriptionsOf, type MockService } from '../../core/index.js';

/** `GET /subscriptions` items. */
function subscriptionItems(world: World): Record<string, unknown>[] {
  return subscriptionsOf(world).map((s) => ({
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: MOCK_TENANT_ID,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'EnterpriseAgreement_2014-09-01', spendingLimit: 'Off' },
  }));
}

/**
 * The descendants of a management group, breadth first (groups before their subscriptions), in
 * the shape of Microsoft's GetDescendants example; undefined when the world has no such group.
 */
function descendantItems(world: World, group: string): Record<string, unknown>[] | undefined {
  const groups = groupsUnder(world, group);
  if (!groups) return undefined;
  const names = new Map(subscriptionsOf(world).map((s) => [s.subscriptionId.toLowerCase(), s.displayName]));
  const out: Record<string, unknown>[] = [];
  for (const g of groups) {
    const parent = { id: `/providers/Microsoft.Management/managementGroups/${g.name}` };
    for (const child of childGroups(world, g)) {
      out.push({
        id: `/providers/Microsoft.Management/managementGroups/${child.name}`,
        type: 'Microsoft.Management/managementGroups',
        name: child.name,
        properties: { displayName: child.displayName ?? child.name, parent },
      });
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

export const tenant: MockService = {
  name: 'tenant',
  register(app) {
    app.route({ method: 'GET', path: /^\/subscriptions$/i, handle: (req) => app.paged(subscriptionItems(app.world), req) });
    app.route({
      method: 'GET',
      path: /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)\/descendants$/i,
      handle: (req) => {
        const items = descendantItems(app.world, decodeURIComponent(req.match[1]!.toLowerCase()));
        if (!items) {
          return json(
            403,
            envelope(
              'AuthorizationFailed',
              `The client does not have authorization to perform action 'Microsoft.Management/managementGroups/descendants/read' over scope '${req.path.replace(/\/descendants$/i, '')}' or the scope is invalid.`,
            ),
          );
        }
        return app.paged(items, req);
      },
    });
  },
};
