/**
 * What a role definition (or a deny assignment) covers: operation patterns with their wildcards,
 * and permission blocks of `actions` minus `notActions` (`dataActions` minus `notDataActions`).
 * https://learn.microsoft.com/azure/role-based-access-control/role-definitions: `*` is a wildcard;
 * operation strings are matched without regard to case.
 */
import type { Permission, PermissionBlock } from './rbac-types.js';

const patternCache = new Map<string, RegExp>();

/**
 * Whether an operation string matches a role-definition pattern: `*` stands for any run of
 * characters (slashes included), everything else is literal, and case does not matter.
 */
export function operationMatches(pattern: string, operation: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'is',
    );
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re.test(operation);
}

/**
 * Whether `blocks` cover `permission`: some block lists a matching pattern in `actions` (or
 * `dataActions`) and no matching one in the same block's `notActions` (`notDataActions`).
 * Answers the pattern that granted, or the `not…` pattern that took it away.
 */
export function blocksCover(
  blocks: readonly PermissionBlock[],
  permission: Permission,
): { covered: true; pattern: string } | { covered: false; removedBy?: string } {
  let removedBy: string | undefined;
  for (const b of blocks) {
    const yes = (permission.kind === 'action' ? b.actions : b.dataActions) ?? [];
    const no = (permission.kind === 'action' ? b.notActions : b.notDataActions) ?? [];
    const granted = yes.find((p) => operationMatches(p, permission.name));
    if (granted === undefined) continue;
    const removed = no.find((p) => operationMatches(p, permission.name));
    if (removed === undefined) return { covered: true, pattern: granted };
    removedBy ??= removed;
  }
  return removedBy !== undefined ? { covered: false, removedBy } : { covered: false };
}
