/**
 * Builds the committed worlds in `mocks/worlds/`: one healthy private workspace, and one world per
 * defect made from it by a single mutation (STYLE.md: one scenario per world, one defect each).
 * Shapes follow Microsoft's payloads in `../shared/azure-examples/`; the service tags are
 * Microsoft's public data (mocks/fixtures/SOURCES.md).
 *
 * The managed virtual network family is in `managed.ts`; `index.ts` writes them all. Run
 * `npm run worlds` after changing either; a test fails when the committed files drift.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { z } from 'zod';
import { join } from 'node:path';
import { worldSchema, type WorldInput } from '../../src/world/schema.js';
import { configSchema } from '../../src/config.js';
import { packageRoot } from '../../src/paths.js';

export const SUB = '3f2e4d5c-6b7a-4988-9a1b-2c3d4e5f6a7b';
export const RG = 'rg-mlops-prod-weu';
export const LOCATION = 'westeurope';
const P = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;

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
type Json = Record<string, any>;

function asResource(r: Json): WorldInput['resources'][number] {
  return r as WorldInput['resources'][number];
}

function fixture(path: string): Json {
  return JSON.parse(readFileSync(join(packageRoot, 'mocks', 'fixtures', path), 'utf8')) as Json;
}

/** The six default rules ARM puts on every NSG, from Microsoft's example, re-homed under our NSG id. */
function defaultSecurityRules(nsgId: string): Json[] {
  const example = fixture('NetworkSecurityGroupGet.json');
  return (example.responses['200'].body.properties.defaultSecurityRules as Json[]).map((r) => ({ ...r, id: `${nsgId}/defaultSecurityRules/${r.name}` }));
}

/** `serviceTags.list(location)` as ARM answers it, built from Microsoft's public tag files. */
function serviceTagsResponse(): Json {
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

function rule(nsgId: string, name: string, p: Json): Json {
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
    properties: { provisioningState: 'Succeeded', addressPrefix, privateEndpointNetworkPolicies: 'Disabled', privateLinkServiceNetworkPolicies: 'Enabled', ...extra },
  };
}

function privateEndpoint(id: string, targetId: string, groupId: string, subnetId: string, status = 'Approved'): Json {
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
            privateLinkServiceConnectionState: { status, description: status === 'Approved' ? 'Auto-Approved' : 'Awaiting approval', actionsRequired: 'None' },
          },
        },
      ],
      manualPrivateLinkServiceConnections: [],
      subnet: { id: subnetId },
      networkInterfaces: [{ id: `${P}/Microsoft.Network/networkInterfaces/${name}.nic.${fakeSecret(String(name), 8).replace(/[^a-z0-9]/gi, 'a').toLowerCase()}` }],
      customDnsConfigs: [],
    },
  };
}

function dnsZone(id: string): Json {
  return {
    id,
    name: id.split('/').pop(),
    type: 'Microsoft.Network/privateDnsZones',
    location: 'global',
    etag: '00000000-0000-0000-0000-000000000000',
    properties: { maxNumberOfRecordSets: 25000, numberOfRecordSets: 3, numberOfVirtualNetworkLinks: 1, numberOfVirtualNetworkLinksWithRegistration: 0, provisioningState: 'Succeeded' },
  };
}

export function zoneLink(zoneId: string, vnetId: string, state = 'Completed'): Json {
  const name = `link-${vnetId.split('/').pop()}`;
  return {
    id: `${zoneId}/virtualNetworkLinks/${name}`,
    name,
    type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
    location: 'global',
    properties: { virtualNetwork: { id: vnetId }, registrationEnabled: false, virtualNetworkLinkState: state, provisioningState: 'Succeeded' },
  };
}

/** A private endpoint's DNS zone group, shaped like Microsoft's PrivateEndpointDnsZoneGroupGet example. */
export function zoneGroup(peId: string, zoneId: string, records: [string, string][]): Json {
  return {
    id: `${peId}/privateDnsZoneGroups/default`,
    name: 'default',
    type: 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups',
    properties: {
      provisioningState: 'Succeeded',
      privateDnsZoneConfigs: [
        {
          name: zoneId.split('/').pop()!.replace(/\./g, '-'),
          properties: {
            privateDnsZoneId: zoneId,
            recordSets: records.map(([name, ip]) => ({ recordType: 'A', recordSetName: name, fqdn: `${name}.${zoneId.split('/').pop()}`, provisioningState: 'Succeeded', ttl: 10, ipAddresses: [ip] })),
          },
        },
      ],
    },
  };
}

function connection(targetId: string, peId: string, status = 'Approved', description = 'Auto-Approved'): Json {
  const name = `${peId.split('/').pop()}.${fakeSecret(peId, 8).replace(/[^a-z0-9]/gi, '0').toLowerCase()}`;
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

export function compute(name: string, computeType: 'AmlCompute' | 'ComputeInstance', vmSize: string, subnetId: string | null, provisioningState = 'Succeeded'): Json {
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
          nodeStateCounts: { preparingNodeCount: 0, runningNodeCount: 0, idleNodeCount: 0, unusableNodeCount: 0, leavingNodeCount: 0, preemptedNodeCount: 0 },
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

/** The healthy private workspace: every check passes on it. */
export function healthyPrivate(): WorldInput {
  const nsgRules = [
    rule(ids.nsg, 'AllowAzureMLInbound', { protocol: 'Tcp', destinationPortRange: '44224', sourceAddressPrefix: 'AzureMachineLearning', destinationAddressPrefix: 'VirtualNetwork', access: 'Allow', priority: 100, direction: 'Inbound' }),
    rule(ids.nsg, 'AllowBatchNodeManagementInbound', { protocol: 'Tcp', destinationPortRange: '29876-29877', sourceAddressPrefix: 'BatchNodeManagement', destinationAddressPrefix: 'VirtualNetwork', access: 'Allow', priority: 110, direction: 'Inbound' }),
    rule(ids.nsg, 'AllowMcrOutbound', { protocol: 'Tcp', destinationPortRange: '443', sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'MicrosoftContainerRegistry', access: 'Allow', priority: 100, direction: 'Outbound' }),
    rule(ids.nsg, 'AllowFrontDoorFirstPartyOutbound', { protocol: 'Tcp', destinationPortRange: '443', sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'AzureFrontDoor.FirstParty', access: 'Allow', priority: 110, direction: 'Outbound' }),
    rule(ids.nsg, 'AllowAzureMLOutbound', { protocol: 'Tcp', destinationPortRanges: ['443', '8787', '18881'], sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'AzureMachineLearning', access: 'Allow', priority: 120, direction: 'Outbound' }),
    rule(ids.nsg, 'DenyInternetOutbound', { protocol: '*', destinationPortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet', access: 'Deny', priority: 4000, direction: 'Outbound' }),
  ];
  const nsg = {
    name: 'nsg-mlops-training-weu',
    id: ids.nsg,
    type: 'Microsoft.Network/networkSecurityGroups',
    location: LOCATION,
    properties: {
      provisioningState: 'Succeeded',
      securityRules: nsgRules,
      defaultSecurityRules: defaultSecurityRules(ids.nsg),
      subnets: [{ id: ids.trainingSubnet }],
    },
  };
  const vnet = {
    name: 'vnet-mlops-prod-weu',
    id: ids.vnet,
    type: 'Microsoft.Network/virtualNetworks',
    location: LOCATION,
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: ['10.20.0.0/16'] },
      subnets: [
        subnet(ids.trainingSubnet, '10.20.1.0/24', { networkSecurityGroup: { id: ids.nsg } }),
        subnet(ids.endpointsSubnet, '10.20.2.0/24'),
      ],
      virtualNetworkPeerings: [],
      enableDdosProtection: false,
    },
  };
  const workspace = {
    id: ids.workspace,
    name: 'mlw-mlops-prod-weu',
    type: 'Microsoft.MachineLearningServices/workspaces',
    location: LOCATION,
    identity: { principalId: '7d1c6a0e-52b4-4f0b-9a55-1c8e2f4b3a90', tenantId: '0b4c5a3e-8d2f-4e61-b7a9-3c1d2e5f6a70', type: 'SystemAssigned' },
    sku: { name: 'Basic', tier: 'Basic' },
    kind: 'Default',
    properties: {
      friendlyName: 'MLOps production (West Europe)',
      storageAccount: ids.storage,
      containerRegistry: ids.registry,
      keyVault: ids.keyVault,
      applicationInsights: ids.appInsights,
      discoveryUrl: 'https://westeurope.api.azureml.ms/discovery',
      hbiWorkspace: false,
      imageBuildCompute: 'cpu-build-cluster',
      publicNetworkAccess: 'Disabled',
      allowPublicAccessWhenBehindVnet: false,
      provisioningState: 'Succeeded',
      v1LegacyMode: false,
      privateLinkCount: 1,
      privateEndpointConnections: [connection(ids.workspace, ids.peWorkspace)],
    },
  };
  const registry = {
    id: ids.registry,
    name: 'crmlopsprodweu',
    type: 'Microsoft.ContainerRegistry/registries',
    location: LOCATION,
    sku: { name: 'Premium', tier: 'Premium' },
    properties: {
      loginServer: 'crmlopsprodweu.azurecr.io',
      creationDate: '2026-10-12T09:21:44.1537861Z',
      provisioningState: 'Succeeded',
      adminUserEnabled: true,
      networkRuleSet: { defaultAction: 'Deny', ipRules: [] },
      policies: {
        quarantinePolicy: { status: 'disabled' },
        trustPolicy: { type: 'Notary', status: 'disabled' },
        retentionPolicy: { days: 7, lastUpdatedTime: '2026-10-12T09:22:01.8506835+00:00', status: 'disabled' },
        exportPolicy: { status: 'disabled' },
        azureADAuthenticationAsArmPolicy: { status: 'enabled' },
      },
      encryption: { status: 'disabled' },
      status: null,
      dataEndpointEnabled: true,
      dataEndpointHostNames: ['crmlopsprodweu.westeurope.data.azurecr.io'],
      privateEndpointConnections: [connection(ids.registry, ids.peRegistry)],
      publicNetworkAccess: 'Disabled',
      networkRuleBypassOptions: 'AzureServices',
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: false,
    },
  };
  const storage = {
    id: ids.storage,
    name: 'stmlopsprodweu',
    type: 'Microsoft.Storage/storageAccounts',
    kind: 'StorageV2',
    location: LOCATION,
    sku: { name: 'Standard_ZRS', tier: 'Standard' },
    properties: {
      keyCreationTime: { key1: '2026-10-12T09:20:11.4322836Z', key2: '2026-10-12T09:20:11.4322836Z' },
      isHnsEnabled: false,
      creationTime: '2026-10-12T09:20:11.7633306Z',
      allowSharedKeyAccess: true,
      allowBlobPublicAccess: false,
      minimumTlsVersion: 'TLS1_2',
      publicNetworkAccess: 'Disabled',
      networkAcls: { bypass: 'AzureServices', defaultAction: 'Deny', ipRules: [], virtualNetworkRules: [], resourceAccessRules: [] },
      privateEndpointConnections: [connection(ids.storage, ids.peBlob), connection(ids.storage, ids.peFile)],
      primaryEndpoints: {
        dfs: 'https://stmlopsprodweu.dfs.core.windows.net/',
        blob: 'https://stmlopsprodweu.blob.core.windows.net/',
        file: 'https://stmlopsprodweu.file.core.windows.net/',
        queue: 'https://stmlopsprodweu.queue.core.windows.net/',
        table: 'https://stmlopsprodweu.table.core.windows.net/',
        web: 'https://stmlopsprodweu.z6.web.core.windows.net/',
      },
      primaryLocation: LOCATION,
      provisioningState: 'Succeeded',
      encryption: { services: { file: { keyType: 'Account', enabled: true }, blob: { keyType: 'Account', enabled: true } }, keySource: 'Microsoft.Storage' },
      statusOfPrimary: 'available',
      supportsHttpsTrafficOnly: true,
      accessTier: 'Hot',
    },
  };
  return {
    schemaVersion: 1,
    description: 'healthy-private: a private Azure ML workspace in West Europe; registry and storage behind private endpoints in the workspace VNet, a CPU build cluster, NSG allowing MCR and Front Door, keys in sync. Every check passes.',
    resources: [
      workspace,
      registry,
      storage,
      vnet,
      nsg,
      privateEndpoint(ids.peRegistry, ids.registry, 'registry', ids.endpointsSubnet),
      privateEndpoint(ids.peBlob, ids.storage, 'blob', ids.endpointsSubnet),
      privateEndpoint(ids.peFile, ids.storage, 'file', ids.endpointsSubnet),
      privateEndpoint(ids.peWorkspace, ids.workspace, 'amlworkspace', ids.endpointsSubnet),
      zoneGroup(ids.peRegistry, ids.zoneAcr, [['crmlopsprodweu', '10.20.2.5'], ['crmlopsprodweu.westeurope.data', '10.20.2.6']]),
      zoneGroup(ids.peBlob, ids.zoneBlob, [['stmlopsprodweu', '10.20.2.7']]),
      zoneGroup(ids.peFile, ids.zoneFile, [['stmlopsprodweu', '10.20.2.8']]),
      dnsZone(ids.zoneAcr),
      dnsZone(ids.zoneBlob),
      dnsZone(ids.zoneFile),
      zoneLink(ids.zoneAcr, ids.vnet),
      zoneLink(ids.zoneBlob, ids.vnet),
      zoneLink(ids.zoneFile, ids.vnet),
      compute('cpu-build-cluster', 'AmlCompute', 'Standard_DS3_v2', ids.trainingSubnet),
      compute('gpu-train-cluster', 'AmlCompute', 'Standard_NC6s_v3', ids.trainingSubnet),
      compute('ci-analyst-ds', 'ComputeInstance', 'Standard_DS11_v2', ids.trainingSubnet),
    ].map(asResource),
    responses: {
      [`POST ${ids.workspace}/listKeys`]: {
        body: {
          userStorageKey: secrets.storageKey1,
          userStorageResourceId: ids.storage,
          appInsightsInstrumentationKey: secrets.appInsightsKey,
          containerRegistryCredentials: {
            location: null,
            username: 'crmlopsprodweu',
            passwords: [
              { name: 'password', value: secrets.registryPassword },
              { name: 'password2', value: secrets.registryPassword2 },
            ],
          },
          notebookAccessKeys: { primaryAccessKey: null, secondaryAccessKey: null },
        },
      },
      [`POST ${ids.storage}/listKeys`]: {
        body: {
          keys: [
            { keyName: 'key1', permissions: 'FULL', value: secrets.storageKey1, creationTime: '2026-10-12T09:20:11.4322836Z' },
            { keyName: 'key2', permissions: 'FULL', value: secrets.storageKey2, creationTime: '2026-10-12T09:20:11.4322836Z' },
          ],
        },
      },
      [`POST ${ids.registry}/listCredentials`]: {
        body: {
          username: 'crmlopsprodweu',
          passwords: [
            { name: 'password', value: secrets.registryPassword },
            { name: 'password2', value: secrets.registryPassword2 },
          ],
        },
      },
      [`GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/serviceTags`]: { body: serviceTagsResponse() },
      // Azure ML's diagnosis, shaped like Microsoft's Workspace/diagnose example: nothing to report.
      [`POST ${ids.workspace}/diagnose`]: { headers: { 'Retry-After': '0' }, body: diagnoseAnswer({}) },
      [`GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/availablePrivateEndpointTypes`]: {
        body: {
          value: [
            'Microsoft.ContainerRegistry/registries',
            'Microsoft.Storage/storageAccounts',
            'Microsoft.MachineLearningServices/workspaces',
            'Microsoft.KeyVault/vaults',
            'Microsoft.Insights/privateLinkScopes',
          ].map((t) => ({
            id: `/subscriptions/${SUB}/providers/Microsoft.Network/availablePrivateEndpointTypes/${t.replace('/', '.')}`,
            type: 'Microsoft.Network/availablePrivateEndpointTypes',
            name: t.replace('/', '.'),
            resourceName: t,
            displayName: t.split('/')[1],
          })),
        },
      },
    },
    faults: [],
    registryContent: {
      'crmlopsprodweu.azurecr.io': {
        'azureml/training/pytorch': { '2.3-cuda12.1': digestOf('pytorch-2.3'), latest: digestOf('pytorch-2.3') },
        'azureml/inference/onnxruntime': { '1.18': digestOf('onnx-1.18') },
      },
    },
  };
}

interface DiagnoseItem { code: string; level: 'Error' | 'Warning' | 'Information'; message: string }

/** The diagnose answer with every one of the nine lists present. */
export function diagnoseAnswer(items: Partial<Record<string, DiagnoseItem[]>>): Json {
  const lists = ['userDefinedRouteResults', 'networkSecurityRuleResults', 'resourceLockResults', 'dnsResolutionResults', 'storageAccountResults', 'keyVaultResults', 'containerRegistryResults', 'applicationInsightsResults', 'otherResults'];
  return { value: Object.fromEntries(lists.map((l) => [l, items[l] ?? []])) };
}

const DIAGNOSE_FINDINGS = {
  containerRegistryResults: [{ code: 'ImageBuildComputeNotValid', level: 'Error', message: 'The image build compute is not valid: it must be a CPU compute cluster in the virtual network of the container registry.' }],
  dnsResolutionResults: [{ code: 'CustomDNSInUse', level: 'Warning', message: 'We have detected an on-premise dns server is configured. Please make sure conditional forwarding is configured correctly.' }],
  otherResults: [{ code: 'WorkspaceQuotaNearLimit', level: 'Information', message: 'Dedicated core quota for the standardDSv2Family is 80% used in westeurope.' }],
} satisfies Record<string, DiagnoseItem[]>;

function digestOf(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
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

function mutate(description: string, change: (w: WorldInput) => void): WorldInput {
  const w = healthyPrivate();
  w.description = description;
  change(w);
  return w;
}

/** A second VNet holding the build cluster, optionally peered with the workspace VNet. */
function addBuildVnet(w: WorldInput, peering: { there?: string; back?: string } | null): void {
  const build: Json = {
    name: 'vnet-mlops-build-weu',
    id: ids.buildVnet,
    type: 'Microsoft.Network/virtualNetworks',
    location: LOCATION,
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: ['10.30.0.0/16'] },
      subnets: [subnet(ids.buildSubnet, '10.30.1.0/24', { networkSecurityGroup: { id: ids.nsg } })],
      virtualNetworkPeerings: [],
    },
  };
  w.resources.push(asResource(build));
  // Zone links do not travel over peerings: a VNet resolves privatelink names only if linked itself.
  for (const zone of [ids.zoneAcr, ids.zoneBlob, ids.zoneFile]) w.resources.push(asResource(zoneLink(zone, ids.buildVnet)));
  if (peering) {
    const peer = (from: string, to: string, state: string): Json => ({
      name: `peer-${to.split('/').pop()}`,
      id: `${from}/virtualNetworkPeerings/peer-${to.split('/').pop()}`,
      type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
      properties: { provisioningState: 'Succeeded', peeringState: state, peeringSyncLevel: 'FullyInSync', remoteVirtualNetwork: { id: to }, allowVirtualNetworkAccess: true, allowForwardedTraffic: false, allowGatewayTransit: false, useRemoteGateways: false, remoteAddressSpace: { addressPrefixes: [to === ids.vnet ? '10.20.0.0/16' : '10.30.0.0/16'] } },
    });
    if (peering.there) build.properties.virtualNetworkPeerings.push(peer(ids.buildVnet, ids.vnet, peering.there));
    if (peering.back) res(w, ids.vnet).properties.virtualNetworkPeerings.push(peer(ids.vnet, ids.buildVnet, peering.back));
  }
  computeOf(w, 'cpu-build-cluster').properties.properties.subnet = { id: ids.buildSubnet };
}

function nsgRules(w: WorldInput): Json[] {
  return res(w, ids.nsg).properties.securityRules as Json[];
}

function nsgRule(w: WorldInput, name: string): Json {
  const r = nsgRules(w).find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r.properties;
}

function trainingSubnet(w: WorldInput): Json {
  return (res(w, ids.vnet).properties.subnets as Json[]).find((x) => x.id === ids.trainingSubnet)!;
}

function tagPrefixes(tag: string): string[] {
  return fixture(`service-tags/${tag}.json`).properties.addressPrefixes as string[];
}

/** A route table on the training subnet. */
function addRouteTable(w: WorldInput, routes: [string, string, string | null][]): void {
  w.resources.push(
    asResource({
      name: 'rt-mlops-training-weu',
      id: ids.routeTable,
      type: 'Microsoft.Network/routeTables',
      location: LOCATION,
      properties: {
        provisioningState: 'Succeeded',
        disableBgpRoutePropagation: true,
        routes: routes.map(([name, addressPrefix, nextHopIpAddress]) => ({
          name,
          id: `${ids.routeTable}/routes/${name}`,
          properties: {
            provisioningState: 'Succeeded',
            addressPrefix,
            nextHopType: nextHopIpAddress === null ? (addressPrefix.includes('.') && !/^[A-Za-z]/.test(addressPrefix) ? 'None' : 'Internet') : 'VirtualAppliance',
            ...(nextHopIpAddress ? { nextHopIpAddress } : {}),
          },
        })),
        subnets: [{ id: ids.trainingSubnet }],
      },
    }),
  );
  trainingSubnet(w).properties.routeTable = { id: ids.routeTable };
}

/** Moves the storage account's private endpoints into a second VNet, optionally peered. */
function moveStorageEndpoints(w: WorldInput, peering: { there?: string; back?: string } | null): void {
  const data: Json = {
    name: 'vnet-mlops-data-weu',
    id: ids.dataVnet,
    type: 'Microsoft.Network/virtualNetworks',
    location: LOCATION,
    properties: { provisioningState: 'Succeeded', addressSpace: { addressPrefixes: ['10.40.0.0/16'] }, subnets: [subnet(ids.dataSubnet, '10.40.1.0/24')], virtualNetworkPeerings: [] },
  };
  w.resources.push(asResource(data));
  for (const pe of [ids.peBlob, ids.peFile]) res(w, pe).properties.subnet = { id: ids.dataSubnet };
  const peer = (from: string, to: string, state: string, space: string): Json => ({
    name: `peer-${to.split('/').pop()}`,
    id: `${from}/virtualNetworkPeerings/peer-${to.split('/').pop()}`,
    type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
    properties: { provisioningState: 'Succeeded', peeringState: state, peeringSyncLevel: 'FullyInSync', remoteVirtualNetwork: { id: to }, allowVirtualNetworkAccess: true, allowForwardedTraffic: false, allowGatewayTransit: false, useRemoteGateways: false, remoteAddressSpace: { addressPrefixes: [space] } },
  });
  if (peering?.there) res(w, ids.vnet).properties.virtualNetworkPeerings.push(peer(ids.vnet, ids.dataVnet, peering.there, '10.40.0.0/16'));
  if (peering?.back) data.properties.virtualNetworkPeerings.push(peer(ids.dataVnet, ids.vnet, peering.back, '10.20.0.0/16'));
}

/** Storage reached through service endpoints instead of private endpoints. */
function storageByServiceEndpoint(w: WorldInput, ruleSubnet: string, serviceEndpointOn: string | null): void {
  const st = res(w, ids.storage);
  st.properties.publicNetworkAccess = 'Enabled';
  st.properties.networkAcls.defaultAction = 'Deny';
  st.properties.networkAcls.virtualNetworkRules = [{ id: ruleSubnet, action: 'Allow', state: 'Succeeded' }];
  st.properties.privateEndpointConnections = [];
  w.resources = w.resources.filter((r) => ![ids.peBlob, ids.peFile].includes(r.id as never) && !r.id.startsWith(`${ids.peBlob}/`) && !r.id.startsWith(`${ids.peFile}/`));
  if (serviceEndpointOn) {
    const sn = (res(w, ids.vnet).properties.subnets as Json[]).find((x) => x.id === serviceEndpointOn)!;
    sn.properties.serviceEndpoints = [{ service: 'Microsoft.Storage', locations: ['westeurope', 'northeurope'], provisioningState: 'Succeeded' }];
  }
}

function registryConnection(w: WorldInput): Json {
  return res(w, ids.registry).properties.privateEndpointConnections[0].properties.privateLinkServiceConnectionState;
}

/** Every world, by file name (without `.json`). */
export function buildWorlds(): Record<string, WorldInput> {
  return {
    'healthy-private': healthyPrivate(),
    demo: demoWorld(),
    'public-registry': mutate('public-registry: the registry is public (no VNet, no private endpoint); image builds run on ACR Tasks, so image-build-compute is not applicable.', (w) => {
      const r = res(w, ids.registry);
      r.properties.publicNetworkAccess = 'Enabled';
      r.properties.networkRuleSet.defaultAction = 'Allow';
      r.properties.privateEndpointConnections = [];
      w.resources = w.resources.filter((x) => x.id !== ids.peRegistry);
      delete res(w, ids.workspace).properties.imageBuildCompute;
    }),
    'ibc-missing': mutate('ibc-missing: the registry is behind a private endpoint but the workspace names no imageBuildCompute.', (w) => {
      delete res(w, ids.workspace).properties.imageBuildCompute;
    }),
    'ibc-not-found': mutate('ibc-not-found: imageBuildCompute names a cluster that was deleted.', (w) => {
      res(w, ids.workspace).properties.imageBuildCompute = 'cpu-build-cluster-old';
    }),
    'ibc-compute-instance': mutate('ibc-compute-instance: imageBuildCompute names a compute instance, not a cluster.', (w) => {
      res(w, ids.workspace).properties.imageBuildCompute = 'ci-analyst-ds';
    }),
    'ibc-gpu-cluster': mutate('ibc-gpu-cluster: imageBuildCompute names a GPU cluster.', (w) => {
      res(w, ids.workspace).properties.imageBuildCompute = 'gpu-train-cluster';
    }),
    'ibc-failed-cluster': mutate('ibc-failed-cluster: the build cluster failed provisioning.', (w) => {
      computeOf(w, 'cpu-build-cluster').properties.provisioningState = 'Failed';
    }),
    'ibc-outside-vnet': mutate('ibc-outside-vnet: the build cluster is not in any virtual network.', (w) => {
      computeOf(w, 'cpu-build-cluster').properties.properties.subnet = null;
    }),
    'ibc-unpeered-vnet': mutate('ibc-unpeered-vnet: the build cluster sits in a second VNet that is not peered with the registry endpoint VNet.', (w) => {
      addBuildVnet(w, null);
    }),
    'ibc-peering-disconnected': mutate('ibc-peering-disconnected: the build VNet is peered with the endpoint VNet, but the peering back is Disconnected.', (w) => {
      addBuildVnet(w, { there: 'Connected', back: 'Disconnected' });
    }),
    'ibc-peered-vnet': mutate('ibc-peered-vnet: the build cluster sits in a second VNet peered (Connected both ways) with the endpoint VNet: image builds work.', (w) => {
      addBuildVnet(w, { there: 'Connected', back: 'Connected' });
    }),
    'nsg-deny-before-allow': mutate('nsg-deny-before-allow: a Deny for HTTPS to the Internet at priority 100 comes before the MCR and Front Door allows (200, 210).', (w) => {
      for (const r of nsgRules(w)) if (r.properties.direction === 'Outbound') r.properties.priority += 100;
      nsgRules(w).push(rule(ids.nsg, 'DenyHttpsInternetOutbound', { protocol: 'Tcp', destinationPortRange: '443', sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet', access: 'Deny', priority: 100, direction: 'Outbound' }));
    }),
    'nsg-frontdoor-missing': mutate('nsg-frontdoor-missing: MicrosoftContainerRegistry is allowed but AzureFrontDoor.FirstParty is not, so the Internet deny blocks it.', (w) => {
      res(w, ids.nsg).properties.securityRules = nsgRules(w).filter((r) => r.name !== 'AllowFrontDoorFirstPartyOutbound');
    }),
    'nsg-explicit-cidrs': mutate('nsg-explicit-cidrs: MCR and Front Door are allowed by explicit CIDR lists instead of tags, covering every prefix.', (w) => {
      Object.assign(nsgRule(w, 'AllowMcrOutbound'), { destinationAddressPrefix: undefined, destinationAddressPrefixes: tagPrefixes('MicrosoftContainerRegistry.WestEurope') });
      Object.assign(nsgRule(w, 'AllowFrontDoorFirstPartyOutbound'), { destinationAddressPrefix: undefined, destinationAddressPrefixes: tagPrefixes('AzureFrontDoor.FirstParty') });
    }),
    'nsg-explicit-cidrs-one-missing': mutate('nsg-explicit-cidrs-one-missing: the explicit MCR CIDR list lacks one prefix of MicrosoftContainerRegistry.WestEurope.', (w) => {
      Object.assign(nsgRule(w, 'AllowMcrOutbound'), { destinationAddressPrefix: undefined, destinationAddressPrefixes: tagPrefixes('MicrosoftContainerRegistry.WestEurope').filter((p) => p !== '13.69.106.72/29') });
      Object.assign(nsgRule(w, 'AllowFrontDoorFirstPartyOutbound'), { destinationAddressPrefix: undefined, destinationAddressPrefixes: tagPrefixes('AzureFrontDoor.FirstParty') });
    }),
    'nsg-udp-only': mutate('nsg-udp-only: the MCR allow rule is for UDP only, so TCP 443 falls to the Internet deny.', (w) => {
      nsgRule(w, 'AllowMcrOutbound').protocol = 'Udp';
    }),
    'nsg-port-ranges': mutate('nsg-port-ranges: the allows use port ranges and plural port lists that include 443.', (w) => {
      Object.assign(nsgRule(w, 'AllowMcrOutbound'), { destinationPortRange: undefined, destinationPortRanges: ['80', '440-450'] });
      nsgRule(w, 'AllowFrontDoorFirstPartyOutbound').destinationPortRange = '400-500';
    }),
    'nsg-wrong-port': mutate('nsg-wrong-port: the MCR allow opens 8443 instead of 443.', (w) => {
      nsgRule(w, 'AllowMcrOutbound').destinationPortRange = '8443';
    }),
    'nsg-deny-other-subnet': mutate('nsg-deny-other-subnet: a Deny to the Internet at priority 100, before the allows, applies only to the endpoints subnet, not to the compute subnet.', (w) => {
      for (const r of nsgRules(w)) if (r.properties.direction === 'Outbound' && r.properties.priority < 4000) r.properties.priority += 100;
      nsgRules(w).push(rule(ids.nsg, 'DenyEndpointsSubnetInternet', { protocol: '*', destinationPortRange: '*', sourceAddressPrefix: '10.20.2.0/24', destinationAddressPrefix: 'Internet', access: 'Deny', priority: 100, direction: 'Outbound' }));
    }),
    'nsg-no-nsg': mutate('nsg-no-nsg: the compute subnet has no network security group; egress is not filtered.', (w) => {
      delete trainingSubnet(w).properties.networkSecurityGroup;
      res(w, ids.nsg).properties.subnets = [];
    }),
    'nsg-asg-rule': mutate('nsg-asg-rule: the MCR allow names an application security group as its source, which cannot be resolved from the subnet.', (w) => {
      Object.assign(nsgRule(w, 'AllowMcrOutbound'), { sourceAddressPrefix: undefined, sourceApplicationSecurityGroups: [{ id: `${P}/Microsoft.Network/applicationSecurityGroups/asg-ml-nodes` }] });
    }),
    'nsg-forced-tunnel': mutate('nsg-forced-tunnel: a 0.0.0.0/0 route sends egress through the firewall appliance 10.20.3.4.', (w) => {
      addRouteTable(w, [['default-via-firewall', '0.0.0.0/0', '10.20.3.4']]);
    }),
    'nsg-forced-tunnel-tag-routes': mutate('nsg-forced-tunnel-tag-routes: forced tunnelling, but MicrosoftContainerRegistry and AzureFrontDoor.FirstParty are routed straight to the Internet by service-tag routes.', (w) => {
      addRouteTable(w, [
        ['default-via-firewall', '0.0.0.0/0', '10.20.3.4'],
        ['mcr-direct', 'MicrosoftContainerRegistry', null],
        ['afd-direct', 'AzureFrontDoor.FirstParty', null],
      ]);
    }),
    'nsg-route-none': mutate('nsg-route-none: a route sends MicrosoftContainerRegistry.WestEurope to next hop None, dropping it.', (w) => {
      addRouteTable(w, [['drop-mcr', 'MicrosoftContainerRegistry.WestEurope', null]]);
      const route = res(w, ids.routeTable).properties.routes[0];
      route.properties.nextHopType = 'None';
    }),
    'keys-storage-rotated': mutate('keys-storage-rotated: key1 of the storage account was regenerated; the workspace still holds the old key1.', (w) => {
      (w.responses![`POST ${ids.storage}/listKeys`]!.body as Json).keys[0].value = secrets.storageKey1Rotated;
      res(w, ids.storage).properties.keyCreationTime.key1 = '2026-11-28T21:04:37.1184632Z';
    }),
    'keys-registry-rotated': mutate('keys-registry-rotated: the registry admin password was regenerated; the workspace still holds the old one.', (w) => {
      (w.responses![`POST ${ids.registry}/listCredentials`]!.body as Json).passwords[0].value = secrets.registryPasswordRotated;
    }),
    'keys-identity-based': mutate('keys-identity-based: shared-key access is off on the storage account and the registry admin user is disabled; the workspace holds no keys, which is not drift.', (w) => {
      res(w, ids.storage).properties.allowSharedKeyAccess = false;
      res(w, ids.registry).properties.adminUserEnabled = false;
      const body = w.responses![`POST ${ids.workspace}/listKeys`]!.body as Json;
      body.userStorageKey = null;
      body.containerRegistryCredentials = null;
      delete w.responses![`POST ${ids.registry}/listCredentials`];
    }),
    'keys-listkeys-forbidden': mutate('keys-listkeys-forbidden: the auditing identity may read the workspace but not call its listKeys action (403).', (w) => {
      w.faults = [{ match: 'POST .*/workspaces/mlw-mlops-prod-weu/listKeys', status: 403 }];
    }),
    'keys-other-storage': mutate('keys-other-storage: the workspace listKeys answer (newer api-version, userStorageArmId) names a storage account other than the workspace\'s.', (w) => {
      const body = w.responses![`POST ${ids.workspace}/listKeys`]!.body as Json;
      delete body.userStorageResourceId;
      body.userStorageArmId = ids.storage.replace('stmlopsprodweu', 'stmlopsoldweu');
    }),
    'placement-service-endpoint-other-subnet': mutate('placement-service-endpoint-other-subnet: storage admits only the endpoints subnet through a service endpoint; the clusters sit in the training subnet of the same VNet.', (w) => {
      storageByServiceEndpoint(w, ids.endpointsSubnet, ids.endpointsSubnet);
    }),
    'placement-service-endpoint-missing': mutate('placement-service-endpoint-missing: storage admits the training subnet by a virtual network rule, but that subnet has no Microsoft.Storage service endpoint.', (w) => {
      storageByServiceEndpoint(w, ids.trainingSubnet, null);
    }),
    'placement-service-endpoint-ok': mutate('placement-service-endpoint-ok: storage admits the training subnet through a service endpoint it carries; reachable.', (w) => {
      storageByServiceEndpoint(w, ids.trainingSubnet, ids.trainingSubnet);
    }),
    'placement-unpeered-endpoint-vnet': mutate('placement-unpeered-endpoint-vnet: the storage private endpoints sit in a data VNet that is not peered with the compute VNet.', (w) => {
      moveStorageEndpoints(w, null);
    }),
    'placement-peering-disconnected': mutate('placement-peering-disconnected: the data VNet holding the storage endpoints is peered with the compute VNet, but the peering back is Disconnected.', (w) => {
      moveStorageEndpoints(w, { there: 'Connected', back: 'Disconnected' });
    }),
    'placement-peered-endpoint-vnet': mutate('placement-peered-endpoint-vnet: the storage endpoints sit in a data VNet peered (Connected both ways) with the compute VNet; reachable.', (w) => {
      moveStorageEndpoints(w, { there: 'Connected', back: 'Connected' });
    }),
    'acr-pe-pending': mutate('acr-pe-pending: the registry private endpoint connection is Pending approval.', (w) => {
      Object.assign(registryConnection(w), { status: 'Pending', description: 'Awaiting approval by the registry owner' });
      res(w, ids.peRegistry).properties.privateLinkServiceConnections[0].properties.privateLinkServiceConnectionState = { status: 'Pending', description: 'Awaiting approval by the registry owner', actionsRequired: 'None' };
    }),
    'acr-pe-rejected': mutate('acr-pe-rejected: the registry private endpoint connection was Rejected.', (w) => {
      Object.assign(registryConnection(w), { status: 'Rejected', description: 'Rejected: endpoint not in an approved network' });
      res(w, ids.peRegistry).properties.privateLinkServiceConnections[0].properties.privateLinkServiceConnectionState = { status: 'Rejected', description: 'Rejected: endpoint not in an approved network', actionsRequired: 'None' };
    }),
    'acr-pe-unsupported-region': mutate('acr-pe-unsupported-region: availablePrivateEndpointTypes of the endpoint region does not list Microsoft.ContainerRegistry/registries.', (w) => {
      const body = w.responses![`GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/availablePrivateEndpointTypes`]!.body as Json;
      body.value = (body.value as Json[]).filter((t) => t.resourceName !== 'Microsoft.ContainerRegistry/registries');
    }),
    'acr-pe-location-display-name': mutate('acr-pe-location-display-name: the registry private endpoint answers its location as the display name "West Europe"; verdicts must not change.', (w) => {
      res(w, ids.peRegistry).location = 'West Europe';
    }),
    'acr-standard-sku': mutate('acr-standard-sku: the registry with a private endpoint is on the Standard SKU.', (w) => {
      res(w, ids.registry).sku = { name: 'Standard', tier: 'Standard' };
    }),
    'acr-trusted-services-off': mutate('acr-trusted-services-off: the registry blocks trusted Azure services and the workspace has no private endpoint of its own.', (w) => {
      res(w, ids.registry).properties.networkRuleBypassOptions = 'None';
      res(w, ids.workspace).properties.privateEndpointConnections = [];
      w.resources = w.resources.filter((r) => r.id !== ids.peWorkspace);
    }),
    'acr-trusted-services-off-ws-endpoint': mutate('acr-trusted-services-off-ws-endpoint: the registry blocks trusted services, but the workspace VNet holds an approved registry endpoint; usable.', (w) => {
      res(w, ids.registry).properties.networkRuleBypassOptions = 'None';
    }),
    'acr-admin-disabled-no-identity': mutate('acr-admin-disabled-no-identity: the registry admin user is disabled and the workspace has no managed identity to use instead.', (w) => {
      res(w, ids.registry).properties.adminUserEnabled = false;
      res(w, ids.workspace).identity = { type: 'None' };
    }),
    'dns-missing-zone-group': mutate('dns-missing-zone-group: the registry private endpoint has no private DNS zone group.', (w) => {
      w.resources = w.resources.filter((r) => r.id !== `${ids.peRegistry}/privateDnsZoneGroups/default`);
    }),
    'dns-zone-not-linked': mutate('dns-zone-not-linked: privatelink.azurecr.io is not linked to the compute VNet.', (w) => {
      w.resources = w.resources.filter((r) => !r.id.startsWith(`${ids.zoneAcr}/virtualNetworkLinks/`));
    }),
    'dns-missing-data-record': mutate('dns-missing-data-record: the registry zone group registers the login server but not the regional data endpoint.', (w) => {
      const g = res(w, `${ids.peRegistry}/privateDnsZoneGroups/default`);
      g.properties.privateDnsZoneConfigs[0].properties.recordSets = g.properties.privateDnsZoneConfigs[0].properties.recordSets.slice(0, 1);
    }),
    'dns-custom-servers': mutate('dns-custom-servers: the compute VNet uses custom DNS servers, which must forward the privatelink zones to Azure DNS.', (w) => {
      res(w, ids.vnet).properties.dhcpOptions = { dnsServers: ['10.20.0.4', '10.20.0.5'] };
    }),
    'placement-subnet-deleted': mutate('placement-subnet-deleted: the compute subnet snet-training was deleted from a VNet that still exists; the clusters still name it, so their nodes cannot allocate and they reach nothing.', (w) => {
      const vnet = res(w, ids.vnet);
      vnet.properties.subnets = (vnet.properties.subnets as Json[]).filter((x) => x.id !== ids.trainingSubnet);
      res(w, ids.nsg).properties.subnets = [];
    }),
    'placement-mixed-case-ids': mutate('placement-mixed-case-ids: endpoint, subnet and zone references use other casings than the resources, as real ARM answers do; verdicts must not change.', (w) => {
      const up = (id: string) => id.replace('/resourceGroups/', '/resourcegroups/').replace('Microsoft.Network', 'microsoft.network').toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/');
      res(w, ids.registry).properties.privateEndpointConnections[0].properties.privateEndpoint.id = up(ids.peRegistry);
      for (const c of res(w, ids.storage).properties.privateEndpointConnections) c.properties.privateEndpoint.id = up(c.properties.privateEndpoint.id);
      res(w, ids.peBlob).properties.subnet.id = up(ids.endpointsSubnet);
      res(w, `${ids.peRegistry}/privateDnsZoneGroups/default`).properties.privateDnsZoneConfigs[0].properties.privateDnsZoneId = up(ids.zoneAcr);
      res(w, `${ids.zoneBlob}/virtualNetworkLinks/link-vnet-mlops-prod-weu`).properties.virtualNetwork.id = up(ids.vnet);
    }),
    'quirks-nulls-and-extras': mutate(
      'quirks-nulls-and-extras: real ARM quirks: null where a field is usually present, fields from newer api-versions, actionRequired for actionsRequired, display-name locations, lower-case types; every check passes.',
      (w) => {
        const ws = res(w, ids.workspace);
        ws.location = 'West Europe';
        ws.properties.managedNetwork = { isolationMode: 'Disabled', status: { status: 'Inactive', sparkReady: false }, outboundRules: {} };
        ws.properties.serverlessComputeSettings = null;
        ws.properties.enableDataIsolation = false;
        const vnet = res(w, ids.vnet);
        vnet.type = 'microsoft.network/virtualnetworks';
        vnet.properties.virtualNetworkPeerings = null;
        vnet.properties.dhcpOptions = null;
        vnet.properties.subnets[1].properties.serviceEndpoints = null;
        const registry = res(w, ids.registry);
        registry.properties.networkRuleSet.ipRules = null;
        registry.properties.endpointProtocol = 'IPv4';
        registry.properties.metadataSearch = 'Disabled';
        const state = registry.properties.privateEndpointConnections[0].properties.privateLinkServiceConnectionState;
        delete state.actionsRequired;
        state.actionRequired = 'None';
        const storage = res(w, ids.storage);
        storage.properties.networkAcls.ipRules = null;
        storage.properties.networkAcls.virtualNetworkRules = null;
        storage.properties.dualStackEndpointPreference = { publishIpv6Endpoint: false };
        for (const r of nsgRules(w)) r.properties.sourcePortRanges = [];
        res(w, ids.nsg).properties.flushConnection = false;
        res(w, ids.peRegistry).location = 'West Europe';
        res(w, ids.peRegistry).properties.ipVersionType = 'IPv4';
        computeOf(w, 'cpu-build-cluster').properties.properties.propertyBag = null;
        computeOf(w, 'ci-analyst-ds').properties.properties.subnet.id = ids.trainingSubnet.toLowerCase();
      },
    ),
    'diagnose-findings': mutate("diagnose-findings: Azure ML's diagnosis reports an Error (ImageBuildComputeNotValid), a Warning (CustomDNSInUse) and an Information, where aml-preflight's own checks find nothing.", (w) => {
      w.responses![`POST ${ids.workspace}/diagnose`] = { headers: { 'Retry-After': '0' }, body: diagnoseAnswer(DIAGNOSE_FINDINGS) };
    }),
    'ibc-mixed-case-ids': mutate('ibc-mixed-case-ids: references use other casings of the same ids, as real ARM answers do; verdicts must not change.', (w) => {
      res(w, ids.workspace).properties.containerRegistry = ids.registry.replace('resourceGroups', 'resourcegroups').replace('Microsoft.ContainerRegistry', 'microsoft.containerregistry').toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/');
      computeOf(w, 'cpu-build-cluster').properties.properties.subnet = { id: ids.trainingSubnet.replace('Microsoft.Network', 'Microsoft.network').replace('snet-training', 'SNET-Training') };
      res(w, ids.workspace).properties.imageBuildCompute = 'CPU-Build-Cluster';
    }),
  };
}

/**
 * The demo: a workspace in trouble, with one defect per check so `aml-preflight demo` shows what
 * each finds. Changing it changes what `npm start` prints.
 */
export function demoWorld(): WorldInput {
  return mutate(
    'demo: a private workspace with one defect per check: storage admits only another subnet, the registry endpoint region lacks ACR support, a GPU build cluster, trusted services off without a workspace endpoint, an unlinked DNS zone, Front Door blocked, a rotated storage key.',
    (w) => {
      storageByServiceEndpoint(w, ids.endpointsSubnet, ids.endpointsSubnet);
      const types = w.responses![`GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/availablePrivateEndpointTypes`]!.body as Json;
      types.value = (types.value as Json[]).filter((t) => t.resourceName !== 'Microsoft.ContainerRegistry/registries');
      res(w, ids.workspace).properties.imageBuildCompute = 'gpu-train-cluster';
      res(w, ids.registry).properties.networkRuleBypassOptions = 'None';
      res(w, ids.workspace).properties.privateEndpointConnections = [];
      w.resources = w.resources.filter((r) => r.id !== ids.peWorkspace && !r.id.startsWith(`${ids.zoneAcr}/virtualNetworkLinks/`));
      res(w, ids.nsg).properties.securityRules = nsgRules(w).filter((r) => r.name !== 'AllowFrontDoorFirstPartyOutbound');
      (w.responses![`POST ${ids.storage}/listKeys`]!.body as Json).keys[0].value = secrets.storageKey1Rotated;
      res(w, ids.storage).properties.keyCreationTime.key1 = '2026-11-28T21:04:37.1184632Z';
      w.responses![`POST ${ids.workspace}/diagnose`] = { headers: { 'Retry-After': '0' }, body: diagnoseAnswer(DIAGNOSE_FINDINGS) };
    },
  );
}

/** The defect variants a generated subscription mixes in (each confined to its own VNet group). */
export const SUBSCRIPTION_VARIANTS = ['healthy-private', 'ibc-gpu-cluster', 'healthy-private', 'nsg-frontdoor-missing', 'keys-storage-rotated', 'healthy-private', 'dns-zone-not-linked', 'placement-unpeered-endpoint-vnet'] as const;

/**
 * A subscription of `count` workspaces for scale tests and the bench: workspaces come in VNet
 * groups that share a VNet, an NSG and the privatelink zones (as real estates do); each group is a
 * copy of one variant world, so every workspace's expected verdicts are that world's.
 */
export function subscriptionWorld(count: number, options: { groupSize?: number } = {}): { world: WorldInput; variantOf: Map<string, string> } {
  const groupSize = options.groupSize ?? 10;
  const worlds = buildWorlds();
  const resources = new Map<string, Json>();
  const responses: Record<string, unknown> = {};
  const variantOf = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const g = Math.floor(i / groupSize);
    const variant = SUBSCRIPTION_VARIANTS[g % SUBSCRIPTION_VARIANTS.length]!;
    const text = JSON.stringify(worlds[variant]!)
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
    variantOf.set(`${P}/Microsoft.MachineLearningServices/workspaces/mlw-team${i}-weu`, variant);
  }
  return {
    world: { schemaVersion: 1, description: `subscription-${count}: ${count} workspaces in VNet groups of ${groupSize}, defects mixed in`, resources: [...resources.values()] as WorldInput['resources'], responses: responses as WorldInput['responses'], faults: [] },
    variantOf,
  };
}

/** The config file as JSON Schema, for editor completion (`"$schema": "node_modules/aml-preflight/schema/config.schema.json"`). */
export function configJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n`;
}

/** The world format as JSON Schema, for editors (`$schema` in every world). */
export function worldJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(worldSchema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n`;
}

export function serialiseWorld(world: WorldInput): string {
  return `${JSON.stringify({ $schema: '../../schema/world.schema.json', ...world }, null, 2)}\n`;
}
