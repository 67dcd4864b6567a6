/** Building answers the way ARM shapes them: JSON bodies, lower-case headers, its error envelope. */
import type { MockRequest, MockResponse } from './types.js';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** ARM's error envelope. */
export function envelope(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

export function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A JSON answer; no body (and no content type) when `body` is undefined. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): MockResponse {
  const lower = lowerKeys(headers);
  if (body === undefined) return { status, headers: lower };
  return { status, headers: { ...JSON_HEADERS, ...lower }, body: JSON.stringify(body) };
}

/** A request header, whatever its case on the wire. */
export function header(req: MockRequest, name: string): string | undefined {
  const v = req.headers[name] ?? req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A `"METHOD /path"` key of a world's canned responses as the mock looks it up: no query, no trailing slash, path lower-cased. */
export function normaliseKey(key: string): string {
  const space = key.indexOf(' ');
  return `${key.slice(0, space).toUpperCase()} ${key
    .slice(space + 1)
    .split('?')[0]!
    .replace(/\/+$/, '')
    .toLowerCase()}`;
}

/** Whether a request's api-version is `since` or later (preview suffixes compare by date). */
export function apiVersionAtLeast(url: URL, since: string): boolean {
  return (url.searchParams.get('api-version') ?? '').slice(0, 10) >= since;
}

/** `Microsoft.Network/privateEndpoints` from a path. */
export function armTypeOfPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const p = parts.map((x) => x.toLowerCase()).lastIndexOf('providers');
  if (p < 0) return 'Microsoft.Resources/subscriptions';
  return [parts[p + 1], ...parts.slice(p + 2).filter((_, i) => i % 2 === 0)].join('/');
}
