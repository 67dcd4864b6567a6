/**
 * The mock ARM server as a pure request handler over a world (CONTRACT.md, "World file").
 * No sockets here: `mocks/server.ts` adapts it to HTTPS, and tests may call it in-process.
 *
 * It keeps the rules ARM keeps:
 * - ids and paths match case-insensitively;
 * - child resources embedded by ARM (subnets, security rules, peerings, private endpoint
 *   connections) are also served at their own ids;
 * - collections (`…/workspaces/ws/computes`, `/subscriptions/s/providers/NS/type`) page with `nextLink`;
 * - unknown ids answer 404 with ARM's envelope `{ error: { code, message } }`;
 * - `api-version` is required, and so is a bearer token;
 * - `resyncKeys` is a long-running operation: 202 + `Location`, polled until 200, after which the
 *   workspace's `listKeys` answers the current storage key and registry password;
 * - Microsoft.MachineLearningServices keeps its versioned contract: `managedNetwork` and
 *   `serverlessComputeSettings` are served only to api-versions that define them (2023-10-01 and
 *   later), and so are `…/outboundRules` (paged, from the workspace's `managedNetwork.outboundRules`)
 *   and `provisionManagedNetwork` (a long-running operation that makes the network `Active`, its
 *   rules `Active`, and each private-endpoint rule's connection on its target `Approved`);
 * - a subscription the world holds nothing in answers 403 `AuthorizationFailed`, as ARM answers a
 *   caller with no access there (the managed network's private endpoints live in Microsoft's).
 */
import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { World, WorldFault } from '../../src/world/schema.js';
import { createResourceGraphMock } from '../resource-graph.js';
import { createAuthorizationMock } from '../authorization.js';
import { text } from '../text.js';
import { descendantItems, subscriptionItems } from '../tenant.js';

export interface MockRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  /** The body's bytes (a gzip upload is not text). */
  rawBody?: Buffer;
  /** Aborted when the client goes away: injected latency stops waiting. */
  signal?: AbortSignal;
}

export interface MockResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  /** Destroy the connection instead of answering (a connection reset). */
  reset?: boolean;
}

/** Rows one Logs Ingestion request carried. */
export interface IngestedBatch {
  readonly dcr: string;
  readonly stream: string;
  readonly rows: readonly Record<string, unknown>[];
}

export interface MockRequestLogEntry {
  method: string;
  path: string;
  /** The request's `api-version`, when it had one. */
  apiVersion?: string;
  /** 0 until answered, and for a reset connection. */
  status: number;
}

export interface ArmHandlerOptions {
  /** Items per list page unless the world says otherwise. */
  pageSize?: number;
  /** Polls of the resync operation that answer 202 before it completes. */
  resyncPolls?: number;
  /** The `Retry-After` (seconds) the resync operation asks for between polls. */
  resyncRetryAfterSeconds?: number;
}

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

interface Operation {
  workspaceId: string;
  remainingPolls: number;
  /** `resync` changes the world when it completes; `canned` answers a result body from the world. */
  kind: 'resync' | 'canned' | 'provision';
  result?: unknown;
  retryAfter: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** Builds a handler over a deep copy of `world` (the caller's object is never changed). */
export function createArmHandler(input: World, options: ArmHandlerOptions = {}): ArmHandler {
  const world = structuredClone(input);
  const pageSize = world.pageSize ?? options.pageSize ?? 50;
  const resources = new Map<string, Record<string, unknown>>();
  const responses = new Map<string, World['responses'][string]>();
  const faultUses = new Map<WorldFault, number>();
  const operations = new Map<string, Operation>();
  const log: MockRequestLogEntry[] = [];
  const ingested: IngestedBatch[] = [];
  let resyncCalls = 0;
  let throttled = 0;
  const buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes a token from the subscription's bucket; answers the remaining count, or the wait when empty. */
  function takeToken(kind: 'reads' | 'writes', subscription: string): { remaining: number } | { retryAfterSeconds: number } | undefined {
    const model = world.throttling?.[kind];
    if (!model) return undefined;
    const key = `${kind}:${subscription}`;
    const now = performance.now();
    const b = buckets.get(key) ?? { tokens: model.initialTokens ?? model.capacity, at: now };
    b.tokens = Math.min(model.capacity, b.tokens + ((now - b.at) / 1000) * model.refillPerSecond);
    b.at = now;
    buckets.set(key, b);
    if (b.tokens < 1) return { retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / model.refillPerSecond)) };
    b.tokens -= 1;
    return { remaining: Math.floor(b.tokens) };
  }

  for (const r of world.resources) index(r, true);
  // Lists answer from indexes, not by scanning every resource: a list request costs what it returns,
  // so a world of thousands of workspaces answers as fast as one (the mock is never the bottleneck).
  /** `…/parent/childType` (the list request's path) → its items, sorted by id. */
  const children = new Map<string, Record<string, unknown>[]>();
  /** `{subscription}|{namespace/type}` → the subscription's resources of that type, sorted by id. */
  const byType = new Map<string, Record<string, unknown>[]>();
  const push = (m: Map<string, Record<string, unknown>[]>, k: string, r: Record<string, unknown>): void => {
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  };
  for (const [id, r] of [...resources].sort(([a], [b]) => a.localeCompare(b))) {
    push(children, id.slice(0, id.lastIndexOf('/')), r);
    const sub = /^\/subscriptions\/([^/]+)\//.exec(id)?.[1];
    if (sub) push(byType, `${sub}|${text(r.type).toLowerCase()}`, r);
  }
  // Resource Graph indexes what ARM holds: the world's resources, and resource bodies the world
  // answers through canned GETs in their place.
  const graph = createResourceGraphMock(world, () => {
    const byId = new Map<string, Record<string, unknown>>();
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
  for (const [key, value] of Object.entries(world.responses)) responses.set(normaliseKey(key), value);
  const authorization = createAuthorizationMock(world);
  /** The subscriptions the world holds anything in; the caller has access to these only. */
  const subscriptions = new Set<string>();
  for (const id of [...resources.keys(), ...responses.keys()]) {
    const sub = /\/subscriptions\/([^/]+)/.exec(id)?.[1];
    if (sub) subscriptions.add(sub);
  }

  function index(resource: Record<string, unknown>, topLevel: boolean): void {
    const id = typeof resource.id === 'string' ? resource.id : undefined;
    if (!id) return;
    const key = id.toLowerCase().replace(/\/+$/, '');
    if (topLevel || !resources.has(key)) resources.set(key, resource);
    walkChildren(resource.properties, key);
    const type = String(resource.type).toLowerCase();
    if (type === 'microsoft.machinelearningservices/workspaces')
      indexOutboundRules(resource, id, 'Microsoft.MachineLearningServices/workspaces');
    // V2 (2025-12-01): the network is the child `…/managedNetworks/default`, its rules below it.
    if (type === 'microsoft.machinelearningservices/workspaces/managednetworks')
      indexOutboundRules(resource, id, 'Microsoft.MachineLearningServices/workspaces/managedNetworks');
  }

  /**
   * A managed network's `outboundRules` map (a workspace's `managedNetwork`, V1, or the V2
   * resource's), also served as `…/outboundRules/{name}` resources and listed at `…/outboundRules`.
   */
  function indexOutboundRules(owner: Record<string, unknown>, id: string, ownerType: string): void {
    const rules = managedNetworkOf(owner)?.outboundRules;
    if (!rules || typeof rules !== 'object') return;
    for (const [name, rule] of Object.entries(rules as Record<string, unknown>)) {
      const ruleId = `${id}/outboundRules/${name}`;
      index({ id: ruleId, name, type: `${ownerType}/outboundRules`, properties: rule }, false);
    }
  }

  /** Any object with an `id` under the parent's id is a child ARM serves at its own id. */
  function walkChildren(value: unknown, parentKey: string): void {
    if (Array.isArray(value)) {
      for (const v of value) walkChildren(v, parentKey);
    } else if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      if (typeof obj.id === 'string' && obj.id.toLowerCase().startsWith(`${parentKey}/`) && (obj.properties || obj.name)) {
        index(obj, false);
        return;
      }
      for (const v of Object.values(obj)) walkChildren(v, parentKey);
    }
  }

  async function handle(req: MockRequest, origin: string): Promise<MockResponse> {
    const url = new URL(req.url, origin);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method.toUpperCase();
    // Logged on arrival, so a request the client gave up on (timeout) is still seen.
    const apiVersion = url.searchParams.get('api-version') ?? undefined;
    const entry: MockRequestLogEntry = { method, path, status: 0, ...(apiVersion ? { apiVersion } : {}) };
    log.push(entry);
    const answer = await route(method, path, url, req, origin);
    entry.status = answer.reset ? 0 : answer.status;
    return answer;
  }

  async function route(method: string, path: string, url: URL, req: MockRequest, origin: string): Promise<MockResponse> {
    const signature = `${method} ${path}`;
    let truncate = false;
    for (const fault of world.faults) {
      if (!new RegExp(fault.match, 'i').test(signature)) continue;
      const used = faultUses.get(fault) ?? 0;
      if (fault.times !== undefined && used >= fault.times) continue;
      faultUses.set(fault, used + 1);
      if (fault.latencyMs) await delay(fault.latencyMs, req.signal);
      if (fault.reset) return { status: 0, headers: {}, reset: true };
      if (fault.truncate) truncate = true;
      if (fault.rawBody !== undefined) {
        return {
          status: fault.status ?? 200,
          headers: { 'content-type': 'application/json; charset=utf-8', ...lowerKeys(fault.headers ?? {}) },
          body: fault.rawBody,
        };
      }
      if (fault.status !== undefined) {
        const body =
          fault.body !== undefined
            ? fault.body
            : fault.status >= 400
              ? envelope(faultCode(fault.status), `Injected fault for ${signature}.`)
              : undefined;
        return json(fault.status, body, fault.headers);
      }
    }

    // The ACR data plane of each registry, under /acr-data/<login server>/…
    const data = /^\/acr-data\/([^/]+)(\/.*)?$/i.exec(path);
    if (data) return registryDataPlane(method, data[1]!.toLowerCase(), data[2] ?? '/', req, origin);

    const auth = header(req, 'authorization');
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

    // Azure Monitor's Logs Ingestion API, on the same server as ARM (a data collection endpoint).
    const ingestion = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/i.exec(path);
    if (method === 'POST' && ingestion) return ingest(decodeURIComponent(ingestion[1]!), decodeURIComponent(ingestion[2]!), req);

    if (method === 'POST' && path.toLowerCase() === '/providers/microsoft.resourcegraph/resources') {
      const a = graph.query(req.body);
      const answer = json(a.status, a.body, a.headers);
      return truncate ? halved(answer) : answer;
    }

    const kind = method === 'GET' ? 'reads' : 'writes';
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1]?.toLowerCase() ?? '';
    const token = takeToken(kind, subscription);
    const limitHeader = `x-ms-ratelimit-remaining-subscription-${kind}`;
    if (token && 'retryAfterSeconds' in token) {
      throttled++;
      return json(
        429,
        envelope(
          'TooManyRequests',
          `Number of ${kind === 'reads' ? 'read' : 'write'} requests for subscription '${subscription}' exceeded the limit. Try again after ${token.retryAfterSeconds} seconds.`,
        ),
        { 'retry-after': String(token.retryAfterSeconds), [limitHeader]: '0' },
      );
    }
    let answer = subscription && !subscriptions.has(subscription) ? forbidden(method, path) : dispatch(method, path, url, origin, req.body);
    answer = versioned(method, path, url, answer);
    if (token) answer = { ...answer, headers: { ...answer.headers, [limitHeader]: String(token.remaining) } };
    return truncate ? halved(answer) : answer;
  }

  function startWhatIf(name: string, path: string, body: string | undefined, origin: string): MockResponse {
    let template: unknown;
    try {
      template = (JSON.parse(body ?? '') as { properties?: { template?: unknown } }).properties?.template;
    } catch {
      return json(400, envelope('InvalidRequestContent', 'The request content was invalid and could not be deserialized.'));
    }
    const digest = `sha256:${createHash('sha256')
      .update(JSON.stringify(template ?? null))
      .digest('hex')}`;
    const answer = world.whatIf?.[name] ?? world.whatIf?.[digest];
    if (!answer) {
      return json(400, envelope('InvalidTemplate', `The world has no what-if answer for deployment '${name}' or template ${digest}.`));
    }
    if (answer.error) return json(400, { error: answer.error });
    const sub = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1];
    return startOperation(
      {
        workspaceId: path.toLowerCase(),
        kind: 'canned',
        result: { status: 'Succeeded', properties: { changes: answer.changes } },
        retryAfter: '0',
      },
      (opId) =>
        `${origin}${sub ? `/subscriptions/${sub}` : ''}/providers/Microsoft.Resources/locations/westeurope/operationResults/${opId}?api-version=2025-03-01`,
    );
  }

  /** Registers a long-running operation (polled `resyncPolls` times) and answers 202 with its Location. */
  function startOperation(op: Omit<Operation, 'remainingPolls'>, location: (opId: string) => string): MockResponse {
    const opId = randomUUID();
    operations.set(opId, { ...op, remainingPolls: options.resyncPolls ?? 1 });
    return { status: 202, headers: { location: location(opId), 'retry-after': op.retryAfter } };
  }

  /**
   * One Logs Ingestion upload: gzip or plain JSON, an array of rows, at most 1 MB once inflated.
   * https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview
   * https://learn.microsoft.com/azure/azure-monitor/service-limits#logs-ingestion-api
   */
  function ingest(dcr: string, stream: string, req: MockRequest): MockResponse {
    const fail = (status: number, code: string, message: string): MockResponse => json(status, { error: { code, message } });
    if (!/^dcr-[0-9a-f]{32}$/.test(dcr)) return fail(404, 'NotFound', `Data collection rule with immutable Id '${dcr}' not found.`);
    if (!/^(Custom|Microsoft)-[\w-]+$/.test(stream))
      return fail(400, 'InvalidStream', `Stream '${stream}' is not declared in the data collection rule.`);
    let bytes = req.rawBody ?? Buffer.from(req.body ?? '', 'utf8');
    if (/gzip/i.test(header(req, 'content-encoding') ?? '')) {
      try {
        bytes = gunzipSync(bytes);
      } catch {
        return fail(400, 'InvalidContentEncoding', 'The request body is not valid gzip.');
      }
    }
    if (bytes.length > 1024 * 1024)
      return fail(413, 'ContentLengthLimitExceeded', `The request is ${bytes.length} bytes; the limit is 1 MB.`);
    let rows: unknown;
    try {
      rows = JSON.parse(bytes.toString('utf8'));
    } catch {
      return fail(400, 'InvalidJson', 'The request body is not valid JSON.');
    }
    if (!Array.isArray(rows)) return fail(400, 'InvalidPayload', 'The request body must be a JSON array of rows.');
    ingested.push({ dcr, stream, rows: rows as Record<string, unknown>[] });
    return { status: 204, headers: {} };
  }

  function dispatch(method: string, path: string, url: URL, origin: string, body?: string): MockResponse {
    const key = path.toLowerCase();
    const operation = operationStatus(key);
    if (method === 'GET' && operation) return operation;

    if (isManagedNetworkPath(key) && !definesManagedNetwork(url)) {
      return json(
        400,
        envelope(
          'NoRegisteredProviderFound',
          `No registered resource provider found for location and API version '${url.searchParams.get('api-version')}' for '${path.split('/').pop()}'. The managed network is defined from api-version 2023-10-01.`,
        ),
      );
    }
    if (isManagedNetworkV2Path(key) && !definesManagedNetworkV2(url)) {
      return json(
        400,
        envelope(
          'NoRegisteredProviderFound',
          `No registered resource provider found for location and API version '${url.searchParams.get('api-version')}' for 'managedNetworks'. The managed network V2 is defined from api-version ${MANAGED_NETWORK_V2_SINCE}.`,
        ),
      );
    }
    if (method === 'POST' && key.endsWith('/provisionmanagednetwork')) return startProvision(path, origin);

    // A deployment's what-if: the world's answer for this deployment name or template, as an LRO.
    const deployment = /\/providers\/microsoft\.resources\/deployments\/([^/]+)\/whatif$/.exec(key);
    if (method === 'POST' && deployment) return startWhatIf(decodeURIComponent(deployment[1]!), path, body, origin);

    // The tenant: the subscriptions the caller can read, and management groups' descendants.
    if (method === 'GET' && key === '/subscriptions') return paged(subscriptionItems(world), path, url, origin);
    const group = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)\/descendants$/.exec(key);
    if (method === 'GET' && group) {
      const items = descendantItems(world, decodeURIComponent(group[1]!));
      if (!items) {
        return json(
          403,
          envelope(
            'AuthorizationFailed',
            `The client does not have authorization to perform action 'Microsoft.Management/managementGroups/descendants/read' over scope '${path.replace(/\/descendants$/i, '')}' or the scope is invalid.`,
          ),
        );
      }
      return paged(items, path, url, origin);
    }

    if (method === 'POST' && key.endsWith('/resyncKeys'.toLowerCase())) return startResync(path, origin);

    const canned = responses.get(`${method} ${key}`);
    // The workspace diagnosis is a long-running operation whose result is the world's canned answer.
    if (method === 'POST' && key.endsWith('/diagnose') && canned && (canned.status ?? 200) < 300) {
      const workspace = resources.get(key.replace(/\/diagnose$/, ''));
      if (!workspace) return notFound(path.replace(/\/diagnose$/i, ''));
      const retryAfter = Object.entries(canned.headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1] ?? '0';
      return startOperation({ workspaceId: key, kind: 'canned', result: canned.body ?? {}, retryAfter }, (opId) =>
        operationUrl(workspace, opId, origin),
      );
    }
    if (canned) return json(canned.status ?? 200, canned.body, canned.headers);
    // Role assignments, role definitions and deny assignments: lists filtered by scope and principal.
    const authz = authorization.answer(method, key, url, origin, pageSize);
    if (authz) return json(authz.status, authz.body);

    if (method === 'GET') {
      const resource = resources.get(key);
      if (resource) return json(200, resource);
      if (isCollectionPath(key)) return listCollection(path, key, url, origin);
    }
    return notFound(path);
  }

  function isCollectionPath(key: string): boolean {
    const parts = key.split('/').filter(Boolean);
    const p = parts.indexOf('providers');
    if (p < 0) return false;
    return (parts.length - (p + 2)) % 2 === 1;
  }

  function listCollection(path: string, key: string, url: URL, origin: string): MockResponse {
    const parts = key.split('/').filter(Boolean);
    let items: readonly Record<string, unknown>[];
    const subscriptionScoped = parts[2] === 'providers' && parts.length === 5;
    if (subscriptionScoped) {
      // GET /subscriptions/{s}/providers/{NS}/{type}: every resource of that type in the subscription.
      items = byType.get(`${parts[1]}|${parts[3]}/${parts[4]}`) ?? [];
    } else {
      const parentKey = key.split('/').slice(0, -1).join('/');
      items = children.get(key) ?? [];
      // A snapshot may hold a zone's links without the zone: known children prove the parent.
      if (items.length === 0 && isNested(parentKey) && !resources.has(parentKey)) {
        return json(
          404,
          envelope(
            'ParentResourceNotFound',
            `Can not perform requested operation on nested resource. Parent resource '${parentKey.split('/').pop()}' not found.`,
          ),
        );
      }
    }
    return paged(items, path, url, origin);
  }

  /** One page of `items`, with a `nextLink` when more follow. */
  function paged(items: readonly Record<string, unknown>[], path: string, url: URL, origin: string): MockResponse {
    const skip = Number(url.searchParams.get('$skipToken') ?? '0') || 0;
    const page = items.slice(skip, skip + pageSize);
    const body: Record<string, unknown> = { value: page };
    if (skip + pageSize < items.length) {
      const next = new URL(path, origin);
      next.searchParams.set('api-version', url.searchParams.get('api-version')!);
      next.searchParams.set('$skipToken', String(skip + pageSize));
      body.nextLink = next.toString();
    }
    return json(200, body);
  }

  function isNested(key: string): boolean {
    const parts = key.split('/').filter(Boolean);
    const p = parts.indexOf('providers');
    return p >= 0 && parts.length - (p + 2) >= 2;
  }

  /** What ARM answers a caller with no role in a subscription. */
  function forbidden(method: string, path: string): MockResponse {
    const action =
      method === 'GET'
        ? `${armTypeOfPath(path)}/read`
        : `${armTypeOfPath(path.split('/').slice(0, -1).join('/'))}/${path.split('/').pop()}/action`;
    return json(
      403,
      envelope(
        'AuthorizationFailed',
        `The client 'aml-preflight-mock' with object id '00000000-0000-0000-0000-000000000000' does not have authorization to perform action '${action}' over scope '${path}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      ),
    );
  }

  /** Drops what the request's api-version does not define (ARM answers per api-version). */
  function versioned(method: string, path: string, url: URL, answer: MockResponse): MockResponse {
    if (method !== 'GET' || answer.status !== 200 || !answer.body || definesManagedNetworkV2(url)) return answer;
    if (!/\/providers\/microsoft\.machinelearningservices\/workspaces(\/[^/]+)?$/i.test(path)) return answer;
    const body = JSON.parse(answer.body) as { value?: unknown[]; properties?: Record<string, unknown> };
    const before = !definesManagedNetwork(url);
    for (const ws of Array.isArray(body.value) ? (body.value as { properties?: Record<string, unknown> }[]) : [body]) {
      if (!ws.properties) continue;
      if (before) for (const field of NEWER_WORKSPACE_FIELDS) delete ws.properties[field];
      // `managedNetworkKind` is new in 2025-12-01.
      const mn = ws.properties.managedNetwork as Record<string, unknown> | undefined;
      if (mn && typeof mn === 'object') delete mn.managedNetworkKind;
    }
    return { ...answer, body: JSON.stringify(body) };
  }

  function startProvision(path: string, origin: string): MockResponse {
    const workspaceKey = path.toLowerCase().replace(/\/provisionmanagednetwork$/, '');
    const workspace = resources.get(workspaceKey);
    if (!workspace) return notFound(path.replace(/\/provisionManagedNetwork$/i, ''));
    const mode = text(managedNetworkOf(networkOwner(workspaceKey))?.isolationMode, 'Disabled');
    if (/^disabled$/i.test(mode))
      return json(
        400,
        envelope('BadRequest', `Workspace ${String(workspace.name)} has no managed network to provision (isolationMode ${mode}).`),
      );
    return startOperation(
      { workspaceId: workspaceKey, kind: 'provision', retryAfter: String(options.resyncRetryAfterSeconds ?? 0) },
      (opId) => operationUrl(workspace, opId, origin),
    );
  }

  /**
   * What provisioning does in Azure: the network becomes Active, its Inactive rules Active, and
   * each private-endpoint rule's endpoint (in Microsoft's subscription) gets an Approved connection
   * on its target, as an auto-approved private endpoint of the resource owner does.
   */
  function applyProvision(workspaceKey: string): unknown {
    const workspace = resources.get(workspaceKey)!;
    const owner = networkOwner(workspaceKey);
    const mn = managedNetworkOf(owner)!;
    mn.status = { status: 'Active', sparkReady: false };
    if (owner !== workspace) (owner.properties as Record<string, unknown>).provisioningState = 'Succeeded';
    const rulesKey = owner === workspace ? `${workspaceKey}/outboundrules` : `${workspaceKey}/managednetworks/default/outboundrules`;
    for (const r of children.get(rulesKey) ?? []) {
      const rule = (r.properties ?? {}) as Record<string, unknown>;
      if (/^(inactive|provisioning)$/i.test(text(rule.status, 'Inactive'))) rule.status = 'Active';
      const dest = rule.destination as { serviceResourceId?: unknown } | undefined;
      if (
        !/^privateendpoint$/i.test(String(rule.type)) ||
        typeof dest?.serviceResourceId !== 'string' ||
        !/^active$/i.test(String(rule.status))
      )
        continue;
      const target = resources.get(dest.serviceResourceId.toLowerCase());
      if (!target) continue;
      const props = (target.properties ??= {}) as Record<string, unknown>;
      const connections = ((props.privateEndpointConnections as Record<string, unknown>[] | undefined) ??= []);
      const endpointId = managedPrivateEndpointId(String(workspace.name), String(r.name));
      if (
        connections.some(
          (c) =>
            text((c.properties as { privateEndpoint?: { id?: string } } | undefined)?.privateEndpoint?.id).toLowerCase() ===
            endpointId.toLowerCase(),
        )
      )
        continue;
      const name = `${String(workspace.name)}.${String(r.name)}`;
      const connection = {
        id: `${String(target.id)}/privateEndpointConnections/${name}`,
        name,
        type: `${armTypeOfPath(String(target.id))}/privateEndpointConnections`,
        properties: {
          provisioningState: 'Succeeded',
          privateEndpoint: { id: endpointId },
          privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
        },
      };
      connections.push(connection);
      index(connection, false);
    }
    return { status: 'Active', sparkReady: false };
  }

  /**
   * What holds a workspace's managed network: the workspace (V1), or for a V2 workspace
   * (`managedNetworkKind: V2`) its child `…/managedNetworks/default`, when the world has one.
   */
  function networkOwner(workspaceKey: string): Record<string, unknown> {
    const workspace = resources.get(workspaceKey)!;
    if (!/^v2$/i.test(text(managedNetworkOf(workspace)?.managedNetworkKind))) return workspace;
    return resources.get(`${workspaceKey}/managednetworks/default`) ?? workspace;
  }

  function startResync(path: string, origin: string): MockResponse {
    const workspaceKey = path.toLowerCase().replace(/\/resynckeys$/, '');
    const workspace = resources.get(workspaceKey);
    if (!workspace) return notFound(path.replace(/\/resyncKeys$/i, ''));
    const canned = responses.get(`POST ${path.toLowerCase()}`);
    if (canned && (canned.status ?? 200) >= 400) return json(canned.status!, canned.body, canned.headers);
    resyncCalls++;
    return startOperation({ workspaceId: workspaceKey, kind: 'resync', retryAfter: String(options.resyncRetryAfterSeconds ?? 0) }, (opId) =>
      operationUrl(workspace, opId, origin),
    );
  }

  function operationUrl(workspace: Record<string, unknown>, opId: string, origin: string): string {
    const sub = String(workspace.id).split('/')[2];
    const location = text(workspace.location, 'westeurope').toLowerCase().replace(/\s+/g, '');
    return `${origin}/subscriptions/${sub}/providers/Microsoft.MachineLearningServices/locations/${location}/workspaceOperationsStatus/${opId}?api-version=2024-10-01`;
  }

  function operationStatus(key: string): MockResponse | undefined {
    const m = /\/(?:workspaceoperationsstatus|operationresults)\/([0-9a-f-]+)$/.exec(key);
    if (!m) return undefined;
    const op = operations.get(m[1]!);
    if (!op) return json(404, envelope('OperationNotFound', `Operation ${m[1]} was not found.`));
    if (op.remainingPolls > 0) {
      op.remainingPolls--;
      return { status: 202, headers: { 'retry-after': op.retryAfter } };
    }
    operations.delete(m[1]!);
    if (op.kind === 'canned') return json(200, op.result);
    if (op.kind === 'provision') return json(200, applyProvision(op.workspaceId));
    applyResync(op.workspaceId);
    return json(200, {});
  }

  /** What resync does in Azure: the workspace re-reads the storage key and registry password. */
  function applyResync(workspaceKey: string): void {
    const workspace = resources.get(workspaceKey);
    const props = (workspace?.properties ?? {}) as Record<string, unknown>;
    const wsKeys = responses.get(`POST ${workspaceKey}/listkeys`);
    if (!wsKeys) return;
    const body = (wsKeys.body ?? {}) as Record<string, unknown>;
    const storageId = typeof props.storageAccount === 'string' ? props.storageAccount.toLowerCase() : undefined;
    const registryId = typeof props.containerRegistry === 'string' ? props.containerRegistry.toLowerCase() : undefined;
    const storageKeys = storageId
      ? (responses.get(`POST ${storageId}/listkeys`)?.body as { keys?: { value?: string }[] } | undefined)
      : undefined;
    const storage = storageId ? resources.get(storageId) : undefined;
    const sharedKey = (storage?.properties as { allowSharedKeyAccess?: boolean } | undefined)?.allowSharedKeyAccess !== false;
    if (storageId && sharedKey && storageKeys?.keys?.[0]?.value) {
      body.userStorageKey = storageKeys.keys[0].value;
      if ('userStorageArmId' in body) body.userStorageArmId = storage?.id ?? props.storageAccount;
      else body.userStorageResourceId = storage?.id ?? props.storageAccount;
    }
    const creds = registryId
      ? (responses.get(`POST ${registryId}/listcredentials`)?.body as { username?: string; passwords?: unknown[] } | undefined)
      : undefined;
    if (creds?.passwords) {
      body.containerRegistryCredentials = { location: null, username: creds.username ?? null, passwords: structuredClone(creds.passwords) };
    }
    wsKeys.body = body;
  }

  /**
   * ACR's data plane as @azure/container-registry uses it: a 401 challenge, the AAD → refresh →
   * access token exchange (tokens are the mock's own JWTs), then repositories, tags and manifests
   * from the world's `registryContent`.
   * https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md
   */
  function registryDataPlane(method: string, server: string, rest: string, req: MockRequest, origin: string): MockResponse {
    const content = Object.entries(world.registryContent ?? {}).find(([k]) => k.toLowerCase() === server)?.[1];
    const jwt = (kind: string): string => {
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, grant_type: kind, iss: 'aml-preflight-mock' })}.mock`;
    };
    if (method === 'POST' && rest === '/oauth2/exchange') return json(200, { refresh_token: jwt('refresh_token') });
    if (method === 'POST' && rest === '/oauth2/token') return json(200, { access_token: jwt('access_token') });
    const m = /^\/acr\/v1\/(.+?)(?:\/(_tags|_manifests)\/([^/]+))?$/.exec(rest);
    if (!m) return json(404, { errors: [{ code: 'NOT_FOUND', message: `no route ${method} ${rest}` }] });
    const repository = decodeURIComponent(m[1]!);
    const auth = header(req, 'authorization');
    if (!auth || !/^Bearer [\w-]+\.[\w-]+\.mock$/.test(auth)) {
      return {
        status: 401,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'www-authenticate': `Bearer realm="${origin}/acr-data/${server}/oauth2/token",service="${server}",scope="repository:${repository}:metadata_read"`,
        },
        body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
      };
    }
    const tags = content ? Object.entries(content).find(([k]) => k === repository)?.[1] : undefined;
    if (!tags)
      return json(404, {
        errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: repository } }],
      });
    const attrs = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };
    const when = '2026-11-02T08:14:11.0000000Z';
    if (!m[2])
      return json(200, {
        registry: server,
        imageName: repository,
        createdTime: when,
        lastUpdateTime: when,
        manifestCount: Object.keys(tags).length,
        tagCount: Object.keys(tags).length,
        changeableAttributes: attrs,
      });
    const ref = decodeURIComponent(m[3]!);
    if (m[2] === '_tags') {
      const digest = tags[ref];
      if (!digest)
        return json(404, { errors: [{ code: 'TAG_UNKNOWN', message: 'the specified tag does not exist', detail: { tag: ref } }] });
      return json(200, {
        registry: server,
        imageName: repository,
        tag: { name: ref, digest, createdTime: when, lastUpdateTime: when, signed: false, changeableAttributes: attrs },
      });
    }
    const digestTags = Object.entries(tags)
      .filter(([, d]) => d === ref || ref === repository)
      .map(([t]) => t);
    if (digestTags.length === 0)
      return json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { digest: ref } }] });
    return json(200, {
      registry: server,
      imageName: repository,
      manifest: {
        digest: ref,
        imageSize: 734003200,
        createdTime: when,
        lastUpdateTime: when,
        architecture: 'amd64',
        os: 'linux',
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        tags: digestTags,
        changeableAttributes: attrs,
      },
    });
  }

  function notFound(path: string): MockResponse {
    const parts = path.split('/').filter(Boolean);
    const p = parts.findIndex((s) => s.toLowerCase() === 'providers');
    const type =
      p >= 0
        ? parts
            .slice(p + 1)
            .filter((_, i) => i === 0 || i % 2 === 1)
            .join('/')
        : 'resource';
    const name = parts[parts.length - 1];
    const rgIndex = parts.findIndex((s) => s.toLowerCase() === 'resourcegroups');
    const rg = rgIndex >= 0 ? ` under resource group '${parts[rgIndex + 1]}'` : '';
    return json(
      404,
      envelope(
        'ResourceNotFound',
        `The Resource '${type}/${name}'${rg} was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      ),
    );
  }

  return {
    handle,
    log,
    ingested,
    get resyncCalls() {
      return resyncCalls;
    },
    get throttled() {
      return throttled;
    },
    get resourceGraph() {
      return { requests: graph.requests, throttled: graph.throttled };
    },
    world,
  };
}

/** The answer with its body cut in half: truncated JSON. */
function halved(answer: MockResponse): MockResponse {
  return answer.body ? { ...answer, body: answer.body.slice(0, Math.max(1, Math.floor(answer.body.length / 2))) } : answer;
}

function normaliseKey(key: string): string {
  const space = key.indexOf(' ');
  return `${key.slice(0, space).toUpperCase()} ${key
    .slice(space + 1)
    .split('?')[0]!
    .replace(/\/+$/, '')
    .toLowerCase()}`;
}

function header(req: MockRequest, name: string): string | undefined {
  const v = req.headers[name] ?? req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function envelope(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function faultCode(status: number): string {
  switch (status) {
    case 403:
      return 'AuthorizationFailed';
    case 404:
      return 'ResourceNotFound';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'ServiceUnavailable';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequest';
  }
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): MockResponse {
  const lower = lowerKeys(headers);
  if (body === undefined) return { status, headers: lower };
  return { status, headers: { ...JSON_HEADERS, ...lower }, body: JSON.stringify(body) };
}

/** Injected latency: unref'd (an embedded mock never keeps a process alive) and abandoned when the client leaves. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Workspace properties that api-versions before 2023-10-01 do not define. */
const NEWER_WORKSPACE_FIELDS = ['managedNetwork', 'serverlessComputeSettings'] as const;

/** The first GA api-version of Microsoft.MachineLearningServices that defines the managed network. */
export const MANAGED_NETWORK_SINCE = '2023-10-01';

/** Whether a request's api-version defines the managed network (preview suffixes compare by date). */
function definesManagedNetwork(url: URL): boolean {
  const v = url.searchParams.get('api-version') ?? '';
  return v.slice(0, 10) >= MANAGED_NETWORK_SINCE;
}

/** The first GA api-version that defines the managed network V2 (`managedNetworkKind`, `…/managedNetworks/default`). */
export const MANAGED_NETWORK_V2_SINCE = '2025-12-01';

function definesManagedNetworkV2(url: URL): boolean {
  return (url.searchParams.get('api-version') ?? '').slice(0, 10) >= MANAGED_NETWORK_V2_SINCE;
}

function isManagedNetworkV2Path(key: string): boolean {
  return /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+\/managednetworks(\/[^/]+(\/outboundrules(\/[^/]+)?|\/batchoutboundrules)?)?$/.test(
    key,
  );
}

function isManagedNetworkPath(key: string): boolean {
  return /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+\/(outboundrules(\/[^/]+)?|provisionmanagednetwork)$/.test(key);
}

function managedNetworkOf(workspace: Record<string, unknown>): Record<string, unknown> | undefined {
  const mn = (workspace.properties as { managedNetwork?: unknown } | undefined)?.managedNetwork;
  return mn && typeof mn === 'object' ? (mn as Record<string, unknown>) : undefined;
}

/** The subscription of Microsoft's in which the mock's managed networks create their private endpoints. */
export const MANAGED_NETWORK_SUBSCRIPTION = '9c8b7a65-4321-4fed-8cba-0a1b2c3d4e5f';

/** The id of the private endpoint a managed network creates for an outbound rule. */
export function managedPrivateEndpointId(workspaceName: string, ruleName: string): string {
  return `/subscriptions/${MANAGED_NETWORK_SUBSCRIPTION}/resourceGroups/azureml-mvnet-${workspaceName}/providers/Microsoft.Network/privateEndpoints/${workspaceName}-${ruleName}`;
}

/** `Microsoft.Network/privateEndpoints` from a path. */
function armTypeOfPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const p = parts.map((x) => x.toLowerCase()).lastIndexOf('providers');
  if (p < 0) return 'Microsoft.Resources/subscriptions';
  return [parts[p + 1], ...parts.slice(p + 2).filter((_, i) => i % 2 === 0)].join('/');
}
