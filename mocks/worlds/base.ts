/** The shared parts of every world: ids, secrets, and builders of ARM resources in the shapes Microsoft documents. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WorldInput } from '../../src/world/schema.js';
import { packageRoot } from '../../src/base/paths.js';

export const SUB = '3f2e4d5c-6b7a-4988-9a1b-2c3d4e5f6a7b';

export const RG = 'rg-mlops-prod-weu';

export const LOCATION = 'westeurope';

/** The workspace's `workspaceId`: the GUID its private endpoint's DNS records are named after. */
export const WORKSPACE_GUID = '5b0f8c21-9d3e-4a7f-8e61-2c4d7a9b3e10';

export const P = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;

export const ids = {
  workspace: `${P}/Microsoft.MachineLearningServices/workspaces/mlw-mlops-prod-weu`,
  storage: `${P}/Microsoft.Storage/storageAccounts/stmlopsprodweu`,
  registry: `${P}/Microsoft.ContainerRegistry/registries/crmlopsprodweu`,
  keyVault: `${P}/Microsoft.KeyVault/vaults/kv-mlops-prod-weu`,
  appInsights: `${P}/Microsoft.Insights/components/appi-mlops-prod-weu`,
  vnet: `${P}/Microsoft.Network/virtualNetworks/vnet-mlops-prod-weu`,
  trainingSubnet: `${P}/Microsoft.Network/virtualNetworks/vnet-mlops-prod-weu/subnets/snet-training`,
  endpointsSubnet: `${P}/Microsoft.Network/virtualNetworks/vnet-mlops-prod-weu/subnets/snet-endpoints`,
  buildVnet: `${P}/Microsoft.Network/virtualNetworks/vnet-mlops-build-weu`,
  buildSubnet: `${P}/Microsoft.Network/virtualNetworks/vnet-mlops-build-weu/subnets/snet-build`,
  nsg: `${P}/Microsoft.Network/networkSecurityGroups/nsg-mlops-training-weu`,
  routeTable: `${P}/Microsoft.Network/routeTables/rt-mlops-training-weu`,
  peRegistry: `${P}/Microsoft.Network/privateEndpoints/pe-crmlopsprodweu-registry`,
  peBlob: `${P}/Microsoft.Network/privateEndpoints/pe-stmlopsprodweu-blob`,
  peFile: `${P}/Microsoft.Network/privateEndpoints/pe-stmlopsprodweu-file`,
  computes: `${P}/Microsoft.MachineLearningServices/workspaces/mlw-mlops-prod-weu/computes`,
  peWorkspace: `${P}/Microsoft.Network/privateEndpoints/pe-mlw-mlops-prod-weu`,
  zoneAcr: `${P}/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`,
  zoneBlob: `${P}/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`,
  zoneFile: `${P}/Microsoft.Network/privateDnsZones/privatelink.file.core.windows.net`,
  zoneApi: `${P}/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms`,
  zoneNotebooks: `${P}/Microsoft.Network/privateDnsZones/privatelink.notebooks.azure.net`,
  dataVnet: `${P}/Microsoft.Network/virtualNetworks/vnet-mlops-data-weu`,
  dataSubnet: `${P}/Microsoft.Network/virtualNetworks/vnet-mlops-data-weu/subnets/snet-data`,
} as const;

/** Deterministic, realistic-looking secrets: distinct per label, so a leak test can grep for each. */
export function fakeSecret(label: string, length = 88): string {
  return createHash('sha512').update(`aml-preflight-world:${label}`).digest('base64').slice(0, length);
}

export const secrets = {
  storageKey1: fakeSecret('stmlopsprodweu/key1'),
  storageKey2: fakeSecret('stmlopsprodweu/key2'),
  registryPassword: fakeSecret('crmlopsprodweu/password', 52),
  registryPassword2: fakeSecret('crmlopsprodweu/password2', 52),
  storageKey1Rotated: fakeSecret('stmlopsprodweu/key1-after-rotation'),
  registryPasswordRotated: fakeSecret('crmlopsprodweu/password-after-rotation', 52),
  appInsightsKey: fakeSecret('appi-mlops-prod-weu/instrumentation', 36),
};

// Free-form ARM JSON: the world schema validates every world built from it.
export type Json = Record<string, any>;

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

export function privateEndpoint(id: string, targetId: string, groupId: string, subnetId: string, status = 'Approved'): Json {
  const name = id.split('/').pop();
  return {
    name,
    id,
    type: 'Microsoft.Network/privateEndpoints',
    location: LOCATION,
    properties: {
      provisioningState: 'Succeeded',
      privateLinkServiceConnections: [
        {
          name: `${name}-connection`,
          id: `${id}/privateLinkServiceConnections/${name}-connection`,
          properties: {
            provisioningState: 'Succeeded',
            privateLinkServiceId: targetId,
            groupIds: [groupId],
            privateLinkServiceConnectionState: {
              status,
              description: status === 'Approved' ? 'Auto-Approved' : 'Awaiting approval',
              actionsRequired: 'None',
            },
          },
        },
      ],
      manualPrivateLinkServiceConnections: [],
      subnet: { id: subnetId },
      networkInterfaces: [
        {
          id: `${P}/Microsoft.Network/networkInterfaces/${name}.nic.${fakeSecret(String(name), 8)
            .replace(/[^a-z0-9]/gi, 'a')
            .toLowerCase()}`,
        },
      ],
      customDnsConfigs: [],
    },
  };
}

export function dnsZone(id: string): Json {
  return {
    id,
    name: id.split('/').pop(),
    type: 'Microsoft.Network/privateDnsZones',
    location: 'global',
    etag: '00000000-0000-0000-0000-000000000000',
    properties: {
      maxNumberOfRecordSets: 25000,
      numberOfRecordSets: 3,
      numberOfVirtualNetworkLinks: 1,
      numberOfVirtualNetworkLinksWithRegistration: 0,
      provisioningState: 'Succeeded',
    },
  };
}

export function zoneLink(zoneId: string, vnetId: string, state = 'Completed'): Json {
  const name = `link-${vnetId.split('/').pop()}`;
  return {
    id: `${zoneId}/virtualNetworkLinks/${name}`,
    name,
    type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
    location: 'global',
    properties: {
      virtualNetwork: { id: vnetId },
      registrationEnabled: false,
      virtualNetworkLinkState: state,
      provisioningState: 'Succeeded',
    },
  };
}

/**
 * A private endpoint's DNS zone group, shaped like Microsoft's PrivateEndpointDnsZoneGroupGet
 * example: one zone config, or several (`more`, the workspace's two zones).
 */
export function zoneGroup(peId: string, zoneId: string, records: [string, string][], ...more: [string, [string, string][]][]): Json {
  return {
    id: `${peId}/privateDnsZoneGroups/default`,
    name: 'default',
    type: 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups',
    properties: {
      provisioningState: 'Succeeded',
      privateDnsZoneConfigs: [[zoneId, records] as [string, [string, string][]], ...more].map(([zone, sets]) => ({
        name: zone.split('/').pop()!.replace(/\./g, '-'),
        properties: {
          privateDnsZoneId: zone,
          recordSets: sets.map(([name, ip]) => ({
            recordType: 'A',
            recordSetName: name,
            fqdn: `${name}.${zone.split('/').pop()}`,
            provisioningState: 'Succeeded',
            ttl: 10,
            ipAddresses: [ip],
          })),
        },
      })),
    },
  };
}

export function connection(targetId: string, peId: string, status = 'Approved', description = 'Auto-Approved'): Json {
  const name = `${peId.split('/').pop()}.${fakeSecret(peId, 8)
    .replace(/[^a-z0-9]/gi, '0')
    .toLowerCase()}`;
  return {
    id: `${targetId}/privateEndpointConnections/${name}`,
    name,
    type: `${targetId.split('/providers/')[1]!.split('/').slice(0, 2).join('/')}/privateEndpointConnections`,
    properties: {
      provisioningState: 'Succeeded',
      privateEndpoint: { id: peId },
      privateLinkServiceConnectionState: { status, description, actionsRequired: 'None' },
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
