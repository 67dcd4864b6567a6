/**
 * The SDK clients on a connection, with the HTTP settings they share: retries, the rate-limit
 * pacer, response shapes, and the hooks that answer locally (Resource Graph mode), from a plan
 * (what-if, Terraform) or from a GET another inventory already sent. The SDK modules are imported
 * lazily, so `--version` and `checks` do not pay for loading the Azure clients.
 */
import { createDefaultHttpClient, createHttpHeaders, RestError, type Pipeline, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { StorageManagementClient } from '@azure/arm-storage';
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { ServiceClient } from '@azure/core-client';
import type { ResourceManagementClient } from '@azure/arm-resources';
import { ML_API_VERSION, ML_SDK_API_VERSION, RESOURCE_GRAPH_API_VERSION, type ArmConnection } from './connection.js';
import { isResourceGraphUrl, ResourceGraphQuota } from './resource-graph.js';
import { RateLimitPacer } from './pacer.js';
import { shapePolicy } from './shapes.js';

/** The per-subscription SDK clients, created on first use. */
export interface Clients {
  ml(subscriptionId: string): Promise<AzureMachineLearningWorkspaces>;
  network(subscriptionId: string): Promise<NetworkManagementClient>;
  storage(subscriptionId: string): Promise<StorageManagementClient>;
  registry(subscriptionId: string): Promise<ContainerRegistryManagementClient>;
  privateDns(subscriptionId: string): Promise<PrivateDnsManagementClient>;
  /** Azure Resource Graph (tenant-wide; queries name their subscriptions). */
  resourceGraph(): Promise<ResourceGraphClient>;
  /** Microsoft.Resources: deployments' what-if. */
  resources(subscriptionId: string): Promise<ResourceManagementClient>;
  /** A bare ARM client for tenant-level reads no SDK we pin models (subscriptions, management groups). */
  tenant(): Promise<ServiceClient>;
}

/** GET answers by URL (lower case), shared between inventories of one run. */
export type SharedGets = Map<string, Promise<{ status: number; headers: Record<string, string>; bodyAsText: string | undefined }>>;

export interface ClientHooks {
  /**
   * Answers a request without sending it (Resource Graph mode), or undefined to send it. Runs
   * inside the SDK's deserialization and retry policies and outside the per-attempt policy, so the
   * answer becomes the same model ARM's would, nothing is counted as sent, and `snapshot`'s
   * recorder still sees it.
   */
  answerLocally?: (method: string, url: string) => { status: number; body: unknown } | undefined;
  /**
   * GET answers shared with another inventory of the same run (a planned state's and the live
   * one's): the first GET of a URL is sent, the others wait for its answer and are not counted.
   */
  shared?: () => SharedGets | undefined;
  /**
   * A deployment's planned state over live ARM (`--what-if`): answers what the deployment writes or
   * deletes, and adjusts live answers (lists, embedded children) to the plan. Outermost of the
   * per-attempt policies, so it also sits over Resource Graph's answers.
   */
  plan?: {
    answer(method: string, url: string): { status: number; body: unknown } | undefined;
    adjust(method: string, url: string, status: number, bodyText: string | undefined): { status: number; bodyText: string } | undefined;
    /** A value of the planned state ARM left unevaluated: where it came from, as the reason a read of it fails. */
    describe?(value: string): { resourceId: string; message: string } | undefined;
  };
}

export function createClients(conn: ArmConnection, userAgent: string, hooks: ClientHooks = {}): Clients {
  const pacer = new RateLimitPacer();
  const quota = new ResourceGraphQuota();
  const policies: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[] = [
    {
      position: 'perCall',
      policy: {
        name: 'amlPreflightApiVersion',
        async sendRequest(request, next) {
          if (
            /\/providers\/Microsoft\.MachineLearningServices\//i.test(request.url) &&
            request.url.includes(`api-version=${ML_SDK_API_VERSION}`)
          ) {
            request.url = request.url.replace(`api-version=${ML_SDK_API_VERSION}`, `api-version=${ML_API_VERSION}`);
          }
          return next(request);
        },
      },
    },
    {
      position: 'perRetry',
      policy: {
        name: 'amlPreflightPerAttempt',
        // Our own per-attempt timeout: the SDK's (request.timeout) leaves its timer running after an
        // abort, which holds a finished process open for up to the timeout. This one is unref'd,
        // always cleared, and raises ETIMEDOUT, which the SDK's retry strategy retries.
        async sendRequest(request, next) {
          const kind = request.method === 'GET' ? 'reads' : 'writes';
          const bucket = `${kind}:${/\/subscriptions\/([^/?]+)/i.exec(request.url)?.[1]?.toLowerCase() ?? ''}`;
          const graph = isResourceGraphUrl(request.url);
          const wait = graph ? quota.beforeSend() : pacer.beforeSend(bucket, kind);
          if (wait > 0) {
            try {
              await sleep(wait, undefined, request.abortSignal ? { signal: request.abortSignal as AbortSignal } : {});
            } catch (err) {
              if (!graph) pacer.settled(bucket, kind);
              throw err;
            }
          }
          conn.onRequest?.(request.method, request.url);
          const ms = conn.requestTimeoutInMs ?? 30_000;
          const parent = request.abortSignal;
          const timeout = new AbortController();
          const timer = setTimeout(() => {
            timeout.abort();
          }, ms);
          timer.unref();
          request.abortSignal = parent ? AbortSignal.any([parent as AbortSignal, timeout.signal]) : timeout.signal;
          try {
            const response = await next(request);
            if (graph) {
              const retryAfter = quota.observe(
                response.status,
                response.headers.get('x-ms-user-quota-remaining'),
                response.headers.get('x-ms-user-quota-resets-after'),
              );
              // The SDK's throttling retry reads only Retry-After; Resource Graph may give just its quota headers.
              if (retryAfter !== undefined && !response.headers.has('retry-after')) response.headers.set('retry-after', retryAfter);
              return response;
            }
            const remaining = response.headers.get(`x-ms-ratelimit-remaining-subscription-${kind}`);
            if (remaining !== undefined && /^\d+$/.test(remaining)) pacer.observe(bucket, kind, Number(remaining));
            return response;
          } catch (err) {
            if (timeout.signal.aborted && !parent?.aborted)
              throw new RestError(`no answer within ${ms} ms`, { code: 'ETIMEDOUT', request });
            throw err;
          } finally {
            clearTimeout(timer);
            request.abortSignal = parent;
            if (!graph) pacer.settled(bucket, kind);
          }
        },
      },
    },
  ];
  // ARM's answers are checked for the shapes the checks read, once, after retries.
  policies.push({ position: 'perCall', policy: shapePolicy });
  if (conn.onResponse) {
    const onResponse = conn.onResponse;
    policies.push({
      position: 'perCall',
      policy: {
        name: 'amlPreflightRecorder',
        async sendRequest(request, next) {
          let response;
          try {
            response = await next(request);
          } catch (err) {
            // An answer the pipeline turned into an error (a 403 once retries are done) is an answer too.
            const status = (err as { statusCode?: unknown }).statusCode;
            if (typeof status === 'number') onResponse(request.method, request.url, status, undefined);
            throw err;
          }
          onResponse(request.method, request.url, response.status, response.bodyAsText ?? undefined);
          return response;
        },
      },
    });
  }
  if (hooks.shared) {
    const shared = hooks.shared;
    policies.unshift({
      position: 'perRetry',
      policy: {
        name: 'amlPreflightSharedGets',
        async sendRequest(request, next) {
          const map = shared();
          if (!map || request.method !== 'GET') return next(request);
          const key = request.url.toLowerCase();
          let p = map.get(key);
          if (!p) {
            p = next(request).then((r) => ({ status: r.status, headers: r.headers.toJSON(), bodyAsText: r.bodyAsText ?? undefined }));
            map.set(key, p);
            // Only final answers are shared: a throttled or failed one is retried by each caller.
            p.then(
              (r) => {
                if (r.status !== 200 && r.status !== 404) map.delete(key);
              },
              () => map.delete(key),
            );
          }
          const r = await p;
          return {
            request,
            status: r.status,
            headers: createHttpHeaders(r.headers),
            ...(r.bodyAsText !== undefined ? { bodyAsText: r.bodyAsText } : {}),
          };
        },
      },
    });
  }
  // Inside the SDK's deserialization (so the answer becomes the same model ARM's would) and
  // outside the per-attempt policy (so nothing is counted, paced or timed as sent).
  if (hooks.answerLocally) {
    const answerLocally = hooks.answerLocally;
    policies.unshift({
      position: 'perRetry',
      policy: {
        name: 'amlPreflightLocalAnswers',
        async sendRequest(request, next) {
          const local = answerLocally(request.method, request.url);
          if (!local) return next(request);
          return {
            request,
            status: local.status,
            headers: createHttpHeaders({
              'content-type': 'application/json; charset=utf-8',
              'x-ms-aml-preflight-source': 'resource-graph',
            }),
            bodyAsText: JSON.stringify(local.body),
          };
        },
      },
    });
  }
  if (hooks.plan) {
    const plan = hooks.plan;
    policies.unshift({
      position: 'perRetry',
      policy: {
        name: 'amlPreflightPlannedState',
        async sendRequest(request, next) {
          const local = plan.answer(request.method, request.url);
          if (local) {
            return {
              request,
              status: local.status,
              headers: createHttpHeaders({ 'content-type': 'application/json; charset=utf-8', 'x-ms-aml-preflight-source': 'what-if' }),
              bodyAsText: JSON.stringify(local.body),
            };
          }
          const response = await next(request);
          const adjusted = plan.adjust(request.method, request.url, response.status, response.bodyAsText ?? undefined);
          return adjusted ? { ...response, status: adjusted.status, bodyAsText: adjusted.bodyText } : response;
        },
      },
    });
  }
  const options = {
    endpoint: conn.endpoint,
    ...(conn.ca ? { tlsOptions: { ca: conn.ca } } : {}),
    retryOptions: {
      maxRetries: conn.maxRetries ?? 4,
      retryDelayInMs: conn.retryDelayInMs ?? 500,
      maxRetryDelayInMs: conn.maxRetryDelayInMs ?? 30_000,
    },
    userAgentOptions: { userAgentPrefix: userAgent },
    additionalPolicies: policies,
    // One HTTP client for every SDK client of the run: one keep-alive pool to the ARM endpoint,
    // instead of one per client and subscription (each a TLS handshake per socket).
    httpClient: createDefaultHttpClient(),
  };
  const cache = new Map<string, Promise<unknown>>();
  function once<T extends { pipeline: Pipeline }>(key: string, make: () => Promise<T>): Promise<T> {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make().then(withoutFormData);
      cache.set(key, p);
    }
    return p;
  }
  return {
    ml: (sub) =>
      once(
        `ml:${sub}`,
        async () => new (await import('@azure/arm-machinelearning')).AzureMachineLearningWorkspaces(conn.credential, sub, options),
      ),
    network: (sub) =>
      once(`net:${sub}`, async () => new (await import('@azure/arm-network')).NetworkManagementClient(conn.credential, sub, options)),
    storage: (sub) =>
      once(`st:${sub}`, async () => new (await import('@azure/arm-storage')).StorageManagementClient(conn.credential, sub, options)),
    registry: (sub) =>
      once(
        `cr:${sub}`,
        async () => new (await import('@azure/arm-containerregistry')).ContainerRegistryManagementClient(conn.credential, sub, options),
      ),
    privateDns: (sub) =>
      once(`dns:${sub}`, async () => new (await import('@azure/arm-privatedns')).PrivateDnsManagementClient(conn.credential, sub, options)),
    resources: (sub) =>
      once(`res:${sub}`, async () => new (await import('@azure/arm-resources')).ResourceManagementClient(conn.credential, sub, options)),
    tenant: () =>
      once(
        'tenant',
        async () =>
          new (await import('@azure/core-client')).ServiceClient({
            ...options,
            credential: conn.credential,
            credentialScopes: [`${new URL(conn.endpoint).origin}/.default`],
          }),
      ),
    resourceGraph: () =>
      once(
        'graph',
        async () =>
          new (await import('@azure/arm-resourcegraph')).ResourceGraphClient(conn.credential, {
            ...options,
            apiVersion: RESOURCE_GRAPH_API_VERSION,
          }),
      ),
  };
}

/**
 * ARM takes JSON, never form data; the SDK's default form-data policy tests every request body with
 * `instanceof FormData`, and touching that global makes Node load undici (about 45 ms of every start
 * on Node 20). The policy is dropped from each client's pipeline; nothing else changes.
 */
export function withoutFormData<T extends { pipeline: Pipeline }>(client: T): T {
  client.pipeline.removePolicy({ name: 'formDataPolicy' });
  return client;
}
