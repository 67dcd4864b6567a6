/** The healthy private workspace every customer-VNet world starts from, and `mutate`, which makes one defect of it. */
import { createHash } from 'node:crypto';
import type { WorldInput } from '../../src/world/schema.js';
import {
  asResource,
  compute,
  connection,
  defaultSecurityRules,
  diagnoseAnswer,
  dnsZone,
  ids,
  type Json,
  LOCATION,
  privateEndpoint,
  rule,
  secrets,
  serviceTagsResponse,
  SUB,
  subnet,
  WORKSPACE_GUID,
  zoneGroup,
  zoneLink,
} from './base.js';

/** The healthy private workspace: every check passes on it. */
export function healthyPrivate(): WorldInput {
  const nsgRules = [
    rule(ids.nsg, 'AllowAzureMLInbound', {
      protocol: 'Tcp',
      destinationPortRange: '44224',
      sourceAddressPrefix: 'AzureMachineLearning',
      destinationAddressPrefix: 'VirtualNetwork',
      access: 'Allow',
      priority: 100,
      direction: 'Inbound',
    }),
    rule(ids.nsg, 'AllowBatchNodeManagementInbound', {
      protocol: 'Tcp',
      destinationPortRange: '29876-29877',
      sourceAddressPrefix: 'BatchNodeManagement',
      destinationAddressPrefix: 'VirtualNetwork',
      access: 'Allow',
      priority: 110,
      direction: 'Inbound',
    }),
    rule(ids.nsg, 'AllowMcrOutbound', {
      protocol: 'Tcp',
      destinationPortRange: '443',
      sourceAddressPrefix: 'VirtualNetwork',
      destinationAddressPrefix: 'MicrosoftContainerRegistry',
      access: 'Allow',
      priority: 100,
      direction: 'Outbound',
    }),
    rule(ids.nsg, 'AllowFrontDoorFirstPartyOutbound', {
      protocol: 'Tcp',
      destinationPortRange: '443',
      sourceAddressPrefix: 'VirtualNetwork',
      destinationAddressPrefix: 'AzureFrontDoor.FirstParty',
      access: 'Allow',
      priority: 110,
      direction: 'Outbound',
    }),
    rule(ids.nsg, 'AllowAzureMLOutbound', {
      protocol: 'Tcp',
      destinationPortRanges: ['443', '8787', '18881'],
      sourceAddressPrefix: 'VirtualNetwork',
      destinationAddressPrefix: 'AzureMachineLearning',
      access: 'Allow',
      priority: 120,
      direction: 'Outbound',
    }),
    // What Microsoft's "Configure inbound and outbound network traffic" page lists for compute in a
    // customer VNet (checks/compute-outbound/README.md), each as its service tag.
    ...computeOutboundRules(),
    rule(ids.nsg, 'DenyInternetOutbound', {
      protocol: '*',
      destinationPortRange: '*',
      sourceAddressPrefix: '*',
      destinationAddressPrefix: 'Internet',
      access: 'Deny',
      priority: 4000,
      direction: 'Outbound',
    }),
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
    identity: {
      principalId: '7d1c6a0e-52b4-4f0b-9a55-1c8e2f4b3a90',
      tenantId: '0b4c5a3e-8d2f-4e61-b7a9-3c1d2e5f6a70',
      type: 'SystemAssigned',
    },
    sku: { name: 'Basic', tier: 'Basic' },
    kind: 'Default',
    properties: {
      friendlyName: 'MLOps production (West Europe)',
      storageAccount: ids.storage,
      containerRegistry: ids.registry,
      keyVault: ids.keyVault,
      applicationInsights: ids.appInsights,
      workspaceId: WORKSPACE_GUID,
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
      encryption: {
        services: { file: { keyType: 'Account', enabled: true }, blob: { keyType: 'Account', enabled: true } },
        keySource: 'Microsoft.Storage',
      },
      statusOfPrimary: 'available',
      supportsHttpsTrafficOnly: true,
      accessTier: 'Hot',
    },
  };
  return {
    schemaVersion: 1,
    description:
      'healthy-private: a private Azure ML workspace in West Europe; registry and storage behind private endpoints in the workspace VNet, a CPU build cluster, NSG allowing MCR and Front Door, keys in sync. Every check passes.',
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
      zoneGroup(ids.peRegistry, ids.zoneAcr, [
        ['crmlopsprodweu', '10.20.2.5'],
        ['crmlopsprodweu.westeurope.data', '10.20.2.6'],
      ]),
      zoneGroup(ids.peBlob, ids.zoneBlob, [['stmlopsprodweu', '10.20.2.7']]),
      zoneGroup(ids.peFile, ids.zoneFile, [['stmlopsprodweu', '10.20.2.8']]),
      // The workspace's own endpoint registers in two zones (how-to-custom-dns lists the names).
      zoneGroup(
        ids.peWorkspace,
        ids.zoneApi,
        [
          [`${WORKSPACE_GUID}.workspace.${LOCATION}`, '10.20.2.9'],
          [`${WORKSPACE_GUID}.workspace.${LOCATION}.cert`, '10.20.2.9'],
          [`*.${WORKSPACE_GUID}.inference.${LOCATION}`, '10.20.2.10'],
        ],
        [ids.zoneNotebooks, [[`ml-mlw-mlops-prod-weu-${LOCATION}-${WORKSPACE_GUID}.${LOCATION}`, '10.20.2.11']]],
      ),
      dnsZone(ids.zoneAcr),
      dnsZone(ids.zoneBlob),
      dnsZone(ids.zoneFile),
      dnsZone(ids.zoneApi),
      dnsZone(ids.zoneNotebooks),
      zoneLink(ids.zoneAcr, ids.vnet),
      zoneLink(ids.zoneBlob, ids.vnet),
      zoneLink(ids.zoneFile, ids.vnet),
      zoneLink(ids.zoneApi, ids.vnet),
      zoneLink(ids.zoneNotebooks, ids.vnet),
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

/** The outbound allows compute-outbound decides, at priorities 130–190 (after MCR, Front Door and Azure ML). */
export function computeOutboundRules(): Json[] {
  const allow = (name: string, protocol: string, ports: string[], destination: string, priority: number): Json =>
    rule(ids.nsg, name, {
      protocol,
      ...(ports.length === 1 ? { destinationPortRange: ports[0] } : { destinationPortRanges: ports }),
      sourceAddressPrefix: 'VirtualNetwork',
      destinationAddressPrefix: destination,
      access: 'Allow',
      priority,
      direction: 'Outbound',
    });
  return [
    allow('AllowEntraIdOutbound', 'Tcp', ['80', '443'], 'AzureActiveDirectory', 130),
    allow('AllowBatchNodeManagementOutbound', 'Tcp', ['443'], `BatchNodeManagement.${LOCATION}`, 140),
    allow('AllowAzureResourceManagerOutbound', 'Tcp', ['443'], 'AzureResourceManager', 150),
    allow('AllowStorageOutbound', 'Tcp', ['443'], `Storage.${LOCATION}`, 160),
    allow('AllowFrontDoorFrontEndOutbound', 'Tcp', ['443'], 'AzureFrontDoor.FrontEnd', 170),
    allow('AllowAzureMonitorOutbound', 'Tcp', ['443'], 'AzureMonitor', 180),
    allow('AllowAzureMLUdpOutbound', 'Udp', ['5831'], 'AzureMachineLearning', 190),
  ];
}

export function digestOf(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

export function mutate(description: string, change: (w: WorldInput) => void): WorldInput {
  const w = healthyPrivate();
  w.description = description;
  change(w);
  return w;
}
