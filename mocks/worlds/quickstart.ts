/**
 * The state Microsoft's quickstart `machine-learning-end-to-end-secure` leaves
 * (Azure/azure-quickstart-templates, quickstarts/microsoft.machinelearningservices/): one VNet with
 * training, scoring and Bastion subnets; the workspace, storage, registry and key vault behind
 * private endpoints in the training subnet, each with its own zone and a link to the VNet; the
 * quickstart's NSG; a compute cluster (`cluster001`, the image build compute), a compute instance and
 * an attached AKS cluster in the scoring subnet (`aksNetworkingConfiguration.subnetId`). Re-homed
 * under our subscription and names so every check audits it as any other world.
 *
 * The template names the key vault's zone `privatelink${environment().suffixes.keyvaultDns}`, that
 * is `privatelink.vault.azure.net` (Azure/bicep#9839); the vault's private endpoint resolves
 * through `privatelink.vaultcore.azure.net`.
 */
import type { WorldInput } from '../../src/world/schema.js';
import {
  asResource,
  compute,
  defaultSecurityRules,
  dnsZone,
  ids,
  type Json,
  LOCATION,
  P,
  privateEndpoint,
  res,
  rule,
  subnet,
  zoneGroup,
  zoneLink,
} from './base.js';
import { mutate } from './healthy.js';

const scoringSubnet = `${ids.vnet}/subnets/snet-scoring`;
const bastionSubnet = `${ids.vnet}/subnets/AzureBastionSubnet`;
const peKeyVault = `${P}/Microsoft.Network/privateEndpoints/ple-mlops-prod-weu-kv`;
const zoneVaultNearMiss = `${P}/Microsoft.Network/privateDnsZones/privatelink.vault.azure.net`;
const zoneVault = `${P}/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`;
const aksCluster = `${P}/Microsoft.ContainerService/managedClusters/aks-mlops-prod-weu`;

/** The quickstart's NSG (modules/nsg.bicep), on the training and scoring subnets. */
function quickstartNsgRules(): Json[] {
  const out = (name: string, destination: string, priority: number, port = '443', source = '*'): Json =>
    rule(ids.nsg, name, {
      protocol: 'Tcp',
      destinationPortRange: port,
      sourceAddressPrefix: source,
      destinationAddressPrefix: destination,
      access: 'Allow',
      priority,
      direction: 'Outbound',
    });
  return [
    rule(ids.nsg, 'BatchNodeManagement', {
      protocol: 'Tcp',
      destinationPortRange: '29876-29877',
      sourceAddressPrefix: 'BatchNodeManagement',
      destinationAddressPrefix: '*',
      access: 'Allow',
      priority: 120,
      direction: 'Inbound',
    }),
    rule(ids.nsg, 'AzureMachineLearning', {
      protocol: 'Tcp',
      destinationPortRange: '44224',
      sourceAddressPrefix: 'AzureMachineLearning',
      destinationAddressPrefix: '*',
      access: 'Allow',
      priority: 130,
      direction: 'Inbound',
    }),
    out('AzureActiveDirectory', 'AzureActiveDirectory', 140, '*'),
    out('AzureMachineLearningOutbound', 'AzureMachineLearning', 150),
    out('AzureResourceManager', 'AzureResourceManager', 160),
    out('AzureStorageAccount', `Storage.${LOCATION}`, 170),
    out('AzureFrontDoor', 'AzureFrontDoor.FrontEnd', 180),
    out('AzureContainerRegistry', `AzureContainerRegistry.${LOCATION}`, 190),
    out('MicrosoftContainerRegistry', 'MicrosoftContainerRegistry', 200, '443', 'VirtualNetwork'),
  ];
}

/** The key vault of modules/keyvault.bicep: RBAC, purge protection, firewall closed, one private endpoint. */
function keyVault(): Json {
  return {
    id: ids.keyVault,
    name: 'kv-mlops-prod-weu',
    type: 'Microsoft.KeyVault/vaults',
    location: LOCATION,
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId: '0b4c5a3e-8d2f-4e61-b7a9-3c1d2e5f6a70',
      accessPolicies: [],
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 7,
      enableRbacAuthorization: true,
      enablePurgeProtection: true,
      networkAcls: { bypass: 'AzureServices', defaultAction: 'Deny', ipRules: [], virtualNetworkRules: [] },
      vaultUri: 'https://kv-mlops-prod-weu.vault.azure.net/',
      provisioningState: 'Succeeded',
      publicNetworkAccess: 'Enabled',
      privateEndpointConnections: [
        {
          id: `${ids.keyVault}/privateEndpointConnections/ple-mlops-prod-weu-kv`,
          properties: {
            provisioningState: 'Succeeded',
            privateEndpoint: { id: peKeyVault },
            privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
          },
        },
      ],
    },
  };
}

/** The attached AKS compute of modules/privateaks.bicep: its nodes in the scoring subnet. */
function aksCompute(): Json {
  return {
    id: `${ids.computes}/aks-mlops-prod-weu`,
    type: 'Microsoft.MachineLearningServices/workspaces/computes',
    name: 'aks-mlops-prod-weu',
    location: LOCATION,
    properties: {
      createdOn: '2026-10-12T10:02:00.0000000+00:00',
      modifiedOn: '2026-10-12T10:09:41.0000000+00:00',
      computeType: 'AKS',
      computeLocation: LOCATION,
      provisioningState: 'Succeeded',
      resourceId: aksCluster,
      isAttachedCompute: true,
      disableLocalAuth: false,
      properties: {
        clusterFqdn: 'aks-mlops-prod-weu-dns-4f1c2a7e.privatelink.westeurope.azmk8s.io',
        agentCount: 3,
        agentVmSize: 'Standard_DS3_v2',
        clusterPurpose: 'FastProd',
        loadBalancerType: 'PublicIp',
        aksNetworkingConfiguration: {
          subnetId: scoringSubnet,
          serviceCidr: '10.0.0.0/16',
          dnsServiceIP: '10.0.0.10',
          dockerBridgeCidr: '172.17.0.1/16',
        },
      },
    },
  };
}

/** The quickstart's deployment, with the key vault's zone named `vaultZone`. */
function quickstart(description: string, vaultZone: string): WorldInput {
  return mutate(description, (w) => {
    const vnet = res(w, ids.vnet);
    vnet.properties.addressSpace = { addressPrefixes: ['192.168.0.0/16'] };
    vnet.properties.subnets = [
      subnet(ids.trainingSubnet, '192.168.0.0/24', { networkSecurityGroup: { id: ids.nsg } }),
      subnet(scoringSubnet, '192.168.1.0/24', { networkSecurityGroup: { id: ids.nsg } }),
      subnet(bastionSubnet, '192.168.250.0/27'),
    ];
    const nsg = res(w, ids.nsg);
    nsg.properties.securityRules = quickstartNsgRules();
    nsg.properties.defaultSecurityRules = defaultSecurityRules(ids.nsg);
    nsg.properties.subnets = [{ id: ids.trainingSubnet }, { id: scoringSubnet }];
    // Every private endpoint in the training subnet (main.bicep passes snet-training to each module).
    for (const pe of [ids.peRegistry, ids.peBlob, ids.peFile, ids.peWorkspace]) res(w, pe).properties.subnet = { id: ids.trainingSubnet };
    const ws = res(w, ids.workspace);
    ws.properties.friendlyName = 'Private link endpoint sample workspace';
    ws.properties.description = 'This is an example workspace having a private link endpoint.';
    ws.properties.imageBuildCompute = 'cluster001';
    w.resources = w.resources.filter((r) => r.type !== 'Microsoft.MachineLearningServices/workspaces/computes');
    const cluster = compute('cluster001', 'AmlCompute', 'Standard_DS3_v2', ids.trainingSubnet);
    cluster.properties.description = 'Machine Learning cluster 001';
    const instance = compute('mlops-ci001', 'ComputeInstance', 'Standard_DS3_v2', ids.trainingSubnet);
    instance.properties.description = 'Machine Learning compute instance 001';
    const vaultZoneId = `${P}/Microsoft.Network/privateDnsZones/${vaultZone}`;
    w.resources.push(
      ...[
        keyVault(),
        privateEndpoint(peKeyVault, ids.keyVault, 'vault', ids.trainingSubnet),
        zoneGroup(peKeyVault, vaultZoneId, [['kv-mlops-prod-weu', '192.168.0.12']]),
        dnsZone(vaultZoneId),
        zoneLink(vaultZoneId, ids.vnet),
        cluster,
        instance,
        aksCompute(),
      ].map(asResource),
    );
  });
}

/** Every world of the family, by file name (without `.json`). */
export function quickstartWorlds(): Record<string, WorldInput> {
  return {
    'quickstart-e2e-secure': quickstart(
      'quickstart-e2e-secure: the state machine-learning-end-to-end-secure leaves, with the key vault zone named privatelink.vaultcore.azure.net; an attached AKS cluster in the scoring subnet. Its NSG names a service tag the mock tag data lacks (AzureContainerRegistry.westeurope), so nsg-outbound-service-tags is undecided; every other check passes.',
      'privatelink.vaultcore.azure.net',
    ),
    'quickstart-e2e-secure-vault-zone': quickstart(
      'quickstart-e2e-secure-vault-zone: the quickstart as its template deploys it: the key vault endpoint registers in privatelink.vault.azure.net, so the vault resolves to its public address and its firewall refuses the computes.',
      'privatelink.vault.azure.net',
    ),
    'quickstart-attached-kubernetes': (() => {
      const w = quickstart(
        'quickstart-attached-kubernetes: the quickstart with an Azure Arc Kubernetes compute attached, whose network the compute resource does not name.',
        'privatelink.vaultcore.azure.net',
      );
      w.resources.push(
        asResource({
          id: `${ids.computes}/arc-onprem-gpu`,
          type: 'Microsoft.MachineLearningServices/workspaces/computes',
          name: 'arc-onprem-gpu',
          location: LOCATION,
          properties: {
            computeType: 'Kubernetes',
            provisioningState: 'Succeeded',
            resourceId: `/subscriptions/${ids.workspace.split('/')[2]}/resourceGroups/rg-onprem-k8s/providers/Microsoft.Kubernetes/connectedClusters/k8s-onprem-gpu`,
            isAttachedCompute: true,
            properties: { namespace: 'azureml', defaultInstanceType: 'defaultinstancetype', extensionInstanceReleaseTrain: 'stable' },
          },
        }),
      );
      return w;
    })(),
  };
}

export { aksCluster, peKeyVault, scoringSubnet, zoneVault, zoneVaultNearMiss };
