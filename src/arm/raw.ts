/**
 * ARM operations the SDK release we can run does not model (the managed network's `outboundRules`
 * list, the V2 `managedNetworks/default` and its rules, and `provisionManagedNetwork`), sent through an SDK client's own pipeline with
 * `ServiceClient.sendRequest`: the bearer token, retries and throttling, our pacing and request
 * count, the CA settings, the snapshot recorder and Resource Graph's local answers all apply, as
 * they do to every generated operation.
 */
import { validatedBody } from './shapes.js';
import { createHttpPoller, type OperationResponse, type OperationState, type RunningOperation } from '@azure/core-lro';
import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';

/**
 * An SDK client, by the one method used here (each generated package may bring its own copy of
 * core-client, so the class itself is not shared).
 */
export interface ServiceClient {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

async function send(
  client: ServiceClient,
  method: 'GET' | 'POST',
  url: string,
  signal: AbortSignal,
  body?: unknown,
): Promise<PipelineResponse> {
  const request = createPipelineRequest({
    url,
    method,
    abortSignal: signal,
    headers: createHttpHeaders({ accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const response = await client.sendRequest(request);
  if (response.status >= 400) throw restError(response);
  return response;
}

/** ARM's error envelope as the generated operations throw it: `statusCode`, and `details.error.code`. */
function restError(response: PipelineResponse): RestError {
  let details: unknown;
  try {
    details = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
  } catch {
    details = undefined;
  }
  const code = (details as { error?: { code?: unknown } } | undefined)?.error?.code;
  const message = (details as { error?: { message?: unknown } } | undefined)?.error?.message;
  const err = new RestError(typeof message === 'string' ? message : `ARM answered ${response.status}`, {
    statusCode: response.status,
    ...(typeof code === 'string' ? { code } : {}),
    request: response.request,
    response,
  });
  err.details = details;
  return err;
}

function parseBody(response: PipelineResponse): unknown {
  if (!response.bodyAsText) return undefined;
  const parsed = validatedBody(response);
  if (parsed) return parsed.body;
  try {
    return JSON.parse(response.bodyAsText);
  } catch {
    throw new RestError("ARM's answer was not valid JSON", { code: 'PARSE_ERROR', request: response.request });
  }
}

/** One ARM resource's body (`GET`), as ARM sent it. */
export async function getOne(client: ServiceClient, url: string, signal: AbortSignal): Promise<unknown> {
  return parseBody(await send(client, 'GET', url, signal));
}

/** Every item of a paged ARM list (`value`, following `nextLink`). */
export async function listAll(client: ServiceClient, url: string, signal: AbortSignal): Promise<unknown[]> {
  const out: unknown[] = [];
  let next: string | undefined = url;
  for (let page = 0; next; page++) {
    if (page > 10_000) throw new RestError('ARM kept answering nextLink; giving up', { code: 'PARSE_ERROR' });
    const body = parseBody(await send(client, 'GET', next, signal)) as { value?: unknown; nextLink?: unknown } | undefined;
    if (!body || !Array.isArray(body.value)) throw new RestError('ARM answered a list without a value array', { code: 'PARSE_ERROR' });
    out.push(...(body.value as unknown[]));
    next = typeof body.nextLink === 'string' && body.nextLink !== '' ? body.nextLink : undefined;
  }
  return out;
}

/** The poller shape `Inventory`'s poll loop drives (it honours `Retry-After` itself). */
export interface PollerAdapter<T> {
  isDone(): boolean;
  poll(options: { abortSignal: AbortSignal }): Promise<void>;
  getResult(): T | undefined;
}

/**
 * Starts a POST long-running operation with core-lro's HTTP poller (the one the newer generated
 * SDKs use): it follows `Azure-AsyncOperation`/`Location`, and the result is the final answer's body
 * (`final-state-via: location`, as the spec declares for `provisionManagedNetwork`). A failed
 * operation rejects with its error.
 */
export async function beginPost<T>(
  client: ServiceClient,
  url: string,
  body: unknown,
  options: { abortSignal: AbortSignal; updateIntervalInMs: number; onResponse: (r: PipelineResponse) => void },
): Promise<PollerAdapter<T>> {
  const toLro = (r: PipelineResponse): OperationResponse<T> => {
    options.onResponse(r);
    const parsed = parseBody(r);
    return {
      flatResponse: parsed as T,
      rawResponse: {
        statusCode: r.status,
        headers: r.headers.toJSON(),
        body: parsed,
        request: { url: r.request.url, method: r.request.method },
      },
    };
  };
  const lro: RunningOperation<T> = {
    sendInitialRequest: async () => toLro(await send(client, 'POST', url, options.abortSignal, body)),
    sendPollRequest: async (path, pollOptions) =>
      toLro(
        await send(
          client,
          'GET',
          new URL(path, url).toString(),
          (pollOptions?.abortSignal as AbortSignal | undefined) ?? options.abortSignal,
        ),
      ),
  };
  const poller = createHttpPoller<T, OperationState<T>>(lro, {
    intervalInMs: options.updateIntervalInMs,
    resourceLocationConfig: 'location',
  });
  await poller.submitted();
  const failed = (): void => {
    if (poller.operationState?.status === 'failed')
      throw poller.operationState.error ?? new RestError('the long-running operation failed', { code: 'OperationFailed' });
  };
  failed();
  return {
    isDone: () => poller.isDone,
    poll: async (o) => {
      await poller.poll(o);
      failed();
    },
    getResult: () => poller.result,
  };
}
