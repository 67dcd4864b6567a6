/**
 * Deployments that change who may do what (`audit --what-if`, identity-access): each case is an
 * identity world plus ARM's what-if answer for a template that creates or deletes one role
 * assignment. Role assignments are extension resources
 * (`{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`); ARM's what-if gives their
 * body with `principalId`, `principalType` and `roleDefinitionId`, and no `scope` (the template's
 * `scope` says it).
 */
import type { WorldInput } from '../../src/world/schema.js';
import { ids, res, RG, SUB, type Json } from './base.js';
import { COMPUTE_PRINCIPALS, healthyIdentity, WS_PRINCIPAL } from './identity.js';
import { rid } from './identity-roles.js';
import { DEPLOYMENT, type WhatIfCase } from './what-if.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const GPU = COMPUTE_PRINCIPALS['gpu-train-cluster']!;
const BUILD = COMPUTE_PRINCIPALS['cpu-build-cluster']!;
const definition = (role: string): string => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`;

/** The healthy identity world without compute gpu-train-cluster's AcrPull on the registry. */
function gpuWithoutPull(): WorldInput {
  const w = healthyIdentity();
  w.resources = w.resources.filter(
    (r) => !(r.type === 'Microsoft.Authorization/roleAssignments' && (r as Json).properties.principalId === GPU),
  );
  return w;
}

/** A template of one role assignment (Bicep's `scope:` compiles to the `scope` property). */
function assignmentTemplate(scope: string | undefined, name: string, principalId: string, role: string): Json {
  return {
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.Authorization/roleAssignments',
        apiVersion: '2022-04-01',
        ...(scope ? { scope } : {}),
        name,
        properties: { roleDefinitionId: definition(role), principalId, principalType: 'ServicePrincipal' },
      },
    ],
  };
}

/** A role assignment as ARM's what-if gives it (`after` of a Create, `before` of a Delete). */
function assignmentBody(id: string, principalId: string, role: string): Json {
  return {
    apiVersion: '2022-04-01',
    id,
    name: id.split('/').pop(),
    type: 'Microsoft.Authorization/roleAssignments',
    properties: { roleDefinitionId: definition(role), principalId, principalType: 'ServicePrincipal' },
  };
}

function withWhatIf(world: WorldInput, description: string, template: Json, changes: Json[]): WhatIfCase {
  world.description = description;
  world.whatIf = { [DEPLOYMENT]: { changes: changes as never } };
  return { name: description.split(':')[0]!, description, world, template };
}

export function whatIfIdentityCases(): WhatIfCase[] {
  const atRegistry = `${ids.registry}/providers/Microsoft.Authorization/roleAssignments/5b0c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4`;
  const atGroup = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Authorization/roleAssignments/6c1d2e3f-4a5b-4c6d-9e7f-8091a2b3c4d5`;
  const live = healthyIdentity();
  const buildPull = live.resources.find(
    (r) => r.type === 'Microsoft.Authorization/roleAssignments' && (r as Json).properties.principalId === BUILD,
  ) as Json;
  const modified = (id: string, change: (after: Json) => void): Json => {
    const before = structuredClone(res(live, id));
    const after = structuredClone(before);
    change(after);
    return { resourceId: id, changeType: 'Modify', before, after };
  };
  const vault = res(live, ids.keyVault);
  return [
    withWhatIf(
      healthyIdentity(),
      'whatif-identity-disallows-shared-keys: the template sets allowSharedKeyAccess false on the storage account, and the workspace still reaches its system datastores with keys.',
      { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [] },
      [modified(ids.storage, (a) => (a.properties.allowSharedKeyAccess = false))],
    ),
    withWhatIf(
      healthyIdentity(),
      "whatif-identity-vault-policy-removed: the template removes the workspace identity's secret permissions from the key vault (accessPolicies/remove).",
      {
        $schema: SCHEMA,
        contentVersion: '1.0.0.0',
        resources: [
          {
            type: 'Microsoft.KeyVault/vaults/accessPolicies',
            apiVersion: '2023-07-01',
            name: 'kv-mlops-prod-weu/remove',
            properties: {
              accessPolicies: [
                { tenantId: vault.properties.tenantId, objectId: WS_PRINCIPAL, permissions: { secrets: ['set', 'delete'] } },
              ],
            },
          },
        ],
      },
      [
        {
          resourceId: `${ids.keyVault}/accessPolicies/remove`,
          changeType: 'Create',
          after: {
            id: `${ids.keyVault}/accessPolicies/remove`,
            name: 'remove',
            type: 'Microsoft.KeyVault/vaults/accessPolicies',
            properties: {
              accessPolicies: [
                { tenantId: vault.properties.tenantId, objectId: WS_PRINCIPAL, permissions: { secrets: ['set', 'delete'] } },
              ],
            },
          },
        },
      ],
    ),
    withWhatIf(
      gpuWithoutPull(),
      'whatif-identity-grants-acrpull: compute gpu-train-cluster lacks AcrPull on the registry without admin user; the template assigns it there.',
      assignmentTemplate(`Microsoft.ContainerRegistry/registries/crmlopsprodweu`, atRegistry.split('/').pop()!, GPU, rid('AcrPull')),
      [{ resourceId: atRegistry, changeType: 'Create', after: assignmentBody(atRegistry, GPU, rid('AcrPull')) }],
    ),
    withWhatIf(
      gpuWithoutPull(),
      'whatif-identity-grants-acrpull-rg: the template assigns compute gpu-train-cluster AcrPull on the resource group, which the registry inherits.',
      assignmentTemplate(undefined, atGroup.split('/').pop()!, GPU, rid('AcrPull')),
      [{ resourceId: atGroup, changeType: 'Create', after: assignmentBody(atGroup, GPU, rid('AcrPull')) }],
    ),
    withWhatIf(
      live,
      "whatif-identity-deletes-acrpull: a complete-mode deployment deletes compute cpu-build-cluster's AcrPull on the registry without admin user.",
      { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [] },
      [{ resourceId: buildPull.id, changeType: 'Delete', before: structuredClone(buildPull) }],
    ),
    withWhatIf(
      gpuWithoutPull(),
      'whatif-identity-unevaluated-principal: the template assigns AcrPull to a principal ARM cannot evaluate before the deployment (a reference to an identity it creates).',
      assignmentTemplate(undefined, atGroup.split('/').pop()!, "[reference(parameters('identity')).principalId]", rid('AcrPull')),
      [
        {
          resourceId: atGroup,
          changeType: 'Create',
          after: assignmentBody(atGroup, "[reference(parameters('identity')).principalId]", rid('AcrPull')),
        },
      ],
    ),
  ];
}
