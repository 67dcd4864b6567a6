/**
 * Access: the caller holds a role in the subscriptions the world holds anything in, and nowhere
 * else. Elsewhere ARM answers 403 `AuthorizationFailed` (a managed network's private endpoints
 * live in Microsoft's subscription, which no customer can read).
 */
import { armTypeOfPath, envelope, json } from './http.js';
import type { MockResponse } from './types.js';

/** What ARM answers a caller with no role in a subscription. */
export function forbidden(method: string, path: string): MockResponse {
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
