/** Generated subscriptions of many workspaces, for scale tests and the bench. */
import type { WorldInput } from '../../src/world/schema.js';
import { type Json, P, SUB } from './base.js';
import { buildWorlds } from './generate.js';

/** The defect variants a generated subscription mixes in (each confined to its own VNet group). */
export const SUBSCRIPTION_VARIANTS = [
  'healthy-private',
  'ibc-gpu-cluster',
  'healthy-private',
  'nsg-frontdoor-missing',
  'keys-storage-rotated',
  'healthy-private',
  'dns-zone-not-linked',
  'placement-unpeered-endpoint-vnet',
] as const;

/** The k-th generated subscription id (the 0th is the committed worlds' SUB). */
export function generatedSubscription(k: number): string {
  return k === 0 ? SUB : `${SUB.slice(0, -4)}${(0x6a7b + k).toString(16)}`;
}

/**
 * A subscription of `count` workspaces for scale tests and the bench: workspaces come in VNet
 * groups that share a VNet, an NSG and the privatelink zones (as real estates do); each group is a
 * copy of one variant world, so every workspace's expected verdicts are that world's. With
 * `subscriptions` > 1 the groups are dealt to that many subscriptions, all under the management
 * group `mg-generated` (whole-tenant audits).
 */
export function subscriptionWorld(
  count: number,
  options: { groupSize?: number; subscriptions?: number } = {},
): { world: WorldInput; variantOf: Map<string, string> } {
  const groupSize = options.groupSize ?? 10;
  const subscriptions = options.subscriptions ?? 1;
  const worlds = buildWorlds();
  const resources = new Map<string, Json>();
  const responses: Record<string, unknown> = {};
  const variantOf = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const g = Math.floor(i / groupSize);
    const variant = SUBSCRIPTION_VARIANTS[g % SUBSCRIPTION_VARIANTS.length]!;
    const sub = generatedSubscription(g % subscriptions);
    const text = JSON.stringify(worlds[variant]!)
      .replaceAll(SUB, sub)
      .replaceAll('mlw-mlops-prod-weu', `mlw-team${i}-weu`)
      .replaceAll('stmlopsprodweu', `stteam${i}weu`)
      .replaceAll('crmlopsprodweu', `crteam${i}weu`)
      .replaceAll('vnet-mlops-prod-weu', `vnet-group${g}-weu`)
      .replaceAll('vnet-mlops-build-weu', `vnet-group${g}-build`)
      .replaceAll('vnet-mlops-data-weu', `vnet-group${g}-data`)
      .replaceAll('nsg-mlops-training-weu', `nsg-group${g}-weu`)
      .replaceAll('rt-mlops-training-weu', `rt-group${g}-weu`);
    const w = JSON.parse(text) as WorldInput;
    for (const r of w.resources) if (!resources.has(r.id.toLowerCase())) resources.set(r.id.toLowerCase(), r);
    Object.assign(responses, w.responses);
    variantOf.set(`${P.replace(SUB, sub)}/Microsoft.MachineLearningServices/workspaces/mlw-team${i}-weu`, variant);
  }
  return {
    world: {
      schemaVersion: 1,
      description: `subscription-${count}: ${count} workspaces in VNet groups of ${groupSize}, defects mixed in`,
      resources: [...resources.values()] as WorldInput['resources'],
      responses: responses as WorldInput['responses'],
      faults: [],
      ...(subscriptions > 1
        ? {
            managementGroups: [
              { name: 'mg-generated', subscriptions: Array.from({ length: subscriptions }, (_, k) => generatedSubscription(k)) },
            ],
          }
        : {}),
    },
    variantOf,
  };
}
