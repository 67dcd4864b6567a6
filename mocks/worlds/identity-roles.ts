/**
 * The Authorization resources of the identity worlds (identity.ts): the built-in role definitions
 * they name, with real ids and permissions
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles), and role definitions
 * and assignments in the shapes of Microsoft's Authorization examples
 * (../shared/azure-examples/authorization/).
 */
import { type Json, SUB } from './base.js';

const BLOB = 'Microsoft.Storage/storageAccounts/blobServices/containers';
const FILES = 'Microsoft.Storage/storageAccounts/fileServices/fileshares/files';
export const REPO = 'Microsoft.ContainerRegistry/registries/repositories';

/** Built-in roles the worlds use: id → name and permissions, as Microsoft's built-in roles page lists them. */
export const BUILT_IN: Record<string, { guid: string; roleName: string; description: string; permissions: Json[] }> = {
  Owner: {
    guid: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    roleName: 'Owner',
    description: 'Grants full access to manage all resources.',
    permissions: [{ actions: ['*'] }],
  },
  Contributor: {
    guid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    roleName: 'Contributor',
    description: 'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.',
    permissions: [
      {
        actions: ['*'],
        notActions: [
          'Microsoft.Authorization/*/Delete',
          'Microsoft.Authorization/*/Write',
          'Microsoft.Authorization/elevateAccess/Action',
          'Microsoft.Blueprint/blueprintAssignments/write',
          'Microsoft.Blueprint/blueprintAssignments/delete',
          'Microsoft.Compute/galleries/share/action',
          'Microsoft.Purview/consents/write',
          'Microsoft.Purview/consents/delete',
          'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
          'Microsoft.Subscription/cancel/action',
          'Microsoft.Subscription/enable/action',
        ],
      },
    ],
  },
  AcrPull: {
    guid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
    roleName: 'AcrPull',
    description: 'acr pull',
    permissions: [{ actions: ['Microsoft.ContainerRegistry/registries/pull/read'] }],
  },
  AcrPush: {
    guid: '8311e382-0749-4cb8-b61a-304f252e45ec',
    roleName: 'AcrPush',
    description: 'acr push',
    permissions: [{ actions: ['Microsoft.ContainerRegistry/registries/pull/read', 'Microsoft.ContainerRegistry/registries/push/write'] }],
  },
  RepositoryReader: {
    guid: 'b93aa761-3e63-49ed-ac28-beffa264f7ac',
    roleName: 'Container Registry Repository Reader',
    description: 'Allows read access to Azure Container Registry repositories.',
    permissions: [{ dataActions: [`${REPO}/metadata/read`, `${REPO}/content/read`] }],
  },
  RepositoryWriter: {
    guid: '2a1e307c-b015-4ebd-883e-5b7698a07328',
    roleName: 'Container Registry Repository Writer',
    description: 'Allows read, write, and update access to Azure Container Registry repositories.',
    permissions: [{ dataActions: [`${REPO}/metadata/read`, `${REPO}/metadata/write`, `${REPO}/content/read`, `${REPO}/content/write`] }],
  },
  BlobContributor: {
    guid: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    roleName: 'Storage Blob Data Contributor',
    description: 'Allows for read, write and delete access to Azure Storage blob containers and data',
    permissions: [
      {
        actions: [
          `${BLOB}/delete`,
          `${BLOB}/read`,
          `${BLOB}/write`,
          'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
        ],
        dataActions: [
          `${BLOB}/blobs/delete`,
          `${BLOB}/blobs/read`,
          `${BLOB}/blobs/write`,
          `${BLOB}/blobs/move/action`,
          `${BLOB}/blobs/add/action`,
        ],
      },
    ],
  },
  FilePrivilegedContributor: {
    guid: '69566ab7-960f-475b-8e7c-b3118f30c6bd',
    roleName: 'Storage File Data Privileged Contributor',
    description: 'Customer has read, write, delete and modify NTFS permission access on Azure Storage file shares.',
    permissions: [
      {
        dataActions: [
          `${FILES}/read`,
          `${FILES}/write`,
          `${FILES}/delete`,
          `${FILES}/modifypermissions/action`,
          `${FILES}/readFileBackupSemantics/action`,
          `${FILES}/writeFileBackupSemantics/action`,
        ],
      },
    ],
  },
  KeyVaultAdministrator: {
    guid: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
    roleName: 'Key Vault Administrator',
    description: 'Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets.',
    permissions: [
      {
        actions: [
          'Microsoft.Authorization/*/read',
          'Microsoft.Insights/alertRules/*',
          'Microsoft.Resources/deployments/*',
          'Microsoft.Resources/subscriptions/resourceGroups/read',
          'Microsoft.Support/*',
          'Microsoft.KeyVault/checkNameAvailability/read',
          'Microsoft.KeyVault/deletedVaults/read',
          'Microsoft.KeyVault/locations/*/read',
          'Microsoft.KeyVault/vaults/*/read',
          'Microsoft.KeyVault/operations/read',
        ],
        dataActions: ['Microsoft.KeyVault/vaults/*'],
      },
    ],
  },
};

/** A role definition as `GET …/roleDefinitions/{id}` answers it (GetRoleDefinitionById's shape). */
export function roleDefinition(
  guid: string,
  roleName: string,
  permissions: Json[],
  extra: { type?: string; description?: string; assignableScopes?: string[] } = {},
): Json {
  return {
    id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    type: 'Microsoft.Authorization/roleDefinitions',
    name: guid,
    properties: {
      roleName,
      type: extra.type ?? 'BuiltInRole',
      description: extra.description ?? roleName,
      assignableScopes: extra.assignableScopes ?? ['/'],
      permissions: permissions.map((p) => ({ actions: [], notActions: [], dataActions: [], notDataActions: [], ...p })),
      createdOn: '2018-02-26T18:43:41.4556322Z',
      updatedOn: '2026-04-10T15:21:07.6371512Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

/** Starts the deterministic assignment GUIDs again, so each world names its assignments alike. */
export function resetAssignmentNames(): void {
  counter = 0;
}

let counter = 0;
/** A role assignment as ARM answers it (RoleAssignments_Get's shape), with a deterministic GUID. */
export function roleAssignment(
  scope: string,
  roleGuid: string,
  principalId: string,
  extra: { principalType?: string; condition?: string; name?: string } = {},
): Json {
  const name = extra.name ?? `a1b2c3d4-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    type: 'Microsoft.Authorization/roleAssignments',
    name,
    properties: {
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
      principalId,
      principalType: extra.principalType ?? 'ServicePrincipal',
      scope,
      condition: extra.condition ?? null,
      conditionVersion: extra.condition ? '2.0' : null,
      createdOn: '2026-10-12T09:31:12.0000000Z',
      updatedOn: '2026-10-12T09:31:12.0000000Z',
      createdBy: '6f1e2d3c-4b5a-4968-8776-655443322110',
      updatedBy: '6f1e2d3c-4b5a-4968-8776-655443322110',
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
  };
}

export const rid = (name: keyof typeof BUILT_IN): string => BUILT_IN[name]!.guid;
