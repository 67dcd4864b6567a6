/**
 * The mapping table, one case per Terraform type: the planned attributes of a create (azurerm 4.x
 * names, as `terraform show -json` prints them) and the ARM id and body they produce. A type added
 * to the table without a case here fails the last test.
 */
import { describe, expect, it } from 'vitest';
import { mapTerraformPlan, parseTerraformPlan, plannedChanges, TABLE, type TerraformChange } from '../../src/terraform/index.js';

const SUB = '3f2e4d5c-6b7a-4988-9a1b-2c3d4e5f6a7b';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-mlops-prod-weu`;
const NET = `${RG}/providers/Microsoft.Network`;
const WS = `${RG}/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-prod-weu`;
const CR = `${RG}/providers/Microsoft.ContainerRegistry/registries/crmlopsprodweu`;
const ST = `${RG}/providers/Microsoft.Storage/storageAccounts/stmlopsprodweu`;
const KV = `${RG}/providers/Microsoft.KeyVault/vaults/kv-mlops-prod-weu`;
const SUBNET = `${NET}/virtualNetworks/vnet-mlops-prod-weu/subnets/snet-training`;
const rg = { resource_group_name: 'rg-mlops-prod-weu', location: 'westeurope' };

interface Case {
  readonly after: Record<string, unknown>;
  /** The id of the change the case is about (an edit's target for separate-resource types). */
  readonly id: string;
  readonly body: Record<string, unknown>;
}

const CASES: Record<string, Case> = {
  azurerm_machine_learning_workspace: {
    after: {
      ...rg,
      name: 'mlw-mlops-prod-weu',
      storage_account_id: ST,
      key_vault_id: KV,
      container_registry_id: CR,
      public_network_access_enabled: false,
      image_build_compute_name: 'cpu-build-cluster',
      managed_network: [{ isolation_mode: 'AllowOnlyApprovedOutbound' }],
      identity: [{ type: 'SystemAssigned', identity_ids: null }],
      serverless_compute: [{ subnet_id: SUBNET, public_ip_enabled: false }],
    },
    id: WS,
    body: {
      kind: 'Default',
      identity: { type: 'SystemAssigned' },
      properties: {
        storageAccount: ST,
        containerRegistry: CR,
        publicNetworkAccess: 'Disabled',
        imageBuildCompute: 'cpu-build-cluster',
        managedNetwork: { isolationMode: 'AllowOnlyApprovedOutbound' },
        serverlessComputeSettings: { serverlessComputeCustomSubnet: SUBNET, serverlessComputeNoPublicIP: true },
      },
    },
  },
  azurerm_ai_foundry: {
    after: {
      ...rg,
      name: 'hub-mlops-prod-weu',
      storage_account_id: ST,
      key_vault_id: KV,
      public_network_access: 'Disabled',
      managed_network: [{ isolation_mode: 'AllowInternetOutbound' }],
    },
    id: `${RG}/providers/Microsoft.MachineLearningServices/workspaces/hub-mlops-prod-weu`,
    body: { kind: 'Hub', properties: { publicNetworkAccess: 'Disabled', managedNetwork: { isolationMode: 'AllowInternetOutbound' } } },
  },
  azurerm_ai_foundry_project: {
    after: {
      name: 'proj-churn',
      location: 'westeurope',
      ai_services_hub_id: `${RG}/providers/Microsoft.MachineLearningServices/workspaces/hub-mlops-prod-weu`,
    },
    id: `${RG}/providers/Microsoft.MachineLearningServices/workspaces/proj-churn`,
    body: {
      kind: 'Project',
      properties: { hubResourceId: `${RG}/providers/Microsoft.MachineLearningServices/workspaces/hub-mlops-prod-weu` },
    },
  },
  azurerm_machine_learning_compute_cluster: {
    after: {
      name: 'cpu-build-cluster',
      location: 'westeurope',
      machine_learning_workspace_id: WS,
      vm_size: 'Standard_DS3_v2',
      vm_priority: 'Dedicated',
      subnet_resource_id: SUBNET,
      node_public_ip_enabled: false,
    },
    id: `${WS}/computes/cpu-build-cluster`,
    body: {
      properties: {
        computeType: 'AmlCompute',
        provisioningState: 'Succeeded',
        properties: { vmSize: 'Standard_DS3_v2', subnet: { id: SUBNET }, enableNodePublicIp: false },
      },
    },
  },
  azurerm_machine_learning_compute_instance: {
    after: {
      name: 'ci-analyst-ds',
      machine_learning_workspace_id: WS,
      virtual_machine_size: 'Standard_DS11_v2',
      subnet_resource_id: SUBNET,
      node_public_ip_enabled: false,
    },
    id: `${WS}/computes/ci-analyst-ds`,
    body: { properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS11_v2', subnet: { id: SUBNET } } } },
  },
  azurerm_machine_learning_workspace_network_outbound_rule_fqdn: {
    after: { name: 'allow-pypi', workspace_id: WS, destination_fqdn: 'pypi.org' },
    id: `${WS}/outboundRules/allow-pypi`,
    body: { properties: { type: 'FQDN', category: 'UserDefined', destination: 'pypi.org' } },
  },
  azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint: {
    after: { name: 'pe-registry', workspace_id: WS, service_resource_id: CR, sub_resource_target: 'registry', spark_enabled: false },
    id: `${WS}/outboundRules/pe-registry`,
    body: {
      properties: { type: 'PrivateEndpoint', destination: { serviceResourceId: CR, subresourceTarget: 'registry', sparkEnabled: false } },
    },
  },
  azurerm_machine_learning_workspace_network_outbound_rule_service_tag: {
    after: { name: 'allow-frontdoor', workspace_id: WS, service_tag: 'AzureFrontDoor.FirstParty', protocol: 'TCP', port_ranges: '443' },
    id: `${WS}/outboundRules/allow-frontdoor`,
    body: {
      properties: { type: 'ServiceTag', destination: { serviceTag: 'AzureFrontDoor.FirstParty', protocol: 'TCP', portRanges: '443' } },
    },
  },
  azurerm_virtual_network: {
    after: {
      ...rg,
      name: 'vnet-mlops-prod-weu',
      address_space: ['10.20.0.0/16'],
      dns_servers: [],
      subnet: [
        {
          name: 'snet-training',
          address_prefixes: ['10.20.1.0/24'],
          security_group: `${NET}/networkSecurityGroups/nsg-mlops-training-weu`,
        },
      ],
    },
    id: `${NET}/virtualNetworks/vnet-mlops-prod-weu`,
    body: {
      properties: {
        addressSpace: { addressPrefixes: ['10.20.0.0/16'] },
        subnets: [
          {
            id: SUBNET,
            name: 'snet-training',
            properties: {
              addressPrefixes: ['10.20.1.0/24'],
              networkSecurityGroup: { id: `${NET}/networkSecurityGroups/nsg-mlops-training-weu` },
            },
          },
        ],
        virtualNetworkPeerings: [],
      },
    },
  },
  azurerm_subnet: {
    after: {
      name: 'snet-training',
      resource_group_name: 'rg-mlops-prod-weu',
      virtual_network_name: 'vnet-mlops-prod-weu',
      address_prefixes: ['10.20.1.0/24'],
      service_endpoints: ['Microsoft.Storage'],
      private_endpoint_network_policies: 'Disabled',
    },
    id: SUBNET,
    body: {
      properties: {
        addressPrefixes: ['10.20.1.0/24'],
        serviceEndpoints: [{ service: 'Microsoft.Storage' }],
        privateEndpointNetworkPolicies: 'Disabled',
      },
    },
  },
  azurerm_subnet_network_security_group_association: {
    after: { subnet_id: SUBNET, network_security_group_id: `${NET}/networkSecurityGroups/nsg-mlops-training-weu` },
    id: SUBNET,
    body: { properties: { networkSecurityGroup: { id: `${NET}/networkSecurityGroups/nsg-mlops-training-weu` } } },
  },
  azurerm_subnet_route_table_association: {
    after: { subnet_id: SUBNET, route_table_id: `${NET}/routeTables/rt-mlops-weu` },
    id: SUBNET,
    body: { properties: { routeTable: { id: `${NET}/routeTables/rt-mlops-weu` } } },
  },
  azurerm_network_security_group: {
    after: {
      ...rg,
      name: 'nsg-mlops-training-weu',
      security_rule: [
        {
          name: 'AllowMcrOutbound',
          priority: 100,
          direction: 'Outbound',
          access: 'Allow',
          protocol: 'Tcp',
          source_port_range: '*',
          destination_port_range: '443',
          source_address_prefix: 'VirtualNetwork',
          destination_address_prefix: 'MicrosoftContainerRegistry',
          source_address_prefixes: [],
          destination_address_prefixes: [],
          source_port_ranges: [],
          destination_port_ranges: [],
        },
      ],
    },
    id: `${NET}/networkSecurityGroups/nsg-mlops-training-weu`,
    body: {
      properties: {
        securityRules: [
          {
            id: `${NET}/networkSecurityGroups/nsg-mlops-training-weu/securityRules/AllowMcrOutbound`,
            name: 'AllowMcrOutbound',
            properties: {
              priority: 100,
              direction: 'Outbound',
              access: 'Allow',
              destinationPortRange: '443',
              destinationAddressPrefix: 'MicrosoftContainerRegistry',
            },
          },
        ],
      },
    },
  },
  azurerm_network_security_rule: {
    after: {
      name: 'AllowMcrOutbound',
      resource_group_name: 'rg-mlops-prod-weu',
      network_security_group_name: 'nsg-mlops-training-weu',
      priority: 100,
      direction: 'Outbound',
      access: 'Allow',
      protocol: 'Tcp',
      source_port_range: '*',
      destination_port_ranges: ['443', '8443'],
      source_address_prefix: 'VirtualNetwork',
      destination_address_prefix: 'MicrosoftContainerRegistry',
    },
    id: `${NET}/networkSecurityGroups/nsg-mlops-training-weu/securityRules/AllowMcrOutbound`,
    body: {
      properties: {
        destinationPortRanges: ['443', '8443'],
        destinationAddressPrefix: 'MicrosoftContainerRegistry',
        sourceAddressPrefixes: [],
      },
    },
  },
  azurerm_route_table: {
    after: {
      ...rg,
      name: 'rt-mlops-weu',
      bgp_route_propagation_enabled: false,
      route: [{ name: 'to-firewall', address_prefix: '0.0.0.0/0', next_hop_type: 'VirtualAppliance', next_hop_in_ip_address: '10.0.1.4' }],
    },
    id: `${NET}/routeTables/rt-mlops-weu`,
    body: {
      properties: {
        disableBgpRoutePropagation: true,
        routes: [
          {
            id: `${NET}/routeTables/rt-mlops-weu/routes/to-firewall`,
            name: 'to-firewall',
            properties: { addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.0.1.4' },
          },
        ],
      },
    },
  },
  azurerm_route: {
    after: {
      name: 'to-internet',
      resource_group_name: 'rg-mlops-prod-weu',
      route_table_name: 'rt-mlops-weu',
      address_prefix: 'AzureFrontDoor.FirstParty',
      next_hop_type: 'Internet',
    },
    id: `${NET}/routeTables/rt-mlops-weu/routes/to-internet`,
    body: { properties: { addressPrefix: 'AzureFrontDoor.FirstParty', nextHopType: 'Internet' } },
  },
  azurerm_virtual_network_peering: {
    after: {
      name: 'build-to-data',
      resource_group_name: 'rg-mlops-prod-weu',
      virtual_network_name: 'vnet-mlops-prod-weu',
      remote_virtual_network_id: `${NET}/virtualNetworks/vnet-data`,
      allow_virtual_network_access: true,
    },
    id: `${NET}/virtualNetworks/vnet-mlops-prod-weu/virtualNetworkPeerings/build-to-data`,
    body: { properties: { remoteVirtualNetwork: { id: `${NET}/virtualNetworks/vnet-data` }, allowVirtualNetworkAccess: true } },
  },
  azurerm_private_endpoint: {
    after: {
      ...rg,
      name: 'pe-crmlopsprodweu-registry',
      subnet_id: SUBNET,
      private_service_connection: [
        { name: 'registry', is_manual_connection: false, private_connection_resource_id: CR, subresource_names: ['registry'] },
      ],
    },
    id: `${NET}/privateEndpoints/pe-crmlopsprodweu-registry`,
    body: {
      properties: {
        subnet: { id: SUBNET },
        privateLinkServiceConnections: [{ name: 'registry', properties: { privateLinkServiceId: CR, groupIds: ['registry'] } }],
        manualPrivateLinkServiceConnections: [],
      },
    },
  },
  azurerm_private_dns_zone: {
    after: { name: 'privatelink.azurecr.io', resource_group_name: 'rg-mlops-prod-weu' },
    id: `${NET}/privateDnsZones/privatelink.azurecr.io`,
    body: { location: 'global' },
  },
  azurerm_private_dns_zone_virtual_network_link: {
    after: {
      name: 'link-vnet-mlops-prod-weu',
      resource_group_name: 'rg-mlops-prod-weu',
      private_dns_zone_name: 'privatelink.azurecr.io',
      virtual_network_id: `${NET}/virtualNetworks/vnet-mlops-prod-weu`,
      registration_enabled: false,
    },
    id: `${NET}/privateDnsZones/privatelink.azurecr.io/virtualNetworkLinks/link-vnet-mlops-prod-weu`,
    body: { properties: { virtualNetwork: { id: `${NET}/virtualNetworks/vnet-mlops-prod-weu` }, registrationEnabled: false } },
  },
  azurerm_container_registry: {
    after: {
      ...rg,
      name: 'crmlopsprodweu',
      sku: 'Premium',
      admin_enabled: false,
      public_network_access_enabled: false,
      network_rule_bypass_option: 'AzureServices',
      network_rule_set: [{ default_action: 'Deny', ip_rule: [{ action: 'Allow', ip_range: '203.0.113.0/24' }] }],
    },
    id: CR,
    body: {
      sku: { name: 'Premium' },
      properties: {
        adminUserEnabled: false,
        publicNetworkAccess: 'Disabled',
        networkRuleBypassOptions: 'AzureServices',
        networkRuleSet: { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '203.0.113.0/24' }] },
        privateEndpointConnections: [],
      },
    },
  },
  azurerm_storage_account: {
    after: {
      ...rg,
      name: 'stmlopsprodweu',
      account_tier: 'Standard',
      account_replication_type: 'LRS',
      account_kind: 'StorageV2',
      shared_access_key_enabled: false,
      public_network_access_enabled: true,
      network_rules: [{ default_action: 'Deny', bypass: ['AzureServices'], ip_rules: [], virtual_network_subnet_ids: [SUBNET] }],
    },
    id: ST,
    body: {
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      properties: {
        allowSharedKeyAccess: false,
        publicNetworkAccess: 'Enabled',
        networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', virtualNetworkRules: [{ id: SUBNET, action: 'Allow' }] },
      },
    },
  },
  azurerm_storage_account_network_rules: {
    after: {
      storage_account_id: ST,
      default_action: 'Deny',
      bypass: ['AzureServices', 'Logging'],
      ip_rules: ['203.0.113.7'],
      virtual_network_subnet_ids: [],
    },
    id: ST,
    body: {
      properties: {
        networkAcls: {
          defaultAction: 'Deny',
          bypass: 'AzureServices, Logging',
          ipRules: [{ value: '203.0.113.7', action: 'Allow' }],
          virtualNetworkRules: [],
        },
      },
    },
  },
  azurerm_key_vault: {
    after: {
      ...rg,
      name: 'kv-mlops-prod-weu',
      tenant_id: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      sku_name: 'standard',
      rbac_authorization_enabled: true,
      public_network_access_enabled: false,
    },
    id: KV,
    body: {
      properties: {
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
        publicNetworkAccess: 'Disabled',
        accessPolicies: [],
      },
    },
  },
  azurerm_key_vault_access_policy: {
    after: {
      key_vault_id: KV,
      tenant_id: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      object_id: '5b1c7a2e-0d3f-4e8a-9c6b-1f2e3d4c5b6a',
      secret_permissions: ['Get', 'List'],
    },
    id: KV,
    body: {
      properties: { accessPolicies: [{ objectId: '5b1c7a2e-0d3f-4e8a-9c6b-1f2e3d4c5b6a', permissions: { secrets: ['Get', 'List'] } }] },
    },
  },
  azurerm_firewall: {
    after: {
      ...rg,
      name: 'afw-hub-weu',
      sku_name: 'AZFW_VNet',
      sku_tier: 'Standard',
      firewall_policy_id: `${NET}/firewallPolicies/afwp-hub-weu`,
      ip_configuration: [
        {
          name: 'ipconfig',
          subnet_id: `${NET}/virtualNetworks/vnet-hub/subnets/AzureFirewallSubnet`,
          public_ip_address_id: `${NET}/publicIPAddresses/pip-afw`,
          private_ip_address: '10.0.1.4',
        },
      ],
    },
    id: `${NET}/azureFirewalls/afw-hub-weu`,
    body: {
      properties: {
        sku: { name: 'AZFW_VNet', tier: 'Standard' },
        firewallPolicy: { id: `${NET}/firewallPolicies/afwp-hub-weu` },
        ipConfigurations: [{ name: 'ipconfig', properties: { privateIPAddress: '10.0.1.4' } }],
      },
    },
  },
  azurerm_firewall_policy: {
    after: { ...rg, name: 'afwp-hub-weu', sku: 'Standard', dns: [{ proxy_enabled: true, servers: ['168.63.129.16'] }] },
    id: `${NET}/firewallPolicies/afwp-hub-weu`,
    body: { properties: { sku: { tier: 'Standard' }, dnsSettings: { enableProxy: true, servers: ['168.63.129.16'] } } },
  },
  azurerm_firewall_policy_rule_collection_group: {
    after: {
      name: 'aml-egress',
      firewall_policy_id: `${NET}/firewallPolicies/afwp-hub-weu`,
      priority: 200,
      application_rule_collection: [
        {
          name: 'aml-fqdns',
          priority: 300,
          action: 'Allow',
          rule: [
            {
              name: 'mcr',
              source_addresses: ['10.20.1.0/24'],
              destination_fqdns: ['mcr.microsoft.com'],
              protocols: [{ type: 'Https', port: 443 }],
            },
          ],
        },
      ],
      network_rule_collection: [
        {
          name: 'aml-tags',
          priority: 400,
          action: 'Allow',
          rule: [
            {
              name: 'aml',
              protocols: ['TCP'],
              source_addresses: ['10.20.1.0/24'],
              destination_addresses: ['AzureMachineLearning'],
              destination_ports: ['443'],
            },
          ],
        },
      ],
    },
    id: `${NET}/firewallPolicies/afwp-hub-weu/ruleCollectionGroups/aml-egress`,
    body: {
      properties: {
        priority: 200,
        ruleCollections: [
          {
            ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
            name: 'aml-fqdns',
            action: { type: 'Allow' },
            rules: [{ ruleType: 'ApplicationRule', targetFqdns: ['mcr.microsoft.com'], protocols: [{ protocolType: 'Https', port: 443 }] }],
          },
          {
            name: 'aml-tags',
            rules: [
              { ruleType: 'NetworkRule', ipProtocols: ['TCP'], destinationAddresses: ['AzureMachineLearning'], destinationPorts: ['443'] },
            ],
          },
        ],
      },
    },
  },
  azurerm_ip_group: {
    after: { ...rg, name: 'ipg-aml-subnets', cidrs: ['10.20.1.0/24'] },
    id: `${NET}/ipGroups/ipg-aml-subnets`,
    body: { properties: { ipAddresses: ['10.20.1.0/24'] } },
  },
  azurerm_role_assignment: {
    after: {
      name: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
      scope: CR,
      role_definition_id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d`,
      principal_id: '5b1c7a2e-0d3f-4e8a-9c6b-1f2e3d4c5b6a',
      principal_type: 'ServicePrincipal',
    },
    id: `${CR}/providers/Microsoft.Authorization/roleAssignments/b24988ac-6180-42a0-ab88-20f7382dd24c`,
    body: { properties: { scope: CR, principalId: '5b1c7a2e-0d3f-4e8a-9c6b-1f2e3d4c5b6a', principalType: 'ServicePrincipal' } },
  },
  azapi_resource: {
    after: {
      type: 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01',
      parent_id: WS,
      name: 'allow-conda',
      body: { properties: { type: 'FQDN', category: 'UserDefined', destination: 'conda.anaconda.org' } },
    },
    id: `${WS}/outboundRules/allow-conda`,
    body: { properties: { type: 'FQDN', destination: 'conda.anaconda.org' } },
  },
  azapi_update_resource: {
    after: {
      type: 'Microsoft.ContainerRegistry/registries@2023-07-01',
      resource_id: CR,
      body: JSON.stringify({ properties: { networkRuleBypassOptions: 'None' } }),
    },
    id: CR,
    body: { properties: { adminUserEnabled: false, networkRuleBypassOptions: 'None' } },
  },
};

/** The live bodies edits are laid over. */
const LIVE: Record<string, Record<string, unknown>> = {
  [SUBNET.toLowerCase()]: { id: SUBNET, name: 'snet-training', properties: { addressPrefix: '10.20.1.0/24' } },
  [ST.toLowerCase()]: { id: ST, properties: { networkAcls: { defaultAction: 'Allow' } } },
  [KV.toLowerCase()]: { id: KV, properties: { accessPolicies: [] } },
  [CR.toLowerCase()]: { id: CR, properties: { adminUserEnabled: false, networkRuleBypassOptions: 'AzureServices' } },
};

async function planned(type: string, after: Record<string, unknown>): Promise<readonly TerraformChange[]> {
  const plan = parseTerraformPlan({
    format_version: '1.2',
    resource_changes: [
      {
        address: `${type}.this`,
        mode: 'managed',
        type,
        name: 'this',
        change: { actions: ['create'], before: null, after, after_unknown: { id: true } },
      },
    ],
  });
  const mapping = mapTerraformPlan(plan, { subscriptionId: SUB });
  expect(mapping.problems).toEqual([]);
  return plannedChanges(mapping, (id) => Promise.resolve(structuredClone(LIVE[id.toLowerCase()])));
}

describe('the mapping table', () => {
  it.each(Object.entries(CASES))('%s', async (type, c) => {
    const changes = await planned(type, c.after);
    const change = changes.find((x) => x.resourceId.toLowerCase() === c.id.toLowerCase());
    expect(change, `no change of ${c.id} among ${changes.map((x) => x.resourceId).join(', ')}`).toBeDefined();
    expect(change!.unknown).toBeUndefined();
    expect(change!.after).toMatchObject(c.body);
  });

  it('has a case for every mapped type, and each mapping names the provider source it follows', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(TABLE.mappings).sort());
    for (const [type, m] of Object.entries(TABLE.mappings)) expect(m.source, type).toMatch(/internal\/services\/[\w/]+_resource\.go$/);
  });

  it('a created private endpoint adds its connection to the target, Approved when automatic', async () => {
    const changes = await planned('azurerm_private_endpoint', CASES.azurerm_private_endpoint!.after);
    const registry = changes.find((x) => x.resourceId === CR)!;
    expect(registry.after).toMatchObject({
      properties: {
        privateEndpointConnections: [
          {
            properties: {
              privateEndpoint: { id: `${NET}/privateEndpoints/pe-crmlopsprodweu-registry` },
              privateLinkServiceConnectionState: { status: 'Approved' },
            },
          },
        ],
      },
    });
  });
});
