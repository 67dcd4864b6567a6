/**
 * What-if cases whose verdict depends on what Azure does on its own when the deployment applies
 * (what-if.ts holds the cases' shape and the direct ones).
 */
import { computeOf, ids, LOCATION, privateEndpoint, res, vnetPeering, type Json } from './base.js';
import { buildWorlds } from './generate.js';
import { managedWorlds } from './managed.js';
import { managedNetworkV2Id } from './managed-v2.js';
import { DEPLOYMENT, template, withWhatIf, type WhatIfCase } from './what-if.js';

/**
 * Deployments whose verdict depends on what Azure does on its own when they apply (issue 26 §2),
 * each from Microsoft's documentation of the resource: a deleted endpoint takes its connection and
 * DNS zone group with it; a new workspace has only the computes the template creates; a rule added
 * to a provisioned network becomes Active; peerings created together connect; ARM answers
 * `Unsupported`; one compute's subnet is left unevaluated.
 */
export function whatIfEffectCases(): WhatIfCase[] {
  const healthy = buildWorlds()['healthy-private']!;
  const livePe = structuredClone(res(healthy, ids.peRegistry));
  const newWorkspace = ids.workspace.replace('mlw-mlops-prod-weu', 'mlw-mlops-dev-weu');
  const newCluster = (workspaceId: string, name: string, subnetId: string): Json => {
    const c = computeOf(healthy, 'cpu-build-cluster');
    return {
      ...structuredClone(c),
      id: `${workspaceId}/computes/${name}`,
      name,
      properties: {
        ...structuredClone(c.properties),
        properties: { ...structuredClone(c.properties.properties), subnet: { id: subnetId } },
      },
    };
  };
  const workspaceBody = structuredClone(res(healthy, ids.workspace));
  const devWorkspace: Json = {
    ...workspaceBody,
    id: newWorkspace,
    name: 'mlw-mlops-dev-weu',
    properties: {
      ...workspaceBody.properties,
      friendlyName: 'mlw-mlops-dev-weu',
      imageBuildCompute: 'cpu-build-dev',
      privateEndpointConnections: [],
    },
  };
  // Its build cluster has a GPU size: an image-build-compute finding the new workspace brings with it.
  const devCluster = newCluster(newWorkspace, 'cpu-build-dev', ids.trainingSubnet);
  devCluster.properties.properties.vmSize = 'Standard_NC6s_v3';
  const fqdn = (name: string, destination: string, workspaceId = ids.workspace): Json => ({
    id: `${workspaceId}/outboundRules/${name}`,
    name,
    type: 'Microsoft.MachineLearningServices/workspaces/outboundRules',
    properties: { type: 'FQDN', category: 'UserDefined', destination },
  });
  const fqdnResource = (name: string, destination: string): Json => ({
    type: 'Microsoft.MachineLearningServices/workspaces/outboundRules',
    apiVersion: '2025-12-01',
    name: `mlw-mlops-prod-weu/${name}`,
    properties: { type: 'FQDN', category: 'UserDefined', destination },
  });
  // The PyPI FQDN rules a template adds to a V1 managed network, and what what-if says of them.
  const PYPI = [
    ['allow-pypi', 'pypi.org'],
    ['allow-pythonhosted', 'files.pythonhosted.org'],
  ] as const;
  const addPypiRules = () =>
    [
      template(PYPI.map(([name, destination]) => fqdnResource(name, destination))),
      PYPI.map(([name, destination]) => ({
        resourceId: `${ids.workspace}/outboundRules/${name}`,
        changeType: 'Create',
        after: fqdn(name, destination),
      })),
    ] as const;
  const peeringResource = (vnet: string, remote: string): Json => ({
    type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
    apiVersion: '2024-05-01',
    name: `${vnet.split('/').pop()}/peer-${remote.split('/').pop()}`,
    properties: { remoteVirtualNetwork: { id: remote }, allowVirtualNetworkAccess: true, allowForwardedTraffic: false },
  });
  // What what-if answers for a new peering: the template's properties, no peeringState (Azure sets it).
  const peeringAfter = (vnet: string, remote: string, space: string): Json => {
    const p = vnetPeering(vnet, remote, 'Initiated', space);
    delete p.properties.peeringState;
    delete p.properties.peeringSyncLevel;
    return p;
  };
  const unevaluatedSubnet = "[reference(resourceId('Microsoft.Network/virtualNetworks', parameters('batchVnet'))).subnets[1].id]";
  const batch = newCluster(ids.workspace, 'cpu-batch-cluster', unevaluatedSubnet);
  // A new registry endpoint in the build VNet, as what-if answers it: the template's connection request, no state yet.
  const buildPeId = ids.peRegistry.replace('pe-crmlopsprodweu-registry', 'pe-crmlopsprodweu-registry-build');
  const buildPe = (manual: boolean): Json => {
    const pe = privateEndpoint(buildPeId, ids.registry, 'registry', ids.buildSubnet);
    const request = pe.properties.privateLinkServiceConnections[0];
    delete request.properties.privateLinkServiceConnectionState;
    delete request.properties.provisioningState;
    delete pe.properties.networkInterfaces;
    pe.properties.privateLinkServiceConnections = manual ? [] : [request];
    pe.properties.manualPrivateLinkServiceConnections = manual ? [request] : [];
    return pe;
  };
  const buildPeResource = (manual: boolean): Json => ({
    type: 'Microsoft.Network/privateEndpoints',
    apiVersion: '2024-05-01',
    name: 'pe-crmlopsprodweu-registry-build',
    location: LOCATION,
    properties: {
      subnet: { id: ids.buildSubnet },
      [manual ? 'manualPrivateLinkServiceConnections' : 'privateLinkServiceConnections']: [
        { name: 'registry', properties: { privateLinkServiceId: ids.registry, groupIds: ['registry'] } },
      ],
    },
  });
  // The workspace as the template writes it: its managed network's map holds only the user-defined rules it declares.
  const fqdnMissing = managedWorlds()['managed-package-fqdn-missing']!;
  const liveWorkspace = structuredClone(res(fqdnMissing, ids.workspace));
  const plannedWorkspace = structuredClone(liveWorkspace);
  plannedWorkspace.properties.managedNetwork.outboundRules = {
    'allow-pypi': { type: 'FQDN', category: 'UserDefined', destination: 'pypi.org' },
    'allow-pythonhosted': { type: 'FQDN', category: 'UserDefined', destination: 'files.pythonhosted.org' },
  };
  const provisioning = structuredClone(managedWorlds()['managed-package-fqdn-missing']!);
  res(provisioning, ids.workspace).properties.managedNetwork.status = { status: 'Provisioning', sparkReady: false };

  return [
    withWhatIf(
      'healthy-private',
      'whatif-deletes-registry-endpoint: the template (complete mode) no longer declares the registry private endpoint, so the deployment deletes it; Azure removes its connection on the registry and its DNS zone group with it.',
      DEPLOYMENT,
      template([]),
      [{ resourceId: ids.peRegistry, changeType: 'Delete', before: livePe }],
    ),
    withWhatIf(
      'ibc-unpeered-vnet',
      "whatif-adds-build-endpoint-manual: the template adds a registry private endpoint in the build VNet with a manual connection request: Azure leaves it Pending until the registry's owner approves.",
      DEPLOYMENT,
      template([buildPeResource(true)]),
      [{ resourceId: buildPeId, changeType: 'Create', after: buildPe(true) }],
    ),
    withWhatIf(
      'ibc-unpeered-vnet',
      'whatif-adds-build-endpoint: the template adds a registry private endpoint in the build VNet; whether Azure approves its connection on its own depends on the identity that deploys it.',
      DEPLOYMENT,
      template([buildPeResource(false)]),
      [{ resourceId: buildPeId, changeType: 'Create', after: buildPe(false) }],
    ),
    withWhatIf(
      'healthy-private',
      'whatif-creates-workspace: the template creates a second workspace, mlw-mlops-dev-weu, on the same storage account and registry, and its image build cluster in the training subnet.',
      DEPLOYMENT,
      template([
        {
          type: 'Microsoft.MachineLearningServices/workspaces',
          apiVersion: '2025-12-01',
          name: 'mlw-mlops-dev-weu',
          location: LOCATION,
          properties: { imageBuildCompute: 'cpu-build-dev' },
        },
        {
          type: 'Microsoft.MachineLearningServices/workspaces/computes',
          apiVersion: '2025-12-01',
          name: 'mlw-mlops-dev-weu/cpu-build-dev',
          location: LOCATION,
          properties: { computeType: 'AmlCompute' },
        },
      ]),
      [
        { resourceId: newWorkspace, changeType: 'Create', after: devWorkspace },
        { resourceId: String(devCluster.id), changeType: 'Create', after: devCluster },
      ],
    ),
    withWhatIf(
      'ibc-peered-vnet',
      'whatif-deletes-build-peering: the template deletes the peering from the build VNet to the endpoint VNet; Azure leaves the peering back Disconnected.',
      DEPLOYMENT,
      template([]),
      [
        {
          resourceId: `${ids.buildVnet}/virtualNetworkPeerings/peer-vnet-mlops-prod-weu`,
          changeType: 'Delete',
          before: vnetPeering(ids.buildVnet, ids.vnet, 'Connected', '10.20.0.0/16'),
        },
      ],
    ),
    withWhatIf(
      'ibc-unpeered-vnet',
      'whatif-peers-build-vnet: the template creates both peerings between the build VNet and the endpoint VNet; Azure connects both once the second exists.',
      DEPLOYMENT,
      template([peeringResource(ids.buildVnet, ids.vnet), peeringResource(ids.vnet, ids.buildVnet)]),
      [
        {
          resourceId: `${ids.buildVnet}/virtualNetworkPeerings/peer-vnet-mlops-prod-weu`,
          changeType: 'Create',
          after: peeringAfter(ids.buildVnet, ids.vnet, '10.20.0.0/16'),
        },
        {
          resourceId: `${ids.vnet}/virtualNetworkPeerings/peer-vnet-mlops-build-weu`,
          changeType: 'Create',
          after: peeringAfter(ids.vnet, ids.buildVnet, '10.30.0.0/16'),
        },
      ],
    ),
    withWhatIf(
      'ibc-unpeered-vnet',
      'whatif-peers-one-side: the template creates only the peering from the build VNet to the endpoint VNet; it stays Initiated until the peering back exists.',
      DEPLOYMENT,
      template([peeringResource(ids.buildVnet, ids.vnet)]),
      [
        {
          resourceId: `${ids.buildVnet}/virtualNetworkPeerings/peer-vnet-mlops-prod-weu`,
          changeType: 'Create',
          after: peeringAfter(ids.buildVnet, ids.vnet, '10.20.0.0/16'),
        },
      ],
    ),
    withWhatIf(
      'healthy-private',
      "whatif-unsupported-nsg: ARM answers Unsupported for the training subnet's NSG: its name is computed at deployment time, so what-if cannot predict its rules.",
      DEPLOYMENT,
      template(
        [
          {
            type: 'Microsoft.Network/networkSecurityGroups',
            apiVersion: '2024-05-01',
            name: "[concat('nsg-mlops-training-', parameters('region'))]",
            location: LOCATION,
            properties: {},
          },
        ],
        {
          region: { type: 'string', defaultValue: 'weu' },
        },
      ),
      [
        {
          resourceId: ids.nsg,
          changeType: 'Unsupported',
          unsupportedReason:
            "Changes to the resource declared at 'resources[0]' on line 1 and column 120 cannot be analyzed because its resource ID or API version cannot be calculated until the deployment is under way. Please see https://aka.ms/WhatIfUnidentifiableResource for more guidance.",
        },
      ],
    ),
    withWhatIf(
      'managed-package-fqdn-missing',
      'whatif-adds-pypi-rules: the template adds the PyPI FQDN outbound rules to the provisioned managed network; Azure makes them Active.',
      DEPLOYMENT,
      ...addPypiRules(),
    ),
    withWhatIf(
      'managed-v2-package-fqdn-missing',
      'whatif-adds-pypi-rules-v2: the template adds the PyPI FQDN rules under the provisioned V2 managed network (managedNetworks/default); Azure makes them Active.',
      DEPLOYMENT,
      template(
        ['allow-pypi', 'allow-pythonhosted'].map((name) => ({
          ...fqdnResource(name, ''),
          type: 'Microsoft.MachineLearningServices/workspaces/managedNetworks/outboundRules',
          name: `mlw-mlops-prod-weu/default/${name}`,
        })),
      ),
      [
        ['allow-pypi', 'pypi.org'],
        ['allow-pythonhosted', 'files.pythonhosted.org'],
      ].map(([name, destination]) => ({
        resourceId: `${managedNetworkV2Id}/outboundRules/${name}`,
        changeType: 'Create',
        after: {
          ...fqdn(name!, destination!),
          id: `${managedNetworkV2Id}/outboundRules/${name}`,
          type: 'Microsoft.MachineLearningServices/workspaces/managedNetworks/outboundRules',
        },
      })),
    ),
    withWhatIf(
      'managed-package-fqdn-missing',
      'whatif-workspace-map-adds-pypi: the template redeploys the workspace with the PyPI FQDN rules in its managedNetwork.outboundRules map, and none of the rules the service added (Required): those stay, the new ones become Active.',
      DEPLOYMENT,
      template([
        {
          type: 'Microsoft.MachineLearningServices/workspaces',
          apiVersion: '2025-12-01',
          name: 'mlw-mlops-prod-weu',
          location: LOCATION,
          properties: {
            managedNetwork: {
              isolationMode: 'AllowOnlyApprovedOutbound',
              outboundRules: plannedWorkspace.properties.managedNetwork.outboundRules,
            },
          },
        },
      ]),
      [{ resourceId: ids.workspace, changeType: 'Modify', before: liveWorkspace, after: plannedWorkspace }],
    ),
    withWhatIf(
      provisioning,
      'whatif-adds-rules-provisioning: the same rules added while the managed network is still Provisioning: what Azure sets their status to is not certain yet.',
      DEPLOYMENT,
      ...addPypiRules(),
    ),
    withWhatIf(
      'healthy-private',
      'whatif-unevaluated-compute-subnet: the template adds a batch cluster whose subnet comes from a reference() what-if cannot evaluate; the image build cluster is fully known.',
      DEPLOYMENT,
      template(
        [
          {
            type: 'Microsoft.MachineLearningServices/workspaces/computes',
            apiVersion: '2025-12-01',
            name: 'mlw-mlops-prod-weu/cpu-batch-cluster',
            location: LOCATION,
            properties: { computeType: 'AmlCompute', properties: { subnet: { id: unevaluatedSubnet } } },
          },
        ],
        {
          batchVnet: { type: 'string' },
        },
      ),
      [{ resourceId: String(batch.id), changeType: 'Create', after: batch }],
    ),
  ];
}
