/**
 * The least-privilege custom role for a set of checks, in the shape `az role definition create
 * --role-definition @role.json` takes.
 * https://learn.microsoft.com/azure/role-based-access-control/custom-roles-cli
 */
import type { Check } from './check.js';

export interface RoleDefinition {
  Name: string;
  IsCustom: true;
  Description: string;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
  NotDataActions: string[];
  AssignableScopes: string[];
}

/** Key actions (`…/listKeys/action`) read secrets; they are listed apart so nobody grants them unknowingly. */
export function isKeyAction(action: string): boolean {
  return /\/action$/i.test(action);
}

/**
 * Submitting a Resource Graph query (`--inventory resource-graph`); the rows it returns are still
 * limited to what the identity may read.
 * https://learn.microsoft.com/azure/role-based-access-control/permissions/management-and-governance#microsoftresourcegraph
 */
export const RESOURCE_GRAPH_ACTION = 'Microsoft.ResourceGraph/resources/read';

export function customRole(checks: readonly Check[], scope: string): RoleDefinition {
  const actions = [...new Set([...checks.flatMap((c) => c.meta.actions), RESOURCE_GRAPH_ACTION])].sort();
  const readers = checks.filter((c) => !c.meta.actions.some(isKeyAction)).map((c) => c.meta.id);
  const keyChecks = checks.filter((c) => c.meta.actions.some(isKeyAction)).map((c) => c.meta.id);
  const keyActions = actions.filter(isKeyAction);
  const description = [
    `Least privilege for aml-preflight checks. Read-only checks: ${readers.join(', ') || 'none'}.`,
    `${RESOURCE_GRAPH_ACTION} is for --inventory resource-graph.`,
    keyChecks.length > 0
      ? `Key checks (${keyChecks.join(', ')}) also need the key actions ${keyActions.join(', ')}, which read secrets.`
      : 'No key actions: this role reads no secrets.',
  ].join(' ');
  return {
    Name: keyChecks.length > 0 ? 'aml-preflight auditor (with key checks)' : 'aml-preflight auditor (read-only)',
    IsCustom: true,
    Description: description,
    Actions: [...actions.filter((a) => !isKeyAction(a)), ...keyActions],
    NotActions: [],
    DataActions: [],
    NotDataActions: [],
    AssignableScopes: [scope],
  };
}
