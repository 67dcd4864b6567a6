/**
 * How a service plugs into the core: it registers routes (a method, a path pattern, an optional
 * api-version gate, a handler) and response shapes, and declares the child resources it serves.
 * The core runs them behind the front door they name; see `createApp` in `app.ts` for the order.
 */
import type { World } from '../../src/world/schema.js';
import type { Operations } from './operations.js';
import type { ChildResources, ResourceStore } from './resources.js';
import type { ArmHandlerOptions, ArmObject, MockRequest, MockResponse } from './types.js';

/**
 * Which of ARM's rules stand in front of a route, outermost first:
 * - `open`: none, right after the world's faults; the service authenticates on its own (a
 *   registry's data plane, its own host in Azure);
 * - `authenticated`: a bearer token and an `api-version`, then the service answers as it is (a
 *   data collection endpoint, not ARM);
 * - `unmetered`: ARM's, except that the service meters itself instead of ARM's subscription
 *   throttling (Resource Graph's per-user quota); a truncating fault cuts its answer;
 * - `arm` (the default): ARM's throttling and subscription access, then long-running operation
 *   polls, then the routes in registration order, the world's canned answers, the store; the
 *   answer passes the response shapes and a truncating fault.
 */
export type FrontDoor = 'open' | 'authenticated' | 'unmetered' | 'arm';

/** One request as a route sees it. */
export interface RouteRequest {
  /** Upper case. */
  readonly method: string;
  /** The path as sent, without query and trailing slash. */
  readonly path: string;
  /** `path` in lower case: ARM matches ids and paths case-insensitively. */
  readonly key: string;
  readonly url: URL;
  /** `https://host:port` of the mock, for the absolute URLs ARM answers (`nextLink`, `Location`). */
  readonly origin: string;
  /** The route's path pattern, matched on `path`. */
  readonly match: RegExpExecArray;
  /** Headers and body. */
  readonly raw: MockRequest;
}

/** An api-version before which ARM does not know the route: 400 `NoRegisteredProviderFound`. */
export interface ApiVersionGate {
  /** The first api-version that defines it (a date, `YYYY-MM-DD`). */
  readonly apiVersion: string;
  /** What that api-version brought, as the message says it: `The managed network`. */
  readonly feature: string;
  /** The type the message names; the path's last segment when absent. */
  readonly typeName?: string;
}

export interface Route {
  /** `GET`, `POST`, …, or `*` for every method. */
  readonly method: string;
  /** Tested on the path as sent; ARM's paths match case-insensitively, so most patterns carry the `i` flag. */
  readonly path: RegExp;
  /** `arm` when absent. */
  readonly frontDoor?: FrontDoor;
  /** Refuses older api-versions before the handler runs. */
  readonly since?: ApiVersionGate;
  /** Runs after the world's canned answers instead of before them (`arm` door only). */
  readonly afterCanned?: boolean;
  /** The answer, or undefined to let what follows answer. A route without a handler only gates. */
  readonly handle?: (req: RouteRequest) => MockResponse | undefined;
}

/** Rewrites the `arm` door's answers to matching requests (a field the request's api-version does not define). */
export interface ResponseShape {
  readonly method: string;
  readonly path: RegExp;
  readonly apply: (answer: MockResponse, req: RouteRequest) => MockResponse;
}

/** The core as a service sees it. */
export interface MockApp {
  /** The live world (the handler's copy: services change it as Azure would). */
  readonly world: World;
  readonly options: ArmHandlerOptions;
  /** Items per list page. */
  readonly pageSize: number;
  /** The world store; available once the app has started (inside handlers, not during registration). */
  readonly resources: ResourceStore;
  readonly operations: Operations;
  route(route: Route): void;
  shape(shape: ResponseShape): void;
  /** One page of `items` for the request, with `nextLink` when more follow. */
  paged(items: readonly ArmObject[], req: RouteRequest): MockResponse;
}

/** One Azure service of the mock. */
export interface MockService<State = void> {
  readonly name: string;
  /** Child resources the service serves at their own ids, by the (lower-case) type of the resource that holds them. */
  readonly childResources?: Readonly<Record<string, ChildResources>>;
  /** Registers the routes; answers what the handler exposes of the service (counters, uploads). */
  register(app: MockApp): State;
}
