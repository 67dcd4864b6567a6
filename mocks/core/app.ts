/**
 * The mock ARM server's core as a pure request handler over a world (CONTRACT.md, "World file"):
 * no sockets here (`mocks/server.ts` adapts it to HTTPS), and no service's own behaviour (each
 * lives in `mocks/services/<service>/` and registers its routes with `use`).
 *
 * It keeps the rules ARM keeps for every service:
 * - ids and paths match case-insensitively;
 * - child resources embedded by ARM are also served at their own ids, and collections page with `nextLink`;
 * - unknown ids answer 404 with ARM's envelope `{ error: { code, message } }`;
 * - a bearer token and an `api-version` are required; routes refuse api-versions that predate them;
 * - reads and writes are throttled per subscription when the world models it;
 * - a subscription the world holds nothing in answers 403 `AuthorizationFailed`, as ARM answers a
 *   caller with no access there;
 * - long-running operations answer 202 + `Location` and complete after a number of polls;
 * - the world's faults come first.
 */
import type { World } from '../../src/world/schema.js';
import { forbidden } from './access.js';
import { createFaults, halved } from './faults.js';
import { apiVersionAtLeast, envelope, header, json } from './http.js';
import { createOperations } from './operations.js';
import { paged } from './paging.js';
import { createResourceStore, notFound, type ChildResources, type ResourceStore } from './resources.js';
import type { FrontDoor, MockApp, MockService, ResponseShape, Route, RouteRequest } from './routes.js';
import { createThrottling } from './throttling.js';
import type { ArmHandlerOptions, MockRequest, MockRequestLogEntry, MockResponse } from './types.js';

export interface App extends MockApp {
  /** Registers a service: its child resources, then its routes. Answers the service's state. */
  use<State>(service: MockService<State>): State;
  /** Builds the world store; no service may be added after. */
  start(): void;
  handle(req: MockRequest, origin: string): Promise<MockResponse>;
  /** Every request answered, in order. */
  readonly log: MockRequestLogEntry[];
  /** How many requests the throttling model answered 429. */
  readonly throttled: number;
}

/** The core over `world` (used as it is: the caller passes its own copy). */
export function createApp(world: World, options: ArmHandlerOptions = {}): App {
  const pageSize = world.pageSize ?? options.pageSize ?? 50;
  const faults = createFaults(world.faults);
  const throttling = createThrottling(world);
  const operations = createOperations(options.resyncPolls ?? 1);
  const routes: Record<FrontDoor, Route[]> = { open: [], authenticated: [], unmetered: [], arm: [] };
  const shapes: ResponseShape[] = [];
  const childResources = new Map<string, ChildResources>();
  const log: MockRequestLogEntry[] = [];
  let store: ResourceStore | undefined;

  const app: App = {
    world,
    options,
    pageSize,
    operations,
    get resources(): ResourceStore {
      if (!store) throw new Error('the mock has not started: the world store is read inside handlers, not while registering');
      return store;
    },
    route(route) {
      routes[route.frontDoor ?? 'arm'].push(route);
    },
    shape(shape) {
      shapes.push(shape);
    },
    paged: (items, req) => paged(items, req.path, req.url, req.origin, pageSize),
    use(service) {
      if (store) throw new Error(`service ${service.name} registered after the mock started`);
      for (const [type, children] of Object.entries(service.childResources ?? {})) {
        if (childResources.has(type)) throw new Error(`service ${service.name}: the child resources of ${type} are already served`);
        childResources.set(type, children);
      }
      return service.register(app);
    },
    start() {
      store ??= createResourceStore(world, pageSize, childResources);
    },
    async handle(req, origin) {
      const url = new URL(req.url, origin);
      const path = url.pathname.replace(/\/+$/, '') || '/';
      const method = req.method.toUpperCase();
      // Logged on arrival, so a request the client gave up on (timeout) is still seen.
      const apiVersion = url.searchParams.get('api-version') ?? undefined;
      const entry: MockRequestLogEntry = { method, path, status: 0, ...(apiVersion ? { apiVersion } : {}) };
      log.push(entry);
      const answer = await frontDoor(method, path, url, req, origin);
      entry.status = answer.reset ? 0 : answer.status;
      return answer;
    },
    log,
    get throttled() {
      return throttling.throttled;
    },
  };

  /** The first answer of a door's routes that match, gates included. */
  function serve(door: Route[], base: Omit<RouteRequest, 'match'>, afterCanned = false): MockResponse | undefined {
    for (const route of door) {
      if ((route.afterCanned ?? false) !== afterCanned) continue;
      if (route.method !== '*' && route.method !== base.method) continue;
      const match = route.path.exec(base.path);
      if (!match) continue;
      if (route.since && !apiVersionAtLeast(base.url, route.since.apiVersion)) return refused(route.since, base);
      const answer = route.handle?.({ ...base, match });
      if (answer) return answer;
    }
    return undefined;
  }

  async function frontDoor(method: string, path: string, url: URL, raw: MockRequest, origin: string): Promise<MockResponse> {
    const fault = await faults.apply(`${method} ${path}`, raw.signal);
    if (fault.answer) return fault.answer;
    const req = { method, path, key: path.toLowerCase(), url, origin, raw };

    const open = serve(routes.open, req);
    if (open) return open;

    const auth = header(raw, 'authorization');
    if (!auth || !/^Bearer \S+/.test(auth)) {
      return json(
        401,
        envelope('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or not a bearer token."),
      );
    }
    if (!url.searchParams.get('api-version')) {
      return json(
        400,
        envelope('MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
      );
    }
    const authenticated = serve(routes.authenticated, req);
    if (authenticated) return authenticated;
    const unmetered = serve(routes.unmetered, req);
    if (unmetered) return fault.truncate ? halved(unmetered) : unmetered;

    const subscription = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1]?.toLowerCase() ?? '';
    const token = throttling.take(method, subscription);
    if ('refused' in token) return token.refused;
    let answer = subscription && !app.resources.subscriptions.has(subscription) ? forbidden(method, path) : dispatch(req);
    for (const shape of shapes) {
      if (shape.method === method && shape.path.test(path)) answer = shape.apply(answer, { ...req, match: shape.path.exec(path)! });
    }
    if (token.header) answer = { ...answer, headers: { ...answer.headers, [token.header[0]]: token.header[1] } };
    return fault.truncate ? halved(answer) : answer;
  }

  function dispatch(req: Omit<RouteRequest, 'match'>): MockResponse {
    const resources = app.resources;
    const operation = operations.poll(req.key);
    if (req.method === 'GET' && operation) return operation;
    const routed = serve(routes.arm, req);
    if (routed) return routed;
    const canned = resources.canned(req.method, req.key);
    if (canned) return json(canned.status ?? 200, canned.body, canned.headers);
    const late = serve(routes.arm, req, true);
    if (late) return late;
    if (req.method === 'GET') {
      const read = resources.read(req.path, req.key, req.url, req.origin);
      if (read) return read;
    }
    return notFound(req.path);
  }

  return app;
}

function refused(gate: NonNullable<Route['since']>, req: Omit<RouteRequest, 'match'>): MockResponse {
  return json(
    400,
    envelope(
      'NoRegisteredProviderFound',
      `No registered resource provider found for location and API version '${req.url.searchParams.get('api-version')}' for '${gate.typeName ?? req.path.split('/').pop()}'. ${gate.feature} is defined from api-version ${gate.apiVersion}.`,
    ),
  );
}
