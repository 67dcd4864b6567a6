/**
 * Injected trouble (a world's `faults`): applied in order to the requests whose `METHOD /path`
 * matches, each at most `times` times, before any service sees the request.
 */
import type { WorldFault } from '../../src/world/schema.js';
import { envelope, json, lowerKeys } from './http.js';
import type { MockResponse } from './types.js';

export interface FaultOutcome {
  /** The fault's own answer (an error, a raw body, a reset), when one answers instead of the mock. */
  answer?: MockResponse;
  /** Cut ARM's answer in half (truncated JSON). */
  truncate: boolean;
}

export interface Faults {
  apply(signature: string, signal: AbortSignal | undefined): Promise<FaultOutcome>;
}

export function createFaults(faults: readonly WorldFault[]): Faults {
  const uses = new Map<WorldFault, number>();
  return {
    async apply(signature, signal) {
      let truncate = false;
      for (const fault of faults) {
        if (!new RegExp(fault.match, 'i').test(signature)) continue;
        const used = uses.get(fault) ?? 0;
        if (fault.times !== undefined && used >= fault.times) continue;
        uses.set(fault, used + 1);
        if (fault.latencyMs) await delay(fault.latencyMs, signal);
        if (fault.reset) return { answer: { status: 0, headers: {}, reset: true }, truncate };
        if (fault.truncate) truncate = true;
        if (fault.rawBody !== undefined) {
          return {
            answer: {
              status: fault.status ?? 200,
              headers: { 'content-type': 'application/json; charset=utf-8', ...lowerKeys(fault.headers ?? {}) },
              body: fault.rawBody,
            },
            truncate,
          };
        }
        if (fault.status !== undefined) {
          const body =
            fault.body !== undefined
              ? fault.body
              : fault.status >= 400
                ? envelope(faultCode(fault.status), `Injected fault for ${signature}.`)
                : undefined;
          return { answer: json(fault.status, body, fault.headers), truncate };
        }
      }
      return { truncate };
    },
  };
}

/** The answer with its body cut in half: truncated JSON. */
export function halved(answer: MockResponse): MockResponse {
  return answer.body ? { ...answer, body: answer.body.slice(0, Math.max(1, Math.floor(answer.body.length / 2))) } : answer;
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
