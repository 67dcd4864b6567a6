/**
 * The tenant around the world's subscriptions: `GET /subscriptions` (what the caller can read) and
 * a management group's descendants, from `mocks/core/tenant.ts`; a group the world lacks answers 403,
 * as ARM answers a caller without access to it.
 * https://learn.microsoft.com/rest/api/managementgroups/management-groups/get-descendants
 */
import { descendantItems, envelope, json, subscriptionItems, type MockService } from '../../core/index.js';

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
