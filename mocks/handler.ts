/**
 * The mock ARM server: the core (`mocks/core/`: resources, paging, faults, throttling, api-version
 * gating, access, long-running operations) with every Azure service the tool talks to registered
 * on it (`mocks/services/<service>/`). A pure request handler over a world (CONTRACT.md, "World
 * file"); `mocks/server.ts` adapts it to HTTPS, and tests may call it in-process.
 */
import type { World } from '../src/world/schema.js';
import { createApp, type ArmHandlerOptions, type MockRequest, type MockRequestLogEntry, type MockResponse } from './core/index.js';
import { authorization } from './services/authorization/index.js';
import { containerRegistry } from './services/container-registry/index.js';
import { machineLearning } from './services/machine-learning/index.js';
import { monitorIngestion, type IngestedBatch } from './services/monitor-ingestion/index.js';
import { resourceGraph } from './services/resource-graph/index.js';
import { resources } from './services/resources/index.js';
import { tenant } from './services/tenant/index.js';

export type { ArmHandlerOptions, MockRequest, MockRequestLogEntry, MockResponse } from './core/index.js';
export type { IngestedBatch } from './services/monitor-ingestion/index.js';

export interface ArmHandler {
  handle(req: MockRequest, origin: string): Promise<MockResponse>;
  /** Every request answered, in order. */
  readonly log: MockRequestLogEntry[];
  /** Every Logs Ingestion upload accepted, in arrival order. */
  readonly ingested: readonly IngestedBatch[];
  /** How many times `resyncKeys` was started. */
  readonly resyncCalls: number;
  /** How many requests the throttling model answered 429. */
  readonly throttled: number;
  /** Resource Graph queries answered, and how many of them the quota answered 429. */
  readonly resourceGraph: { readonly requests: number; readonly throttled: number };
  /** The live state: resources and canned responses as they are now (resync changes them). */
  readonly world: World;
}

/** Builds a handler over a deep copy of `world` (the caller's object is never changed). */
export function createArmHandler(input: World, options: ArmHandlerOptions = {}): ArmHandler {
  const world = structuredClone(input);
  const app = createApp(world, options);
  // Within a front door the core tries routes in registration order (no two services' routes overlap today).
  const ml = app.use(machineLearning);
  app.use(resources);
  app.use(tenant);
  app.use(authorization);
  app.use(containerRegistry);
  const ingestion = app.use(monitorIngestion);
  const graph = app.use(resourceGraph);
  app.start();
  return {
    handle: (req, origin) => app.handle(req, origin),
    log: app.log,
    ingested: ingestion.ingested,
    get resyncCalls() {
      return ml.resyncCalls;
    },
    get throttled() {
      return app.throttled;
    },
    get resourceGraph() {
      return { requests: graph.requests, throttled: graph.throttled };
    },
    world,
  };
}
