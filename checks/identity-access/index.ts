/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-identity-based-service-authentication
 * https://learn.microsoft.com/azure/container-registry/container-registry-rbac-abac-repository-permissions
 * https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage
 * https://learn.microsoft.com/azure/key-vault/general/rbac-guide
 *
 * The identities that image builds and jobs use hold what Microsoft's docs require, decided by an
 * exact evaluation of the role assignments, role definitions and deny assignments ARM holds
 * (`src/identity/rbac.ts`): with the registry's admin user disabled, the workspace identity can push
 * and pull and every compute can pull; with shared keys disallowed on the storage account, the
 * workspace reaches its system datastores by identity and holds the data roles; the workspace
 * identity can use its key vault (RBAC or access policy); a user-assigned workspace identity holds
 * every role of Microsoft's table. What cannot be decided (a condition on the request, a group whose
 * membership is unknown, a 403 on the assignments) is a warning with the reason, never a pass.
 */
import { defineCheck } from '../../src/engine/check.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import {
  ACR_PULL,
  ACR_PUSH,
  action,
  decideNeed,
  defaultIdentity,
  type Messages,
  nameOf,
  type Need,
  POLICY_SECRETS,
  REPO_PULL,
  REPO_PUSH,
  STORAGE_DATA,
  VAULT_DATA,
} from './needs.js';
import { IMAGE_MESSAGES, imageRegistryNeeds } from './images.js';

export default defineCheck<Messages>({
  meta: {
    id: 'identity-access',
    title: 'The identities that image builds and jobs use hold the roles Microsoft documents',
    severity: 'error',
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-identity-based-service-authentication',
      'https://learn.microsoft.com/azure/container-registry/container-registry-rbac-abac-repository-permissions',
      'https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage',
      'https://learn.microsoft.com/azure/key-vault/general/rbac-guide',
      'https://learn.microsoft.com/azure/role-based-access-control/overview',
    ],
    reads: [
      'workspace (its identities, systemDatastoresAuthMode) and its computes (their identities)',
      'container registry, storage account, key vault (permission model, access policies)',
      'role assignments of each identity (assignedTo), the role definitions they name, deny assignments',
      'with --image from another Azure registry: the subscriptions readable and their registries, to find it',
    ],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.KeyVault/vaults/read',
      'Microsoft.Authorization/roleAssignments/read',
      'Microsoft.Authorization/roleDefinitions/read',
      'Microsoft.Authorization/denyAssignments/read',
      // --image from another registry: the subscriptions to search for it.
      'Microsoft.Resources/subscriptions/read',
    ],
    messages: {
      missing: '{{who}} cannot {{permission}} on {{resource}} ({{why}}): {{decided}}.',
      undecidable: 'Whether {{who}} can {{permission}} on {{resource}} ({{why}}) cannot be decided: {{reason}}.',
      unreadable: 'The role assignments of {{who}} could not be read ({{reason}}), so its access to {{resource}} cannot be decided.',
      noWorkspaceIdentity: 'Workspace {{workspace}} has no managed identity, and {{why}}.',
      computeNoIdentity:
        'Compute {{compute}} has no managed identity: with the admin user of registry {{registry}} disabled, it cannot pull images.',
      keyBasedDatastores:
        'Storage account {{storage}} disallows shared keys, and workspace {{workspace}} reaches its system datastores with keys (systemDatastoresAuthMode: {{mode}}).',
      noAccessPolicy: 'Key vault {{vault}} uses access policies, and {{who}} {{what}}.',
      ...IMAGE_MESSAGES,
    },
  },
  async run(ctx) {
    const opts = { abortSignal: ctx.abortSignal };
    const inv = ctx.inventory;
    const ws = await inv.workspace(ctx.workspaceId, opts);
    const wsName = ws.name ?? nameOf(ctx.workspaceId);
    const identity = ws.identity;
    const uais = Object.entries(identity?.userAssignedIdentities ?? {});
    const primary = ws.primaryUserAssignedIdentity
      ? uais.find(([id]) => id.toLowerCase() === ws.primaryUserAssignedIdentity!.toLowerCase())
      : undefined;
    // The workspace uses its primary user-assigned identity when it names one, else the system-assigned one.
    const wsPrincipal = primary?.[1].principalId ?? (/systemassigned/i.test(identity?.type ?? '') ? identity?.principalId : undefined);
    const wsWho = primary ? `the user-assigned identity ${nameOf(primary[0])} of workspace ${wsName}` : `workspace ${wsName}`;
    const needs: Need[] = [];
    let applicable = false;

    const registryId = ws.containerRegistry;
    if (registryId) {
      const registry = await inv.registry(registryId, opts);
      if (registry.adminUserEnabled !== true) {
        applicable = true;
        const abac = /abac/i.test(registry.roleAssignmentMode ?? '');
        const why = `the registry's admin user is disabled, so Azure ML builds and pulls images with managed identities${abac ? ' (ABAC repository permissions)' : ''}`;
        if (!wsPrincipal) {
          ctx.report({
            messageId: 'noWorkspaceIdentity',
            data: { workspace: wsName, why: `registry ${nameOf(registryId)} has its admin user disabled` },
            resourceId: ctx.workspaceId,
            evidence: { workspaceIdentity: identity?.type ?? 'None', registry: registryId },
            remediation: `Give the workspace a managed identity: az ml workspace update --name ${wsName} --resource-group ${parseResourceId(ctx.workspaceId).resourceGroup ?? '<rg>'} --system-assigned-identity true (or enable the admin user: az acr update --name ${nameOf(registryId)} --admin-enabled true)`,
          });
        } else {
          needs.push({
            who: wsWho,
            principalId: wsPrincipal,
            scope: registryId,
            permissions: abac ? [...REPO_PUSH, ...REPO_PULL] : [...ACR_PUSH, ...ACR_PULL],
            why,
          });
        }
        const computes = await inv.computeIdentities(ctx.workspaceId, opts);
        for (const c of computes.filter((x) => /^(amlcompute|computeinstance)$/i.test(x.computeType))) {
          const principal = defaultIdentity(c);
          if (!principal) {
            ctx.report({
              messageId: 'computeNoIdentity',
              data: { compute: c.name, registry: nameOf(registryId) },
              resourceId: c.id,
              evidence: { computeType: c.computeType, identityType: c.identityType, registry: registryId, adminUserEnabled: false },
              remediation: `az ml compute update --name ${c.name} --workspace-name ${wsName} --resource-group ${parseResourceId(ctx.workspaceId).resourceGroup ?? '<rg>'} --identity-type SystemAssigned (Azure ML then grants it AcrPull on the workspace registry; assign it yourself if the registry came later)`,
            });
            continue;
          }
          needs.push({
            who: `compute ${c.name}`,
            principalId: principal,
            scope: registryId,
            permissions: abac ? REPO_PULL : ACR_PULL,
            why,
          });
        }
      }
    }

    const storageId = ws.storageAccount;
    if (storageId) {
      const storage = await inv.storageAccount(storageId, opts);
      if (storage.allowSharedKeyAccess === false) {
        applicable = true;
        const wi = await inv.workspaceIdentity(ctx.workspaceId, opts);
        const mode = wi.systemDatastoresAuthMode ?? 'accessKey';
        if (!/^identity$/i.test(mode)) {
          ctx.report({
            messageId: 'keyBasedDatastores',
            data: { storage: nameOf(storageId), workspace: wsName, mode },
            resourceId: ctx.workspaceId,
            evidence: { allowSharedKeyAccess: false, systemDatastoresAuthMode: mode, storageAccount: storageId },
            remediation: `az ml workspace update --name ${wsName} --resource-group ${parseResourceId(ctx.workspaceId).resourceGroup ?? '<rg>'} --system-datastores-auth-mode identity`,
          });
        }
        if (wsPrincipal) {
          needs.push({
            who: wsWho,
            principalId: wsPrincipal,
            scope: storageId,
            permissions: STORAGE_DATA,
            why: 'the storage account disallows shared keys, so the system datastores are reached by identity',
          });
        }
      }
    }

    const vaultId = ws.keyVault;
    // A vault ARM does not know (404) is no identity matter: the vault part does not apply.
    const vault =
      vaultId && wsPrincipal
        ? await inv.keyVault(vaultId, opts).catch((err: unknown) => {
            if ((err as { statusCode?: number }).statusCode !== 404) throw err;
            ctx.note(`key vault ${nameOf(vaultId)} was not found (404): its access is not evaluated`);
            return undefined;
          })
        : undefined;
    if (vault && wsPrincipal) {
      applicable = true;
      if (vault.enableRbacAuthorization) {
        needs.push({
          who: wsWho,
          principalId: wsPrincipal,
          scope: vault.id,
          permissions: VAULT_DATA,
          why: 'the key vault uses Azure RBAC',
        });
      } else {
        const policy = vault.accessPolicies.find((p) => p.objectId.toLowerCase() === wsPrincipal.toLowerCase());
        const granted = new Set((policy?.permissions.secrets ?? []).map((s) => s.toLowerCase()));
        const lacking = granted.has('all') ? [] : POLICY_SECRETS.filter((s) => !granted.has(s));
        if (!policy || lacking.length > 0) {
          ctx.report({
            messageId: 'noAccessPolicy',
            data: {
              vault: vault.name,
              who: wsWho,
              what: policy ? `has an access policy without the secret permissions ${lacking.join(', ')}` : 'has no access policy',
            },
            resourceId: vault.id,
            evidence: {
              principalId: wsPrincipal,
              enableRbacAuthorization: false,
              secretPermissions: [...granted],
              lacking: policy ? lacking : POLICY_SECRETS,
            },
            remediation: `az keyvault set-policy --name ${vault.name} --object-id ${wsPrincipal} --secret-permissions get list set delete recover backup restore --key-permissions get list create update --certificate-permissions get list`,
          });
        }
      }
    }

    // Microsoft's table of roles for a user-assigned workspace identity: Contributor on each resource.
    if (primary && wsPrincipal) {
      applicable = true;
      const table: [string | undefined, string][] = [
        [ctx.workspaceId, 'Microsoft.MachineLearningServices/workspaces/write'],
        [storageId, 'Microsoft.Storage/storageAccounts/write'],
        [vaultId, 'Microsoft.KeyVault/vaults/write'],
        [registryId, 'Microsoft.ContainerRegistry/registries/write'],
        [ws.applicationInsights, 'Microsoft.Insights/components/write'],
      ];
      for (const [scope, act] of table) {
        if (scope)
          needs.push({
            who: wsWho,
            principalId: wsPrincipal,
            scope,
            permissions: [action(act)],
            why: 'the table for a user-assigned workspace identity lists Contributor',
            role: 'Contributor',
          });
      }
    }

    // Condition 5: --image references from another Azure registry.
    const imageNeeds = await imageRegistryNeeds(ctx, {
      wsName,
      wsWho,
      wsPrincipal,
      ownLoginServer: registryId ? (await inv.registry(registryId, opts)).loginServer?.toLowerCase() : undefined,
      imageBuildCompute: ws.imageBuildCompute,
    });
    if (imageNeeds) {
      applicable = true;
      needs.push(...imageNeeds);
    }

    for (const need of needs) await decideNeed(ctx, need);
    if (!applicable) {
      return ctx.skip(
        wsPrincipal
          ? "no identity needs a role here: the registry's admin user is enabled, the storage account allows shared keys, no key vault was found, and the workspace has no user-assigned identity"
          : "the workspace has no managed identity, and nothing requires one (the registry's admin user is enabled, the storage account allows shared keys)",
      );
    }
    return undefined;
  },
});
