/** The shared parts of every world: ids, secrets, and builders of ARM resources in the shapes Microsoft documents. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WorldInput } from '../../src/world/schema.js';
import { packageRoot } from '../../src/base/paths.js';

export * from './ids.js';
export * from './private-link.js';
import { LOCATION, SUB, fakeSecret, ids, type Json } from './ids.js';

export const secrets = {
  storageKey1: fakeSecret('stmlopsprodweu/key1'),
  storageKey2: fakeSecret('stmlopsprodweu/key2'),
  registryPassword: fakeSecret('crmlopsprodweu/password', 52),
  registryPassword2: fakeSecret('crmlopsprodweu/password2', 52),
  storageKey1Rotated: fakeSecret('stmlopsprodweu/key1-after-rotation'),
  registryPasswordRotated: fakeSecret('crmlopsprodweu/password-after-rotation', 52),
  appInsightsKey: fakeSecret('appi-mlops-prod-weu/instrumentation', 36),
};

export function asResource(r: Json): WorldInput['resources'][number] {
  return r as WorldInput['resources'][number];
}

export function fixture(path: string): Json {
  return JSON.parse(readFileSync(join(packageRoot, 'mocks', 'fixtures', path), 'utf8')) as Json;
}

/** The six default rules ARM puts on every NSG, from Microsoft's example, re-homed under our NSG id. */
export function defaultSecurityRules(nsgId: string): Json[] {
  const example = fixture('NetworkSecurityGroupGet.json');
  return (example.responses['200'].body.properties.defaultSecurityRules as Json[]).map((r) => ({
    ...r,
    id: `${nsgId}/defaultSecurityRules/${r.name}`,
  }));
}

/** `serviceTags.list(location)` as ARM answers it, built from Microsoft's public tag files. */
export function serviceTagsResponse(): Json {
  const dir = join(packageRoot, 'mocks', 'fixtures', 'service-tags');
  const values = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const t = fixture(`service-tags/${f}`);
      return {
        name: t.name,
        id: t.id,
        properties: {
          changeNumber: String(t.properties.changeNumber),
          region: t.properties.region ?? '',
          state: 'GA',
          systemService: t.properties.systemService ?? '',
          addressPrefixes: t.properties.addressPrefixes,
          networkFeatures: t.properties.networkFeatures,
        },
      };
    });
  return {
    name: 'Public',
    id: `/subscriptions/${SUB}/providers/Microsoft.Network/serviceTags/Public`,
    type: 'Microsoft.Network/serviceTags',
    changeNumber: '312',
    cloud: 'Public',
    values,
  };
}

export function rule(nsgId: string, name: string, p: Json): Json {
  return {
    name,
    id: `${nsgId}/securityRules/${name}`,
    etag: 'W/"00000000-0000-0000-0000-000000000000"',
    type: 'Microsoft.Network/networkSecurityGroups/securityRules',
    properties: { provisioningState: 'Succeeded', sourcePortRange: '*', ...p },
  };
}

export function subnet(id: string, addressPrefix: string, extra: Json = {}): Json {
  return {
    name: id.split('/').pop(),
    id,
    type: 'Microsoft.Network/virtualNetworks/subnets',
    properties: {
      provisioningState: 'Succeeded',
      addressPrefix,
      privateEndpointNetworkPolicies: 'Disabled',
      privateLinkServiceNetworkPolicies: 'Enabled',
      ...extra,
    },
  };
}

export function compute(
  name: string,
  computeType: 'AmlCompute' | 'ComputeInstance',
  vmSize: string,
  subnetId: string | null,
  provisioningState = 'Succeeded',
): Json {
  const inner: Json =
    computeType === 'AmlCompute'
      ? {
          vmSize,
          vmPriority: 'Dedicated',
          osType: 'Linux',
          isolatedNetwork: false,
          subnet: subnetId ? { id: subnetId } : null,
          scaleSettings: { maxNodeCount: 4, minNodeCount: 0, nodeIdleTimeBeforeScaleDown: 'PT10M' },
          remoteLoginPortPublicAccess: 'Disabled',
          allocationState: 'Steady',
          allocationStateTransitionTime: '2026-11-02T08:14:11.412Z',
          errors: null,
          currentNodeCount: 0,
          targetNodeCount: 0,
          nodeStateCounts: {
            preparingNodeCount: 0,
            runningNodeCount: 0,
            idleNodeCount: 0,
            unusableNodeCount: 0,
            leavingNodeCount: 0,
            preemptedNodeCount: 0,
          },
          enableNodePublicIp: false,
        }
      : {
          vmSize,
          subnet: subnetId ? { id: subnetId } : null,
          applicationSharingPolicy: 'Personal',
          sshSettings: { sshPublicAccess: 'Disabled' },
          state: 'Running',
          enableNodePublicIp: false,
        };
  return {
    id: `${ids.computes}/${name}`,
    type: 'Microsoft.MachineLearningServices/workspaces/computes',
    name,
    location: LOCATION,
    properties: {
      description: computeType === 'AmlCompute' ? `${name} cluster` : `${name} instance`,
      createdOn: '2026-10-12T09:30:00.0000000+00:00',
      modifiedOn: '2026-11-02T08:14:11.0000000+00:00',
      computeType,
      provisioningState,
      disableLocalAuth: true,
      properties: inner,
    },
  };
}

export interface DiagnoseItem {
  code: string;
  level: 'Error' | 'Warning' | 'Information';
  message: string;
}

/** The diagnose answer with every one of the nine lists present. */
export function diagnoseAnswer(items: Partial<Record<string, DiagnoseItem[]>>): Json {
  const lists = [
    'userDefinedRouteResults',
    'networkSecurityRuleResults',
    'resourceLockResults',
    'dnsResolutionResults',
    'storageAccountResults',
    'keyVaultResults',
    'containerRegistryResults',
    'applicationInsightsResults',
    'otherResults',
  ];
  return { value: Object.fromEntries(lists.map((l) => [l, items[l] ?? []])) };
}

/** Finds a resource of a world by id (case-insensitively) for a mutation. */
export function res(world: WorldInput, id: string): Json {
  const r = world.resources.find((x) => x.id.toLowerCase() === id.toLowerCase());
  if (!r) throw new Error(`no resource ${id} in the world`);
  return r;
}

export function computeOf(world: WorldInput, name: string): Json {
  return res(world, `${ids.computes}/${name}`);
}

/** A VNet peering from `from` to `to`, in the state given, as ARM embeds it in its VNet. */
export function vnetPeering(from: string, to: string, state: string, remoteSpace: string): Json {
  return {
    name: `peer-${to.split('/').pop()}`,
    id: `${from}/virtualNetworkPeerings/peer-${to.split('/').pop()}`,
    type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
    properties: {
      provisioningState: 'Succeeded',
      peeringState: state,
      peeringSyncLevel: 'FullyInSync',
      remoteVirtualNetwork: { id: to },
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: false,
      allowGatewayTransit: false,
      useRemoteGateways: false,
      remoteAddressSpace: { addressPrefixes: [remoteSpace] },
    },
  };
}
