/**
 * Identity and access worlds (`identity-access`): the healthy private workspace with its registry's
 * admin user disabled, its key vault, the built-in role definitions it names, and the role
 * assignments Microsoft's docs list; then one defect each. Shapes: Microsoft's Authorization
 * examples (../shared/azure-examples/authorization/), with real built-in role ids and permissions
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 */
import type { WorldInput } from '../../src/world/schema.js';
import { asResource, computeOf, ids, type Json, P, RG, res, SUB } from './base.js';
import { healthyPrivate } from './healthy.js';
import { BUILT_IN, REPO, resetAssignmentNames, rid, roleAssignment, roleDefinition } from './identity-roles.js';

export const WS_PRINCIPAL = '7d1c6a0e-52b4-4f0b-9a55-1c8e2f4b3a90';
const TENANT = '0b4c5a3e-8d2f-4e61-b7a9-3c1d2e5f6a70';
/** The system-assigned identities of the computes (object ids). */
export const COMPUTE_PRINCIPALS: Record<string, string> = {
  'cpu-build-cluster': '2c8d4e6f-1a3b-4c5d-9e7f-0a1b2c3d4e51',
  'gpu-train-cluster': '2c8d4e6f-1a3b-4c5d-9e7f-0a1b2c3d4e52',
  'ci-analyst-ds': '2c8d4e6f-1a3b-4c5d-9e7f-0a1b2c3d4e53',
};
const UAI = `${P}/Microsoft.ManagedIdentity/userAssignedIdentities/id-mlw-mlops-prod-weu`;
const UAI_PRINCIPAL = '4e6f8a0b-2c3d-4e5f-8a9b-1c2d3e4f5a66';
const GROUP = '9b1d3f5a-7c9e-4b1d-8f3a-5c7e9b1d3f70';
const vaultId = ids.keyVault;

/** The workspace's key vault, in access-policy mode with the policy Azure ML gives the workspace identity. */
function keyVault(principalId: string): Json {
  return {
    id: vaultId,
    name: 'kv-mlops-prod-weu',
    type: 'Microsoft.KeyVault/vaults',
    location: 'westeurope',
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId: TENANT,
      accessPolicies: [
        {
          tenantId: TENANT,
          objectId: principalId,
          permissions: {
            keys: ['all'],
            secrets: ['get', 'list', 'set', 'delete', 'recover', 'backup', 'restore'],
            certificates: ['all'],
          },
        },
      ],
      enabledForDeployment: false,
      enableRbacAuthorization: false,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      vaultUri: 'https://kv-mlops-prod-weu.vault.azure.net/',
      provisioningState: 'Succeeded',
      publicNetworkAccess: 'Disabled',
    },
  };
}

/**
 * The healthy workspace with its registry's admin user disabled: the workspace identity holds
 * AcrPush on the registry, each compute has a system-assigned identity holding AcrPull (Azure ML
 * grants it), the key vault has the workspace's access policy. Every check passes.
 */
export function healthyIdentity(): WorldInput {
  resetAssignmentNames();
  const w = healthyPrivate();
  w.description =
    'identity-healthy-admin-disabled: the registry admin user is disabled; the workspace identity holds AcrPush and each compute identity AcrPull on it.';
  res(w, ids.registry).properties.adminUserEnabled = false;
  const keys = w.responses![`POST ${ids.workspace}/listKeys`]!.body as Json;
  keys.containerRegistryCredentials = null;
  delete w.responses![`POST ${ids.registry}/listCredentials`];
  for (const [name, principalId] of Object.entries(COMPUTE_PRINCIPALS)) {
    computeOf(w, name).identity = { type: 'SystemAssigned', principalId, tenantId: TENANT };
  }
  w.resources.push(
    ...[
      keyVault(WS_PRINCIPAL),
      ...Object.values(BUILT_IN).map((r) => roleDefinition(r.guid, r.roleName, r.permissions, { description: r.description })),
      roleAssignment(ids.registry, rid('AcrPush'), WS_PRINCIPAL),
      ...Object.values(COMPUTE_PRINCIPALS).map((p) => roleAssignment(ids.registry, rid('AcrPull'), p)),
    ].map(asResource),
  );
  return w;
}

export function mutateIdentity(description: string, change: (w: WorldInput) => void): WorldInput {
  const w = healthyIdentity();
  w.description = description;
  change(w);
  return w;
}

const isAssignment = (r: Json, principalId: string, roleGuid: string): boolean =>
  r.type === 'Microsoft.Authorization/roleAssignments' &&
  r.properties.principalId === principalId &&
  String(r.properties.roleDefinitionId).endsWith(roleGuid);

function dropAssignment(w: WorldInput, principalId: string, roleGuid: string): void {
  const before = w.resources.length;
  w.resources = w.resources.filter((r) => !isAssignment(r as Json, principalId, roleGuid));
  if (w.resources.length !== before - 1) throw new Error(`expected one assignment of ${roleGuid} to ${principalId}`);
}

export const add = (w: WorldInput, ...r: Json[]): void => {
  w.resources.push(...r.map(asResource));
};

/** Every world of the family, by file name (without `.json`). */
export function identityWorlds(): Record<string, WorldInput> {
  return {
    'identity-healthy-admin-disabled': healthyIdentity(),
    'identity-acr-pull-only': mutateIdentity(
      'identity-acr-pull-only: the workspace identity holds AcrPull, not AcrPush, on the registry whose admin user is disabled: image builds cannot push.',
      (w) => {
        dropAssignment(w, WS_PRINCIPAL, rid('AcrPush'));
        add(w, roleAssignment(ids.registry, rid('AcrPull'), WS_PRINCIPAL));
      },
    ),
    'identity-compute-no-identity': mutateIdentity(
      'identity-compute-no-identity: compute cluster gpu-train-cluster has no managed identity, so it cannot pull images from the registry without admin user.',
      (w) => {
        delete computeOf(w, 'gpu-train-cluster').identity;
        dropAssignment(w, COMPUTE_PRINCIPALS['gpu-train-cluster']!, rid('AcrPull'));
      },
    ),
    'identity-role-inherited': mutateIdentity(
      'identity-role-inherited: the workspace identity holds AcrPush at the subscription, which the registry inherits.',
      (w) => {
        dropAssignment(w, WS_PRINCIPAL, rid('AcrPush'));
        add(w, roleAssignment(`/subscriptions/${SUB}`, rid('AcrPush'), WS_PRINCIPAL));
      },
    ),
    'identity-group-role': mutateIdentity(
      'identity-group-role: the workspace identity is a member of group grp-mlops-builders, which holds AcrPush on the resource group.',
      (w) => {
        dropAssignment(w, WS_PRINCIPAL, rid('AcrPush'));
        add(w, roleAssignment(`/subscriptions/${SUB}/resourceGroups/${RG}`, rid('AcrPush'), GROUP, { principalType: 'Group' }));
        w.groups = [{ id: GROUP, displayName: 'grp-mlops-builders', members: [WS_PRINCIPAL] }];
      },
    ),
    'identity-custom-role': mutateIdentity(
      'identity-custom-role: the workspace identity holds a custom role granting Microsoft.ContainerRegistry/* on the resource group.',
      (w) => {
        dropAssignment(w, WS_PRINCIPAL, rid('AcrPush'));
        const guid = '5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1b20';
        add(
          w,
          roleDefinition(guid, 'MLOps registry operator', [{ actions: ['Microsoft.ContainerRegistry/*'] }], {
            type: 'CustomRole',
            assignableScopes: [`/subscriptions/${SUB}`],
          }),
          roleAssignment(`/subscriptions/${SUB}/resourceGroups/${RG}`, guid, WS_PRINCIPAL),
        );
      },
    ),
    'identity-custom-role-notactions': mutateIdentity(
      "identity-custom-role-notactions: the workspace identity's custom role grants Microsoft.ContainerRegistry/* but its notActions remove registries/push/write.",
      (w) => {
        dropAssignment(w, WS_PRINCIPAL, rid('AcrPush'));
        const guid = '5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1b21';
        add(
          w,
          roleDefinition(
            guid,
            'MLOps registry reader',
            [{ actions: ['Microsoft.ContainerRegistry/*'], notActions: ['Microsoft.ContainerRegistry/registries/push/write'] }],
            {
              type: 'CustomRole',
              assignableScopes: [`/subscriptions/${SUB}`],
            },
          ),
          roleAssignment(ids.registry, guid, WS_PRINCIPAL),
        );
      },
    ),
    'identity-deny-assignment': mutateIdentity(
      "identity-deny-assignment: a deployment stack's deny assignment on the resource group denies every write to everyone but its deployer, overriding the workspace identity's AcrPush.",
      (w) => {
        const name = 'c0d1e2f3-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
        const scope = `/subscriptions/${SUB}/resourceGroups/${RG}`;
        add(w, {
          id: `${scope}/providers/Microsoft.Authorization/denyAssignments/${name}`,
          type: 'Microsoft.Authorization/denyAssignments',
          name,
          properties: {
            denyAssignmentName: 'Deny assignment created by deployment stack stack-mlops-prod',
            description: 'Protects the resources of deployment stack stack-mlops-prod.',
            permissions: [{ actions: ['*'], notActions: ['*/read'], dataActions: [], notDataActions: [] }],
            scope,
            doNotApplyToChildScopes: false,
            principals: [{ id: '00000000-0000-0000-0000-000000000000', type: 'SystemDefined' }],
            excludePrincipals: [{ id: '6f1e2d3c-4b5a-4968-8776-655443322110', type: 'ServicePrincipal' }],
            isSystemProtected: true,
          },
        });
      },
    ),
    'identity-abac-legacy-roles': mutateIdentity(
      'identity-abac-legacy-roles: the registry uses ABAC repository permissions, where AcrPush and AcrPull are not honored; the identities hold only those.',
      (w) => {
        res(w, ids.registry).properties.roleAssignmentMode = 'AbacRepositoryPermissions';
      },
    ),
    'identity-abac-condition': mutateIdentity(
      'identity-abac-condition: on the ABAC registry the workspace identity holds Container Registry Repository Writer with a condition on the repository name; the computes hold Repository Reader.',
      (w) => {
        res(w, ids.registry).properties.roleAssignmentMode = 'AbacRepositoryPermissions';
        dropAssignment(w, WS_PRINCIPAL, rid('AcrPush'));
        for (const p of Object.values(COMPUTE_PRINCIPALS)) {
          dropAssignment(w, p, rid('AcrPull'));
          add(w, roleAssignment(ids.registry, rid('RepositoryReader'), p));
        }
        add(
          w,
          roleAssignment(ids.registry, rid('RepositoryWriter'), WS_PRINCIPAL, {
            condition: `((!(ActionMatches{'${REPO}/content/read'}) AND !(ActionMatches{'${REPO}/metadata/read'}) AND !(ActionMatches{'${REPO}/content/write'}) AND !(ActionMatches{'${REPO}/metadata/write'})) OR (@Request[${REPO}:name] StringStartsWithIgnoreCase 'azureml/'))`,
          }),
        );
      },
    ),
    'identity-storage-key-datastores': mutateIdentity(
      'identity-storage-key-datastores: the storage account disallows shared keys, and the workspace still reaches its system datastores with keys.',
      (w) => {
        res(w, ids.storage).properties.allowSharedKeyAccess = false;
        add(
          w,
          roleAssignment(ids.storage, rid('BlobContributor'), WS_PRINCIPAL),
          roleAssignment(ids.storage, rid('FilePrivilegedContributor'), WS_PRINCIPAL),
        );
      },
    ),
    'identity-storage-identity-datastores': mutateIdentity(
      'identity-storage-identity-datastores: the storage account disallows shared keys; the workspace uses identity for its system datastores and holds the blob and file data roles.',
      (w) => {
        res(w, ids.storage).properties.allowSharedKeyAccess = false;
        res(w, ids.workspace).properties.systemDatastoresAuthMode = 'identity';
        add(
          w,
          roleAssignment(ids.storage, rid('BlobContributor'), WS_PRINCIPAL),
          roleAssignment(ids.storage, rid('FilePrivilegedContributor'), WS_PRINCIPAL),
        );
      },
    ),
    'identity-storage-no-file-role': mutateIdentity(
      'identity-storage-no-file-role: the storage account disallows shared keys; the workspace uses identity but holds only the blob data role, not the file one.',
      (w) => {
        res(w, ids.storage).properties.allowSharedKeyAccess = false;
        res(w, ids.workspace).properties.systemDatastoresAuthMode = 'identity';
        add(w, roleAssignment(ids.storage, rid('BlobContributor'), WS_PRINCIPAL));
      },
    ),
    'identity-vault-rbac': mutateIdentity(
      'identity-vault-rbac: the key vault uses Azure RBAC, and the workspace identity holds Key Vault Administrator on it.',
      (w) => {
        const v = res(w, vaultId).properties;
        v.enableRbacAuthorization = true;
        v.accessPolicies = [];
        add(w, roleAssignment(vaultId, rid('KeyVaultAdministrator'), WS_PRINCIPAL));
      },
    ),
    'identity-vault-rbac-missing': mutateIdentity(
      'identity-vault-rbac-missing: the key vault was switched to Azure RBAC, and the workspace identity holds no role on it (its old access policy no longer counts).',
      (w) => {
        res(w, vaultId).properties.enableRbacAuthorization = true;
      },
    ),
    'identity-vault-policy-lost': mutateIdentity(
      "identity-vault-policy-lost: the key vault was redeployed from a template and lost the workspace identity's access policy.",
      (w) => {
        res(w, vaultId).properties.accessPolicies = [];
      },
    ),
    'identity-uai-missing-role': mutateIdentity(
      'identity-uai-missing-role: the workspace uses a user-assigned identity that holds Contributor on every resource of the table but the Application Insights component.',
      (w) => {
        const ws = res(w, ids.workspace);
        ws.identity = {
          type: 'SystemAssigned,UserAssigned',
          principalId: WS_PRINCIPAL,
          tenantId: TENANT,
          userAssignedIdentities: { [UAI]: { principalId: UAI_PRINCIPAL, clientId: '8a0b2c4d-6e8f-4a0b-8c2d-4e6f8a0b2c4e' } },
        };
        ws.properties.primaryUserAssignedIdentity = UAI;
        res(w, vaultId).properties.accessPolicies[0].objectId = UAI_PRINCIPAL;
        dropAssignment(w, WS_PRINCIPAL, rid('AcrPush'));
        add(w, ...[ids.workspace, ids.storage, vaultId, ids.registry].map((s) => roleAssignment(s, rid('Contributor'), UAI_PRINCIPAL)));
      },
    ),
    'identity-assignments-forbidden': mutateIdentity(
      'identity-assignments-forbidden: the auditing identity may not read role assignments (403 AuthorizationFailed).',
      (w) => {
        w.faults = [{ match: 'GET .*/providers/Microsoft.Authorization/roleAssignments$', status: 403 }];
      },
    ),
  };
}
