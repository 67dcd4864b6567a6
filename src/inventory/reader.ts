/**
 * The machinery every provider's reads share: the SDK clients of one run, single-flight caching
 * (failures included), request counting, the concurrency bound, the run's abort signal, Resource
 * Graph mode and the long-running-operation loop. The providers (`ml.ts`, `network.ts`,
 * `storage.ts`, `registry.ts`) read through it; `index.ts` is the face checks see.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { abortError, waitFor } from '../base/abort.js';
import type { ArmConnection } from '../arm/connection.js';
import { createClients, type Clients, type SharedGets } from '../arm/clients.js';
import { getOne } from '../arm/raw.js';
import { rbacActionFor, toArmRequestError } from '../arm/errors.js';
import { isResourceGraphUrl, queryResources, ResourceGraphInventory } from '../arm/resource-graph.js';
import { idKey, type ResourceId } from '../base/resource-id.js';
import { workspaceScope } from '../base/workspace-scope.js';
import { VERSION } from '../base/version.js';
import type { InventoryOptions, ReadOptions } from './views.js';
import { compactArrays, parseRetryAfter, Semaphore } from './read-utils.js';

export class ArmReader {
  readonly clients: Clients;
  readonly connection: ArmConnection;
  readonly #cache = new Map<string, Promise<unknown>>();
  /** Cancels every request of the inventory: the run's signal, or dispose(). */
  readonly signal: AbortSignal;
  readonly #disposer = new AbortController();
  readonly #limit: Semaphore;
  #requests = 0;
  #graphRequests = 0;
  #graph: ResourceGraphInventory | undefined;
  #graphFailure: string | undefined;
  readonly #resourcesRead = new Set<string>();
  /** Workspace-owned cache keys → the workspaces (idKey) that asked for them. */
  readonly #owners = new Map<string, Set<string>>();
  readonly #releaseListeners: ((workspaceId: string) => void)[] = [];
  /** Bodies read raw ({@link rawResource}), by idKey: later GETs of the same resource answer them. */
  readonly #primed = new Map<string, unknown>();
  #shared: SharedGets | undefined;

  constructor(connection: ArmConnection, options: InventoryOptions = {}) {
    this.connection = connection;
    this.#shared = options.sharedGets;
    const onRequest = connection.onRequest;
    this.clients = createClients(
      {
        ...connection,
        onRequest: (method, url) => {
          if (isResourceGraphUrl(url)) this.#graphRequests++;
          else this.#requests++;
          onRequest?.(method, url);
        },
      },
      `aml-preflight/${VERSION}`,
      {
        answerLocally: (method, url) => this.#graph?.answer(method, url) ?? this.#primedAnswer(method, url),
        shared: () => this.#shared,
        ...(options.plan ? { plan: options.plan } : {}),
      },
    );
    this.signal = options.abortSignal ? AbortSignal.any([options.abortSignal, this.#disposer.signal]) : this.#disposer.signal;
    // Every request in flight listens on these; a subscription audit has hundreds.
    setMaxListeners(0, this.signal, this.#disposer.signal);
    this.#limit = new Semaphore(options.concurrency ?? 16);
  }

  /**
   * Cancels every request still in flight (retries included) and makes later reads fail. Call it
   * when the run is over: a read that one check abandoned must not keep retrying in the background.
   */
  dispose(): void {
    this.#disposer.abort(new Error('the run is over'));
  }

  /** The ARM endpoint this inventory reads (a cloud's, or a mock's origin). */
  get endpoint(): string {
    return this.connection.endpoint;
  }

  /** ARM requests sent so far, retries and polls included (Resource Graph queries not counted). */
  get requestCount(): number {
    return this.#requests;
  }

  /** Resource Graph queries sent so far, pages and retries included. */
  get resourceGraphRequestCount(): number {
    return this.#graphRequests;
  }

  /** Why {@link useResourceGraph} failed, when it did (the run then read everything from ARM). */
  get resourceGraphFailure(): string | undefined {
    return this.#graphFailure;
  }

  /** Where resources come from: ARM one by one, or Resource Graph queries loaded by {@link useResourceGraph}. */
  get mode(): 'arm' | 'resource-graph' {
    return this.#graph ? 'resource-graph' : 'arm';
  }

  /**
   * Loads the workspaces, storage accounts, registries, VNets, NSGs, route tables, private endpoints
   * and private DNS zones of `subscriptions` (or of every subscription under a management group)
   * with Resource Graph queries; from then on ARM GETs of those resources are answered from the
   * results (see `arm/resource-graph.ts`). All or nothing: if any page fails, this throws and the
   * inventory stays in direct ARM mode. Answers the subscriptions the rows cover.
   */
  async useResourceGraph(
    scope: readonly string[] | { readonly managementGroup: string },
    opts: ReadOptions & { pageSize?: number } = {},
  ): Promise<{ rows: number; subscriptions: readonly string[] }> {
    const subs = 'managementGroup' in scope ? undefined : [...new Set(scope.map((s) => s.toLowerCase()))];
    const described = subs
      ? `/providers/Microsoft.ResourceGraph/resources (${subs.length} subscription${subs.length === 1 ? '' : 's'})`
      : `/providers/Microsoft.ResourceGraph/resources (management group ${(scope as { managementGroup: string }).managementGroup})`;
    const signal = opts.abortSignal ? AbortSignal.any([this.signal, opts.abortSignal]) : this.signal;
    try {
      const client = await this.clients.resourceGraph();
      const rows = await queryResources(client, subs ?? scope, {
        abortSignal: signal,
        ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
      });
      // Under a management group, the rows say which subscriptions the query covered.
      const covered = subs ?? [...new Set(rows.map((r) => idKey(r.id).split('/')[2]!))];
      this.#graph = new ResourceGraphInventory(rows, covered);
      return { rows: rows.length, subscriptions: covered };
    } catch (err) {
      const failure = toArmRequestError(err, 'POST query', described, 'Microsoft.ResourceGraph/resources/read');
      this.#graphFailure = failure.message;
      throw failure;
    }
  }

  /** Distinct resources and actions read so far. */
  get distinctReads(): number {
    return this.#resourcesRead.size;
  }

  /**
   * Runs a long-running operation to completion. The poll loop is ours: the generated SDK polls once
   * inside `begin…` and again at once in `pollUntilDone`, so the first poll answer's `Retry-After`
   * would be ignored. Here every poll waits what the previous answer's `Retry-After` asked
   * (seconds or an HTTP date), else `pollIntervalInMs`.
   */
  async lro<T>(
    opts: ReadOptions & { pollIntervalInMs?: number },
    begin: (options: {
      abortSignal: AbortSignal;
      updateIntervalInMs: number;
      onResponse: (r: { headers: { get(name: string): string | undefined } }) => void;
    }) => Promise<{ isDone(): boolean; poll(o: { abortSignal: AbortSignal }): Promise<void>; getResult(): T | undefined }>,
  ): Promise<T | undefined> {
    const signal = opts.abortSignal ? AbortSignal.any([this.signal, opts.abortSignal]) : this.signal;
    const interval = opts.pollIntervalInMs ?? 2000;
    let retryAfterMs: number | undefined;
    const poller = await begin({
      abortSignal: signal,
      updateIntervalInMs: interval,
      onResponse: (r) => {
        retryAfterMs = parseRetryAfter(r.headers.get('retry-after'));
      },
    });
    while (!poller.isDone()) {
      await sleep(retryAfterMs ?? interval, undefined, { signal });
      await poller.poll({ abortSignal: signal });
    }
    return poller.getResult();
  }

  /** Drops every cached read, so the next reads show Azure as it is now (after a fix changed it). */
  /**
   * From now on this reader's GET answers are shared with every inventory given the answer (as
   * `sharedGets`): the live and the planned side of a what-if or Terraform audit read live state once.
   */
  shareGets(): SharedGets {
    this.#shared ??= new Map() as SharedGets;
    return this.#shared;
  }

  forgetReads(): void {
    this.#cache.clear();
    this.#primed.clear();
    this.#shared?.clear();
  }

  /**
   * A resource's body as ARM sent it (`GET {id}?api-version=…`, through the SDK pipeline: counted,
   * paced, retried), read once; undefined when ARM answers 404. Every later GET of the same resource
   * through this reader, typed or raw, is answered with that body instead of a second request, as
   * Resource Graph's rows answer them: the live state a planned change is laid over and the live
   * audit's reads are then one read.
   */
  rawResource(id: string, apiVersion: string, opts?: ReadOptions): Promise<Record<string, unknown> | undefined> {
    const key = idKey(id);
    return this.onceKey(`GET raw ${key}`, 'GET', id, undefined, opts, async (signal) => {
      const client = await this.clients.tenant();
      try {
        const body = await getOne(client, `${this.connection.endpoint}${id}?api-version=${apiVersion}`, signal);
        if (!body || typeof body !== 'object') return undefined;
        this.#primed.set(key, body);
        return body as Record<string, unknown>;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    });
  }

  #primedAnswer(method: string, url: string): { status: number; body: unknown } | undefined {
    if (method !== 'GET' || this.#primed.size === 0) return undefined;
    let key: string;
    try {
      key = idKey(decodeURIComponent(new URL(url).pathname));
    } catch {
      return undefined;
    }
    const body = this.#primed.get(key);
    return body === undefined ? undefined : { status: 200, body };
  }

  /** Drops the cached key digests (workspace, storage account, registry) so the next read is fresh; nothing else. */
  forgetKeys(): void {
    for (const key of [...this.#cache.keys()])
      if (key.startsWith('POST listKeys ') || key.startsWith('POST listCredentials ')) this.#cache.delete(key);
  }

  once<T>(
    operation: string,
    rid: ResourceId,
    opts: ReadOptions | undefined,
    read: (signal: AbortSignal) => Promise<T>,
    action?: string,
  ): Promise<T> {
    return this.onceKey(`${operation} ${idKey(rid.id)}`, operation, rid.id, rbacActionFor(rid.id, action), opts, read);
  }

  /**
   * Single flight: the first caller reads, later callers share its promise. Failures are cached
   * too: the SDK already retried, and a second check asking must get the same answer. The shared
   * request runs under the run's signal only; a caller's own signal (its check timed out) stops
   * that caller waiting without failing the read for the others.
   */
  /**
   * The workspace is done: drop the reads that belong to workspaces (the workspace itself, its
   * computes, keys, storage account, registry and private endpoints) once no workspace still at
   * work has asked for them. Networks, NSGs, routes, DNS zones and service tags stay: the next
   * workspaces of the same VNet reuse them. A read made outside an audit's workspace scope is kept.
   */
  release(workspaceId: string): void {
    const owner = idKey(workspaceId);
    for (const [key, owners] of this.#owners) {
      if (owners.delete(owner) && owners.size === 0) {
        this.#owners.delete(key);
        this.#cache.delete(key);
      }
    }
    for (const listener of this.#releaseListeners) listener(workspaceId);
  }

  /** Called with each workspace {@link release}d (the network model drops its own cache entry). */
  onRelease(listener: (workspaceId: string) => void): void {
    this.#releaseListeners.push(listener);
  }

  onceKey<T>(
    key: string,
    operation: string,
    resourceId: string,
    requiredAction: string | undefined,
    opts: ReadOptions | undefined,
    read: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const owner = workspaceScope.getStore();
    if (owner !== undefined && workspaceOwned(key, owner)) {
      const owners = this.#owners.get(key);
      if (owners) owners.add(owner);
      else this.#owners.set(key, new Set([owner]));
    }
    let p = this.#cache.get(key) as Promise<T> | undefined;
    if (!p) {
      this.#resourcesRead.add(key);
      p = this.#limit
        .run(() => read(this.signal).then(compactArrays))
        .catch((err: unknown) => {
          throw toArmRequestError(err, operation, resourceId, requiredAction);
        });
      p.catch(() => undefined);
      this.#cache.set(key, p);
    }
    return waitFor(p, opts?.abortSignal, () => toArmRequestError(abortError(), operation, resourceId));
  }
}

/** Reads that belong to one workspace (and are dropped when it is done), by their cache key. */
const WORKSPACE_OWNED =
  /\/providers\/microsoft\.(machinelearningservices\/workspaces|storage\/storageaccounts|containerregistry\/registries|network\/privateendpoints)\/|^ACR /;
const ML_WORKSPACE = /\/subscriptions\/[^ ]*?\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/ ]+/;

/**
 * Whether `key` is `owner`'s own read. Another Azure ML workspace (a project's hub, with its
 * managed network and outbound rules) is shared by every project of that hub: not the project's.
 */
function workspaceOwned(key: string, owner: string): boolean {
  if (!WORKSPACE_OWNED.test(key)) return false;
  const ws = ML_WORKSPACE.exec(key)?.[0];
  return ws === undefined || ws === owner;
}
