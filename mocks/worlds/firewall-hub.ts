/**
 * The hub of the hub-and-spoke worlds (issue 21): a hub VNet in the connectivity subscription, peered
 * with the spoke, whose Azure Firewall the training subnet's route table sends 0.0.0.0/0 to, with the
 * policy and rule collections that allow what image builds and compute need. Shapes follow
 * Microsoft's examples (AzureFirewallGet, FirewallPolicyGet, FirewallPolicyRuleCollectionGroupGet,
 * IpGroupsGet, NetworkInterfaceGet): the firewall's `sku` inside `properties`, rule collections
 * without ids. The worlds built on it are firewall.ts.
 */
import type { WorldInput } from '../../src/world/schema.js';
import { asResource, ids, type Json, LOCATION, res, subnet, vnetPeering } from './base.js';
import { addRouteTable } from './nsg.js';

export const HUB_SUB = '9c4b7e2a-1d3f-4a6b-8e5c-0f2a3b4c5d6e';
const HP = `/subscriptions/${HUB_SUB}/resourceGroups/rg-connectivity-weu/providers`;
export const hub = {
  vnet: `${HP}/Microsoft.Network/virtualNetworks/vnet-hub-weu`,
  firewallSubnet: `${HP}/Microsoft.Network/virtualNetworks/vnet-hub-weu/subnets/AzureFirewallSubnet`,
  nvaSubnet: `${HP}/Microsoft.Network/virtualNetworks/vnet-hub-weu/subnets/snet-nva`,
  firewall: `${HP}/Microsoft.Network/azureFirewalls/afw-hub-weu`,
  policy: `${HP}/Microsoft.Network/firewallPolicies/fwp-hub-weu`,
  basePolicy: `${HP}/Microsoft.Network/firewallPolicies/fwp-org-base`,
  group: `${HP}/Microsoft.Network/firewallPolicies/fwp-hub-weu/ruleCollectionGroups/rcg-aml-egress`,
  ipGroup: `${HP}/Microsoft.Network/ipGroups/ipg-ml-spokes`,
  nic: `${HP}/Microsoft.Network/networkInterfaces/nic-nva-fw01`,
  vm: `${HP}/Microsoft.Compute/virtualMachines/vm-nva-fw01`,
};
export const FIREWALL_IP = '10.100.0.4';
export const NVA_IP = '10.100.1.4';

export const ruleCollection = (name: string, priority: number, action: 'Allow' | 'Deny', rules: Json[]): Json => ({
  ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
  name,
  priority,
  action: { type: action },
  rules,
});

const SPOKE = ['10.20.0.0/16'];
const net = (name: string, protocols: string[], destination: string, ports: string[]): Json => ({
  ruleType: 'NetworkRule',
  name,
  ipProtocols: protocols,
  sourceAddresses: SPOKE,
  destinationAddresses: [destination],
  destinationPorts: ports,
});
/** An HTTPS application rule from the spoke. */
export const appRule = (name: string, fqdns: string[]): Json => ({
  ruleType: 'ApplicationRule',
  name,
  protocols: [{ protocolType: 'Https', port: 443 }],
  sourceAddresses: SPOKE,
  targetFqdns: fqdns,
});

/**
 * What Microsoft's firewall page lists for image builds: Front Door by tag (from `frontDoorSource`:
 * the spokes' IP group here, their prefixes in the Virtual WAN hub), MCR by name.
 */
export function amlEgressCollections(frontDoorSource: Json = { sourceIpGroups: [hub.ipGroup] }): Json[] {
  return [
    ruleCollection('allow-aml-network', 100, 'Allow', [
      {
        ruleType: 'NetworkRule',
        name: 'allow-frontdoor-firstparty',
        ipProtocols: ['TCP'],
        ...frontDoorSource,
        destinationAddresses: ['AzureFrontDoor.FirstParty'],
        destinationPorts: ['443'],
      },
    ]),
    ruleCollection('allow-aml-fqdns', 200, 'Allow', [appRule('allow-mcr', ['mcr.microsoft.com', '*.data.mcr.microsoft.com'])]),
  ];
}

/**
 * The rest of what Microsoft's firewall page lists for compute (checks/compute-outbound): the
 * service tags as network rules, the workspace registry's hosts and the package sources by name.
 */
export function computeEgressCollections(): Json[] {
  return [
    ruleCollection('allow-aml-compute', 150, 'Allow', [
      net('allow-entra-id', ['TCP'], 'AzureActiveDirectory', ['80', '443']),
      net('allow-azureml', ['TCP'], 'AzureMachineLearning', ['443', '8787', '18881']),
      net('allow-azureml-udp', ['UDP'], 'AzureMachineLearning', ['5831']),
      net('allow-batch', ['TCP'], `BatchNodeManagement.${LOCATION}`, ['443']),
      net('allow-arm', ['TCP'], 'AzureResourceManager', ['443']),
      net('allow-storage', ['TCP'], `Storage.${LOCATION}`, ['443']),
      net('allow-frontdoor-frontend', ['TCP'], 'AzureFrontDoor.FrontEnd', ['443']),
      net('allow-azure-monitor', ['TCP'], 'AzureMonitor', ['443']),
    ]),
    ruleCollection('allow-aml-hosts', 300, 'Allow', [
      appRule('allow-workspace-registry', ['crmlopsprodweu.azurecr.io', `crmlopsprodweu.${LOCATION}.data.azurecr.io`]),
      appRule('allow-pypi', ['pypi.org', '*.pythonhosted.org']),
      appRule('allow-conda', ['anaconda.com', '*.anaconda.com', '*.anaconda.org']),
    ]),
  ];
}

/** The healthy world plus a hub in the connectivity subscription whose firewall allows MCR and Front Door. */
export function hubAndSpoke(w: WorldInput): void {
  addRouteTable(w, [['default-via-hub-firewall', '0.0.0.0/0', FIREWALL_IP]]);
  res(w, ids.vnet).properties.virtualNetworkPeerings.push(vnetPeering(ids.vnet, hub.vnet, 'Connected', '10.100.0.0/22'));
  w.resources.push(
    asResource({
      name: 'vnet-hub-weu',
      id: hub.vnet,
      type: 'Microsoft.Network/virtualNetworks',
      location: LOCATION,
      properties: {
        provisioningState: 'Succeeded',
        addressSpace: { addressPrefixes: ['10.100.0.0/22'] },
        subnets: [
          subnet(hub.firewallSubnet, '10.100.0.0/26', {
            ipConfigurations: [{ id: `${hub.firewall}/azureFirewallIpConfigurations/ipconfig-afw-hub-weu` }],
          }),
          subnet(hub.nvaSubnet, '10.100.1.0/27'),
        ],
        virtualNetworkPeerings: [vnetPeering(hub.vnet, ids.vnet, 'Connected', '10.20.0.0/16')],
        enableDdosProtection: false,
      },
    }),
    asResource({
      name: 'afw-hub-weu',
      id: hub.firewall,
      type: 'Microsoft.Network/azureFirewalls',
      location: LOCATION,
      zones: ['1', '2', '3'],
      properties: {
        provisioningState: 'Succeeded',
        sku: { name: 'AZFW_VNet', tier: 'Standard' },
        threatIntelMode: 'Alert',
        ipConfigurations: [
          {
            name: 'ipconfig-afw-hub-weu',
            id: `${hub.firewall}/azureFirewallIpConfigurations/ipconfig-afw-hub-weu`,
            properties: {
              provisioningState: 'Succeeded',
              privateIPAddress: FIREWALL_IP,
              subnet: { id: hub.firewallSubnet },
              publicIPAddress: { id: `${HP}/Microsoft.Network/publicIPAddresses/pip-afw-hub-weu` },
            },
          },
        ],
        firewallPolicy: { id: hub.policy },
        applicationRuleCollections: [],
        networkRuleCollections: [],
        natRuleCollections: [],
      },
    }),
    ...policyResources('fwp-hub-weu', hub, [...amlEgressCollections(), ...computeEgressCollections()]),
    asResource({
      name: 'ipg-ml-spokes',
      id: hub.ipGroup,
      type: 'Microsoft.Network/ipGroups',
      location: LOCATION,
      properties: { provisioningState: 'Succeeded', ipAddresses: ['10.20.0.0/16', '10.21.0.0/16'], firewallPolicies: [{ id: hub.policy }] },
    }),
  );
}

/** A firewall's policy (DNS proxy on) and its one rule collection group, `rcg-aml-egress` at priority 200. */
export function policyResources(
  name: string,
  ids: { readonly policy: string; readonly group: string; readonly firewall: string },
  ruleCollections: Json[],
): WorldInput['resources'] {
  return [
    asResource({
      name,
      id: ids.policy,
      type: 'Microsoft.Network/firewallPolicies',
      location: LOCATION,
      properties: {
        provisioningState: 'Succeeded',
        sku: { tier: 'Standard' },
        threatIntelMode: 'Alert',
        dnsSettings: { enableProxy: true, servers: [] },
        ruleCollectionGroups: [{ id: ids.group }],
        firewalls: [{ id: ids.firewall }],
      },
    }),
    asResource({
      name: 'rcg-aml-egress',
      id: ids.group,
      type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups',
      properties: { provisioningState: 'Succeeded', priority: 200, ruleCollections },
    }),
  ];
}
