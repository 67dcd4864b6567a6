/**
 * ARM's request throttling (a world's `throttling`): a token bucket per subscription for reads and
 * one for writes, with the `x-ms-ratelimit-remaining-subscription-…` headers ARM sends.
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 */
import type { World } from '../../src/world/schema.js';
import { envelope, json } from './http.js';
import type { MockResponse } from './types.js';

export interface Throttling {
  /**
   * Takes a token for the request: the 429 to answer when the bucket is empty, else the header to
   * add to the answer (none when the world models no throttling).
   */
  take(method: string, subscription: string): { refused: MockResponse } | { header?: [string, string] };
  /** How many requests were answered 429. */
  readonly throttled: number;
}

export function createThrottling(world: World): Throttling {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let throttled = 0;

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

  return {
    take(method, subscription) {
      const kind = method === 'GET' ? 'reads' : 'writes';
      const token = takeToken(kind, subscription);
      const limitHeader = `x-ms-ratelimit-remaining-subscription-${kind}`;
      if (!token) return {};
      if ('retryAfterSeconds' in token) {
        throttled++;
        return {
          refused: json(
            429,
            envelope(
              'TooManyRequests',
              `Number of ${kind === 'reads' ? 'read' : 'write'} requests for subscription '${subscription}' exceeded the limit. Try again after ${token.retryAfterSeconds} seconds.`,
            ),
            { 'retry-after': String(token.retryAfterSeconds), [limitHeader]: '0' },
          ),
        };
      }
      return { header: [limitHeader, String(token.remaining)] };
    },
    get throttled() {
      return throttled;
    },
  };
}
