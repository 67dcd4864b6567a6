/** What the mock's core and its services exchange: requests as the HTTPS adapter hands them over, and answers. */

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
  /** Polls of a long-running operation (resync, provisioning, diagnosis, what-if) that answer 202 before it completes. */
  resyncPolls?: number;
  /** The `Retry-After` (seconds) the resync and provisioning operations ask for between polls. */
  resyncRetryAfterSeconds?: number;
}

/** A JSON object as ARM serves it (a resource, a list item). */
export type ArmObject = Record<string, unknown>;
