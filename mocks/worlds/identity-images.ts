/**
 * Identity worlds for custom images from another registry (`identity-access` condition 5, run with
 * `--image crsharedimagesweu.azurecr.io/…`): the healthy identity world plus a shared image registry
 * in another subscription of the tenant. Without `--image` every check sees the healthy identity
 * world; the images come from the tests.
 */
import type { WorldInput } from '../../src/world/schema.js';
import { type Json } from './base.js';
import { add, COMPUTE_PRINCIPALS, mutateIdentity } from './identity.js';
import { rid, roleAssignment } from './identity-roles.js';

/** The platform team's subscription, holding the registry every workspace takes its base images from. */
export const SHARED_SUB = '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const SHARED_REGISTRY = `/subscriptions/${SHARED_SUB}/resourceGroups/rg-platform-images/providers/Microsoft.ContainerRegistry/registries/crsharedimagesweu`;
export const SHARED_LOGIN_SERVER = 'crsharedimagesweu.azurecr.io';
export const SHARED_IMAGE = `${SHARED_LOGIN_SERVER}/platform/pytorch-base:2.3-cuda12.1`;

/** The shared registry as `GET /subscriptions/{s}/providers/Microsoft.ContainerRegistry/registries` lists it. */
function sharedRegistry(): Json {
  return {
    id: SHARED_REGISTRY,
    name: 'crsharedimagesweu',
    type: 'Microsoft.ContainerRegistry/registries',
    location: 'westeurope',
    sku: { name: 'Premium', tier: 'Premium' },
    tags: { owner: 'platform-team' },
    properties: {
      loginServer: SHARED_LOGIN_SERVER,
      creationDate: '2026-03-02T08:11:40.1220000Z',
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      networkRuleSet: { defaultAction: 'Allow', ipRules: [] },
      dataEndpointEnabled: false,
      dataEndpointHostNames: [],
      privateEndpointConnections: [],
      publicNetworkAccess: 'Enabled',
      networkRuleBypassOptions: 'AzureServices',
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: false,
      roleAssignmentMode: 'LegacyRegistryPermissions',
    },
  };
}

/** An assignment in the shared subscription names its role definition there, as ARM writes it. */
function sharedAssignment(roleGuid: string, principalId: string): Json {
  const a = roleAssignment(SHARED_REGISTRY, roleGuid, principalId);
  a.properties.roleDefinitionId = `/subscriptions/${SHARED_SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
  return a;
}

/** The healthy identity world with the shared registry; each compute identity holds AcrPull on it, but `without`. */
function withSharedRegistry(description: string, without?: string): WorldInput {
  return mutateIdentity(description, (w) => {
    add(
      w,
      sharedRegistry(),
      ...Object.entries(COMPUTE_PRINCIPALS)
        .filter(([name]) => name !== without)
        .map(([, p]) => sharedAssignment(rid('AcrPull'), p)),
    );
  });
}

export function identityImageWorlds(): Record<string, WorldInput> {
  const forbidden = withSharedRegistry(
    'identity-image-registry-forbidden: the auditing identity may not list the registries of the shared subscription (403), so whether the computes can pull its images cannot be decided.',
  );
  forbidden.faults = [{ match: `GET /subscriptions/${SHARED_SUB}/providers/Microsoft.ContainerRegistry/registries$`, status: 403 }];
  return {
    'identity-image-registry': withSharedRegistry(
      'identity-image-registry: base images come from registry crsharedimagesweu in another subscription, and every compute identity holds AcrPull on it.',
    ),
    'identity-image-registry-no-pull': withSharedRegistry(
      'identity-image-registry-no-pull: base images come from registry crsharedimagesweu in another subscription, and the identity of compute gpu-train-cluster holds no AcrPull on it.',
      'gpu-train-cluster',
    ),
    'identity-image-registry-forbidden': forbidden,
  };
}
