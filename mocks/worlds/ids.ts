/** The ids every world shares (the production workspace of the fictional MLOps team, and its resources), and its fake secrets. */
import { createHash } from 'node:crypto';

// Free-form ARM JSON: the world schema validates every world built from it.
export type Json = Record<string, any>;

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
