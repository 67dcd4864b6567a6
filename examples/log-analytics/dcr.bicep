// The table, data collection endpoint and rule `aml-preflight audit --log-analytics` sends to.
// Deploy into the resource group of an existing Log Analytics workspace:
//   az deployment group create -g <rg> -f examples/log-analytics/dcr.bicep \
//     -p workspaceName=<law> principalId=<object id of the identity that runs the audit>
// Then run:
//   aml-preflight audit ... --log-analytics <outputs.logsIngestionEndpoint> --dcr <outputs.dcrImmutableId>
// https://learn.microsoft.com/azure/azure-monitor/logs/tutorial-logs-ingestion-api
// The columns match src/log-analytics.ts (LogRow).

param workspaceName string
param location string = resourceGroup().location
@description('Object id of the identity the audit runs as (a pipeline\'s service principal or managed identity).')
param principalId string
param tableName string = 'AmlPreflight_CL'

var columns = [
  { name: 'TimeGenerated', type: 'datetime' }
  { name: 'RunId', type: 'string' }
  { name: 'ToolVersion', type: 'string' }
  { name: 'WorkspaceId', type: 'string' }
  { name: 'Workspace', type: 'string' }
  { name: 'SubscriptionId', type: 'string' }
  { name: 'ResourceGroup', type: 'string' }
  { name: 'CheckId', type: 'string' }
  { name: 'Status', type: 'string' }
  { name: 'Severity', type: 'string' }
  { name: 'FindingCount', type: 'int' }
  { name: 'NewFindingCount', type: 'int' }
  { name: 'Fingerprints', type: 'dynamic' }
  { name: 'FirstMessage', type: 'string' }
]

resource law 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {
  name: workspaceName
}

resource table 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = {
  parent: law
  name: tableName
  properties: {
    plan: 'Analytics'
    retentionInDays: 90
    schema: {
      name: tableName
      columns: columns
    }
  }
}

resource dce 'Microsoft.Insights/dataCollectionEndpoints@2023-03-11' = {
  name: 'dce-aml-preflight'
  location: location
  properties: {
    networkAcls: { publicNetworkAccess: 'Enabled' }
  }
}

resource dcr 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: 'dcr-aml-preflight'
  location: location
  dependsOn: [table]
  properties: {
    dataCollectionEndpointId: dce.id
    streamDeclarations: {
      'Custom-${tableName}': { columns: columns }
    }
    destinations: {
      logAnalytics: [{ workspaceResourceId: law.id, name: 'law' }]
    }
    dataFlows: [
      {
        streams: ['Custom-${tableName}']
        destinations: ['law']
        transformKql: 'source'
        outputStream: 'Custom-${tableName}'
      }
    ]
  }
}

// Monitoring Metrics Publisher on the rule: what the Logs Ingestion API asks of the caller.
resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: dcr
  name: guid(dcr.id, principalId, '3913510d-42f4-4e42-8a64-420c390055eb')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')
    principalId: principalId
  }
}

output logsIngestionEndpoint string = dce.properties.logsIngestion.endpoint
output dcrImmutableId string = dcr.properties.immutableId
output stream string = 'Custom-${tableName}'
