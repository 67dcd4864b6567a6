/**
 * A tenant for whole-tenant audits (`--management-group`, `--all-subscriptions`): four
 * subscriptions, three of them under two nested management groups, one of those disabled.
 *
 *   mg-contoso-ml                     sub-ml-platform (healthy)
 *   └─ mg-contoso-ml-prod             sub-ml-prod (Front Door blocked), sub-ml-legacy (Disabled: GPU build cluster)
 *   (no group)                        sub-analytics (rotated storage key)
 *
 * Each subscription holds one workspace, a copy of one committed world.
 */
import type { WorldInput } from '../../src/world/schema.js';
import { SUB } from './base.js';
import { buildWorlds } from './generate.js';

export const TENANT = {
  platform: SUB,
  prod: '8b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b',
  legacy: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
  analytics: 'c0ffee00-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
} as const;

const LAYOUT = [
  { sub: TENANT.platform, world: 'healthy-private', workspace: 'mlw-platform-weu', name: 'sub-ml-platform' },
  { sub: TENANT.prod, world: 'nsg-frontdoor-missing', workspace: 'mlw-prod-weu', name: 'sub-ml-prod' },
  { sub: TENANT.legacy, world: 'ibc-gpu-cluster', workspace: 'mlw-legacy-weu', name: 'sub-ml-legacy' },
  { sub: TENANT.analytics, world: 'keys-storage-rotated', workspace: 'mlw-analytics-weu', name: 'sub-analytics' },
] as const;

/** The workspace id of each subscription of the tenant. */
export function tenantWorkspaceId(sub: string): string {
  const l = LAYOUT.find((x) => x.sub === sub)!;
  return `/subscriptions/${l.sub}/resourceGroups/rg-mlops-prod-weu/providers/Microsoft.MachineLearningServices/workspaces/${l.workspace}`;
}

export function tenantWorld(): WorldInput {
  const worlds = buildWorlds();
  const resources: WorldInput['resources'] = [];
  const responses: NonNullable<WorldInput['responses']> = {};
  for (const l of LAYOUT) {
    const text = JSON.stringify(worlds[l.world]!).replaceAll(SUB, l.sub).replaceAll('mlw-mlops-prod-weu', l.workspace);
    const w = JSON.parse(text) as WorldInput;
    resources.push(...w.resources);
    Object.assign(responses, w.responses);
  }
  return {
    schemaVersion: 1,
    description: 'tenant: four subscriptions, three under two nested management groups (one Disabled), one workspace each',
    resources,
    responses,
    faults: [],
    subscriptions: LAYOUT.map((l) => ({
      subscriptionId: l.sub,
      displayName: l.name,
      state: l.sub === TENANT.legacy ? 'Disabled' : 'Enabled',
    })),
    managementGroups: [
      { name: 'mg-contoso-ml', displayName: 'Contoso ML', subscriptions: [TENANT.platform] },
      {
        name: 'mg-contoso-ml-prod',
        displayName: 'Contoso ML production',
        parent: 'mg-contoso-ml',
        subscriptions: [TENANT.prod, TENANT.legacy],
      },
    ],
  };
}
