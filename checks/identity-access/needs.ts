/**
 * What identity-access asks of the RBAC evaluator: the permissions Microsoft's docs require (as
 * actions and data actions), the role that grants each, and how a need becomes a finding.
 */
import type { CheckContext } from '../../src/engine/check.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import { decide } from '../../src/identity/rbac.js';
import type { Decision, Permission } from '../../src/identity/rbac-types.js';
import type { ComputeIdentityView } from '../../src/inventory/index.js';

export type Messages =
  | 'missing'
  | 'undecidable'
  | 'unreadable'
  | 'noWorkspaceIdentity'
  | 'computeNoIdentity'
  | 'keyBasedDatastores'
  | 'noAccessPolicy'
  | 'imageRegistryUnknown'
  | 'imageComputeNoIdentity';

export const action = (name: string): Permission => ({ kind: 'action', name });
export const dataAction = (name: string): Permission => ({ kind: 'dataAction', name });

/** Legacy registry permissions (AcrPull / AcrPush). */
export const ACR_PULL = [action('Microsoft.ContainerRegistry/registries/pull/read')];
export const ACR_PUSH = [action('Microsoft.ContainerRegistry/registries/push/write')];
/** ABAC repository permissions: Container Registry Repository Reader / Writer. */
export const REPO_PULL = [
  dataAction('Microsoft.ContainerRegistry/registries/repositories/content/read'),
  dataAction('Microsoft.ContainerRegistry/registries/repositories/metadata/read'),
];
export const REPO_PUSH = [
  dataAction('Microsoft.ContainerRegistry/registries/repositories/content/write'),
  dataAction('Microsoft.ContainerRegistry/registries/repositories/metadata/write'),
];
/** Storage Blob Data Contributor and Storage File Data Privileged Contributor, by what the datastores do. */
export const STORAGE_DATA = [
  dataAction('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'),
  dataAction('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'),
  dataAction('Microsoft.Storage/storageAccounts/fileServices/fileshares/files/read'),
  dataAction('Microsoft.Storage/storageAccounts/fileServices/fileshares/files/write'),
];
/** Key Vault Administrator, by what the workspace does with secrets. */
export const VAULT_DATA = [
  dataAction('Microsoft.KeyVault/vaults/secrets/getSecret/action'),
  dataAction('Microsoft.KeyVault/vaults/secrets/setSecret/action'),
  dataAction('Microsoft.KeyVault/vaults/secrets/delete'),
];
/** The secret permissions an access policy must give (the docs: any besides purge). */
export const POLICY_SECRETS = ['get', 'list', 'set', 'delete'];

const ROLE_FOR: Record<string, string> = {
  'Microsoft.ContainerRegistry/registries/pull/read': 'AcrPull',
  'Microsoft.ContainerRegistry/registries/push/write': 'AcrPush',
  'Microsoft.ContainerRegistry/registries/repositories/content/read': 'Container Registry Repository Reader',
  'Microsoft.ContainerRegistry/registries/repositories/metadata/read': 'Container Registry Repository Reader',
  'Microsoft.ContainerRegistry/registries/repositories/content/write': 'Container Registry Repository Writer',
  'Microsoft.ContainerRegistry/registries/repositories/metadata/write': 'Container Registry Repository Writer',
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read': 'Storage Blob Data Contributor',
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write': 'Storage Blob Data Contributor',
  'Microsoft.Storage/storageAccounts/fileServices/fileshares/files/read': 'Storage File Data Privileged Contributor',
  'Microsoft.Storage/storageAccounts/fileServices/fileshares/files/write': 'Storage File Data Privileged Contributor',
  'Microsoft.KeyVault/vaults/secrets/getSecret/action': 'Key Vault Administrator',
  'Microsoft.KeyVault/vaults/secrets/setSecret/action': 'Key Vault Administrator',
  'Microsoft.KeyVault/vaults/secrets/delete': 'Key Vault Administrator',
};

export interface Need {
  /** Who: `workspace mlw-…`, `compute cpu-cluster`. */
  readonly who: string;
  readonly principalId: string;
  readonly scope: string;
  readonly permissions: readonly Permission[];
  /** Why the docs require it, in a few words. */
  readonly why: string;
  /** The role to assign when it is missing. */
  readonly role?: string;
  /** `warning` when the docs leave it open whether this identity is the one that needs it. */
  readonly level?: 'warning';
}

export const nameOf = (id: string): string => id.split('/').pop() ?? id;

/** The compute's default identity: its system-assigned one, or its first user-assigned one. */
export function defaultIdentity(c: ComputeIdentityView): string | undefined {
  return c.identities.find((i) => i.kind === 'SystemAssigned')?.principalId ?? c.identities[0]?.principalId;
}

export async function decideNeed(ctx: CheckContext<Messages>, need: Need): Promise<void> {
  const resource = nameOf(need.scope);
  let facts;
  try {
    facts = await ctx.inventory.rbacFacts(need.principalId, [parseResourceId(need.scope).subscriptionId], { abortSignal: ctx.abortSignal });
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== 403 && status !== 401) throw err;
    ctx.report({
      messageId: 'unreadable',
      data: { who: need.who, resource, reason: (err as Error).message },
      resourceId: need.scope,
      evidence: { principalId: need.principalId, scope: need.scope, status },
      remediation:
        'Give the auditing identity Microsoft.Authorization/roleAssignments/read, roleDefinitions/read and denyAssignments/read (aml-preflight permissions prints the role).',
      level: 'warning',
    });
    return;
  }
  for (const permission of need.permissions) {
    const d = decide(facts, { scope: need.scope, permission });
    if (d.outcome === 'allowed') continue;
    const role = need.role ?? ROLE_FOR[permission.name] ?? 'a role that grants it';
    const remediation = `az role assignment create --assignee-object-id ${need.principalId} --assignee-principal-type ServicePrincipal --role "${role}" --scope ${need.scope}`;
    if (d.outcome === 'undecidable') {
      ctx.report({
        messageId: 'undecidable',
        data: { who: need.who, permission: permission.name, resource, why: need.why, reason: d.reasons.join('; ') },
        resourceId: need.scope,
        evidence: evidence(need, d),
        remediation,
        level: 'warning',
      });
    } else {
      ctx.report({
        messageId: 'missing',
        data: { who: need.who, permission: permission.name, resource, why: need.why, decided: describe(d) },
        resourceId: need.scope,
        evidence: evidence(need, d),
        remediation: d.deniedBy
          ? `Deny assignment ${d.deniedBy.name ?? d.deniedBy.denyAssignmentId} at ${d.deniedBy.scope} must exclude ${need.principalId} (deny assignments are managed by Azure: change the deployment stack or managed application that owns it)`
          : remediation,
        ...(need.level ? { level: need.level } : {}),
      });
    }
  }
}

function describe(d: Decision): string {
  if (d.deniedBy)
    return `deny assignment ${d.deniedBy.name ?? d.deniedBy.denyAssignmentId} at ${d.deniedBy.scope} denies it (${d.deniedBy.pattern})`;
  const removed = d.assignments.find((a) => a.effect === 'removed-by-not');
  if (removed) return `role ${removed.roleName ?? removed.roleDefinitionId} at ${removed.scope} excludes it (${removed.pattern})`;
  const applicable = d.assignments.filter((a) => a.effect !== 'other-principal' && a.effect !== 'out-of-scope');
  return applicable.length === 0
    ? 'no role assignment applies at that scope or above'
    : `none of its roles there (${applicable.map((a) => a.roleName ?? a.roleDefinitionId).join(', ')}) grants it`;
}

function evidence(need: Need, d: Decision): Record<string, unknown> {
  return {
    principalId: need.principalId,
    scope: need.scope,
    permission: `${d.permission.kind === 'action' ? 'action' : 'dataAction'} ${d.permission.name}`,
    outcome: d.outcome,
    ...(d.deniedBy ? { deniedBy: d.deniedBy } : {}),
    ...(d.reasons.length ? { reasons: d.reasons } : {}),
    assignments: d.assignments
      .filter((a) => a.effect !== 'other-principal')
      .map((a) => ({
        id: a.assignmentId,
        role: a.roleName ?? a.roleDefinitionId,
        scope: a.scope,
        effect: a.effect,
        ...(a.pattern ? { pattern: a.pattern } : {}),
      })),
  };
}
