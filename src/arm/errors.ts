/**
 * The few error types of aml-preflight. Each says what happened and what to do next, names the
 * resource, and keeps the cause.
 */
import { scrub } from '../base/secrets.js';
import { tryParseResourceId, resourceType } from '../base/resource-id.js';

/**
 * A request to ARM that failed for good (after the SDK's retries), or could not be sent.
 * `statusCode` is absent for network failures and timeouts.
 */
export class ArmRequestError extends Error {
  override readonly name = 'ArmRequestError';
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly resourceId: string;
  /** The RBAC action that a 403 says is missing. */
  readonly requiredAction: string | undefined;

  constructor(init: {
    operation: string;
    resourceId: string;
    statusCode?: number;
    code?: string;
    detail?: string;
    requiredAction?: string;
    cause?: unknown;
  }) {
    const what = init.statusCode ? `${init.statusCode}${init.code ? ` ${init.code}` : ''}` : (init.code ?? 'request failed');
    const next = nextStep(init.statusCode, init.requiredAction, init.code);
    super(
      scrub(
        `${init.operation} ${init.resourceId} failed: ${what}${init.detail ? ` (${oneLine(init.detail)})` : ''}${next ? `; ${next}` : ''}`,
      ),
      {
        cause: init.cause,
      },
    );
    this.statusCode = init.statusCode;
    this.code = init.code;
    this.resourceId = init.resourceId;
    this.requiredAction = init.requiredAction;
  }
}

function nextStep(status: number | undefined, action: string | undefined, code: string | undefined): string {
  if (status === 403)
    return `grant ${action ?? 'the read action on it'} to the identity running aml-preflight (see \`aml-preflight permissions\`)`;
  if (status === 401) return 'sign in again (az login) or check the service principal';
  if (status === 404) return 'the resource does not exist (deleted, or a dangling reference)';
  if (status === 429) return 'ARM throttled the request beyond the retry budget; run again later or lower --concurrency';
  if (status !== undefined && status >= 500) return 'ARM failed on its side beyond the retry budget; run again';
  if (code === 'REQUEST_SEND_ERROR' || code === 'ECONNRESET' || code === 'ECONNREFUSED')
    return 'the connection to ARM failed; check the network or the --endpoint';
  if (code === 'PARSE_ERROR') return "ARM's answer was not valid JSON (truncated or malformed); run again";
  if (code === 'Timeout') return 'ARM did not answer in time, retries included; run again';
  if (code === 'AbortError') return 'the run was interrupted or timed out before the answer came';
  return '';
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * The RBAC action a request on `resourceId` needs: `…/read` for a GET of the resource,
 * `…/<action>/action` for a POST action such as `listKeys`.
 * https://learn.microsoft.com/azure/role-based-access-control/resource-provider-operations
 */
export function rbacActionFor(resourceId: string, action?: string): string | undefined {
  const rid = tryParseResourceId(resourceId);
  if (!rid) return undefined;
  return action ? `${resourceType(rid)}/${action}/action` : `${resourceType(rid)}/read`;
}

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  details?: unknown;
}

/** Turns whatever the SDK threw into an {@link ArmRequestError} naming the resource and the operation. */
export function toArmRequestError(err: unknown, operation: string, resourceId: string, requiredAction?: string): ArmRequestError {
  if (err instanceof ArmRequestError) return err;
  const e = (err ?? {}) as RestErrorLike;
  const isAbort = e.name === 'AbortError';
  const isTimeout = e.code === 'ETIMEDOUT' || e.code === 'ESOCKETTIMEDOUT';
  const armCode = armErrorCode(e);
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return new ArmRequestError({
    operation,
    resourceId,
    ...(statusCode !== undefined ? { statusCode } : {}),
    code: isAbort ? 'AbortError' : isTimeout ? 'Timeout' : (armCode ?? e.code ?? e.name),
    ...(statusCode === undefined && !isAbort && e.message ? { detail: e.message } : {}),
    // The planned state's own answers (src/what-if/plan.ts, codes WhatIf…) say what is unknown and why: keep it.
    ...(armCode?.startsWith('WhatIf') && e.message ? { detail: e.message } : {}),
    ...(statusCode === 403 ? { requiredAction: requiredAction ?? rbacActionFor(resourceId) ?? 'the read action' } : {}),
    cause: err,
  });
}

function armErrorCode(e: RestErrorLike): string | undefined {
  const d = e.details as { error?: { code?: unknown } } | undefined;
  if (d && typeof d === 'object' && d.error && typeof d.error.code === 'string') return d.error.code;
  return undefined;
}
