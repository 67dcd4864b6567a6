/** ARM's paging: `value` and, while more items follow, a `nextLink` that carries the api-version and a `$skipToken`. */
import { json } from './http.js';
import type { ArmObject, MockResponse } from './types.js';

/** One page of `items`, with a `nextLink` when more follow. */
export function paged(items: readonly ArmObject[], path: string, url: URL, origin: string, pageSize: number): MockResponse {
  const skip = Number(url.searchParams.get('$skipToken') ?? '0') || 0;
  const page = items.slice(skip, skip + pageSize);
  const body: ArmObject = { value: page };
  if (skip + pageSize < items.length) {
    const next = new URL(path, origin);
    next.searchParams.set('api-version', url.searchParams.get('api-version')!);
    next.searchParams.set('$skipToken', String(skip + pageSize));
    body.nextLink = next.toString();
  }
  return json(200, body);
}
