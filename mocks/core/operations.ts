/**
 * Long-running operations as ARM runs them: the start answers 202 with a `Location` (and
 * `Retry-After`), the location answers 202 for a number of polls, then 200 with the result, and
 * what the operation does to the world happens at that moment.
 * https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations
 */
import { randomUUID } from 'node:crypto';
import { envelope, json } from './http.js';
import type { MockResponse } from './types.js';

export interface OperationSpec {
  /** The status URL for the operation's id (an absolute URL the client polls). */
  location(opId: string): string;
  /** The `Retry-After` (seconds) of the start and of every 202 poll. */
  retryAfter: string;
  /** Runs when the operation completes: its effect on the world, and the result body. */
  complete(): unknown;
}

export interface Operations {
  /** Registers an operation and answers 202 with its `Location`. */
  start(spec: OperationSpec): MockResponse;
  /** Declares a path segment under which a service's status URLs live (`…/{segment}/{opId}`). */
  statusSegment(segment: string): void;
  /** The answer for a status URL (a lower-case path), or undefined when the path is none. */
  poll(key: string): MockResponse | undefined;
}

export function createOperations(polls: number): Operations {
  const operations = new Map<string, OperationSpec & { remainingPolls: number }>();
  const segments: string[] = [];
  let status: RegExp | undefined;
  return {
    start(spec) {
      const opId = randomUUID();
      operations.set(opId, { ...spec, remainingPolls: polls });
      return { status: 202, headers: { location: spec.location(opId), 'retry-after': spec.retryAfter } };
    },
    statusSegment(segment) {
      segments.push(segment.toLowerCase());
      status = new RegExp(`/(?:${segments.join('|')})/([0-9a-f-]+)$`);
    },
    poll(key) {
      const m = status?.exec(key);
      if (!m) return undefined;
      const op = operations.get(m[1]!);
      if (!op) return json(404, envelope('OperationNotFound', `Operation ${m[1]} was not found.`));
      if (op.remainingPolls > 0) {
        op.remainingPolls--;
        return { status: 202, headers: { 'retry-after': op.retryAfter } };
      }
      operations.delete(m[1]!);
      return json(200, op.complete());
    },
  };
}
