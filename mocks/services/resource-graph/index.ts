/**
 * Azure Resource Graph in the mock: registers `query.ts` (the query subset the tool
 * sends, paging and the per-user quota) with the core, behind ARM's rules but metered by its own
 * quota instead of ARM's subscription throttling.
 * https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests
 */
import { json, normaliseKey, type ArmObject, type MockService } from '../../core/index.js';
import { createResourceGraphMock } from './query.js';

export interface ResourceGraphState {
  /** Queries answered, 429s included. */
  readonly requests: number;
  /** Queries answered 429 for the quota. */
  readonly throttled: number;
}

export const resourceGraph: MockService<ResourceGraphState> = {
  name: 'resource-graph',
  register(app) {
    const { world } = app;
    // Resource Graph indexes what ARM holds: the world's resources, and resource bodies the world
    // answers through canned GETs in their place.
    const graph = createResourceGraphMock(world, () => {
      const byId = new Map<string, ArmObject>();
      for (const r of world.resources) byId.set(r.id.toLowerCase(), r);
      for (const [key, canned] of Object.entries(world.responses)) {
        const body = canned.body as { id?: unknown } | undefined;
        // Only a resource's own GET: a location's serviceTags answer carries an id too, and is no resource.
        if (
          key.startsWith('GET ') &&
          (canned.status ?? 200) === 200 &&
          body &&
          typeof body.id === 'string' &&
          normaliseKey(key) === `GET ${body.id.toLowerCase().replace(/\/+$/, '')}`
        ) {
          byId.set(body.id.toLowerCase(), body);
        }
      }
      return byId.values();
    });
    app.route({
      method: 'POST',
      path: /^\/providers\/microsoft\.resourcegraph\/resources$/i,
      frontDoor: 'unmetered',
      handle: (req) => {
        const a = graph.query(req.raw.body);
        return json(a.status, a.body, a.headers);
      },
    });
    return {
      get requests() {
        return graph.requests;
      },
      get throttled() {
        return graph.throttled;
      },
    };
  },
};
