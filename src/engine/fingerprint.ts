/**
 * A finding's stable identity across runs, for baselines (`--baseline`) and GitHub code scanning
 * (SARIF `partialFingerprints`): the check id, the resource id (lower case: ARM ids compare
 * case-insensitively), the message id, and the message's identifying fields.
 *
 * Identifying fields are the string fields of the message's data (names of subnets, tags,
 * endpoints, zones, references), minus the ones that describe rather than identify (a reason, a
 * state, a list of computes that grows): those can change while the defect stands. Numbers (counts,
 * priorities) never identify. Evidence is not used: it carries counts and timestamps that move.
 */
import { createHash } from 'node:crypto';
import { idKey } from '../base/resource-id.js';

/** Data fields that describe a finding without identifying it. */
export const DESCRIPTIVE_FIELDS: ReadonlySet<string> = new Set([
  'why',
  'detail',
  'how',
  'state',
  'status',
  'message',
  'problems',
  'corrected',
  'computes',
  'servers',
  'zones',
  'keys',
  'bypass',
  'path',
]);

export function fingerprint(
  checkId: string,
  resourceId: string,
  messageId: string,
  data: Readonly<Record<string, string | number>> = {},
): string {
  const identity = Object.keys(data)
    .filter((k) => typeof data[k] === 'string' && !DESCRIPTIVE_FIELDS.has(k))
    .sort()
    .map((k) => `${k}=${String(data[k])}`);
  return createHash('sha256')
    .update(['v1', checkId, idKey(resourceId), messageId, ...identity].join('\n'))
    .digest('hex')
    .slice(0, 32);
}
