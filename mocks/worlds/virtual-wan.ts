/**
 * Virtual WAN worlds (issue 21): the workspace's VNet is a spoke connected to virtual hub vhub-weu
 * of the connectivity subscription, a secured hub whose Azure Firewall (SKU `AZFW_Hub`) gets the
 * spoke's traffic by routing intent or by the connection's route table. Shapes follow Microsoft's
 * examples (VirtualHubGet, HubVirtualNetworkConnectionGet, RoutingIntentGet, HubRouteTableGet,
 * AzureFirewallPutInHub), with full ARM types and the connection's id under
 * `hubVirtualNetworkConnections` (the example's `virtualHubVnetConnections` is a slip). The spoke
 * sees the hub only as the peering Azure creates, `RemoteVnetToHubPeering_<guid>`, to the hub's
 * managed VNet in a Microsoft subscription no customer can read.
 *
 * Also the world where a route's appliance is found only by searching the readable subscriptions
 * (Resource Graph mode: one query), since no peering leads to it.
 */
import type { WorldInput } from '../../src/world/schema.js';
import { asResource, ids, type Json, LOCATION, res } from './base.js';
import {
  amlEgressCollections,
  appRule,
  computeEgressCollections,
  hub as peeredHub,
  hubAndSpoke,
  HUB_SUB,
  policyResources,
  ruleCollection,
} from './firewall-hub.js';
import { mutate } from './healthy.js';

const HP = `/subscriptions/${HUB_SUB}/resourceGroups/rg-connectivity-weu/providers`;
const VHUB = `${HP}/Microsoft.Network/virtualHubs/vhub-weu`;
export const vwan = {
  wan: `${HP}/Microsoft.Network/virtualWans/vwan-connectivity`,
  hub: VHUB,
  connection: `${VHUB}/hubVirtualNetworkConnections/conn-vnet-mlops-prod-weu`,
  routingIntent: `${VHUB}/routingIntent/ri-vhub-weu`,
  defaultRouteTable: `${VHUB}/hubRouteTables/defaultRouteTable`,
  noneRouteTable: `${VHUB}/hubRouteTables/noneRouteTable`,
  spokesRouteTable: `${VHUB}/hubRouteTables/rt-ml-spokes`,
  firewall: `${HP}/Microsoft.Network/azureFirewalls/afw-vhub-weu`,
  policy: `${HP}/Microsoft.Network/firewallPolicies/fwp-vhub-weu`,
  group: `${HP}/Microsoft.Network/firewallPolicies/fwp-vhub-weu/ruleCollectionGroups/rcg-aml-egress`,
};
export const HUB_FIREWALL_IP = '10.110.0.132';
const HUB_PREFIX = '10.110.0.0/23';
/** Microsoft's subscription holding the hub's managed VNet (unreadable: the mock answers 403). */
const MANAGED_SUB = 'e1a5c3d7-2b4f-4e6a-9c8d-7f0e1d2c3b4a';
const MANAGED_GUID = '4b9d2f6e-8a1c-4e3b-9d7f-2c5a6e8b1d03';
const MANAGED_VNET = `/subscriptions/${MANAGED_SUB}/resourceGroups/RG_vhub-weu_${MANAGED_GUID}/providers/Microsoft.Network/virtualNetworks/HV_vhub-weu_${MANAGED_GUID}`;

const hubRouteTable = (id: string, labels: string[], routes: Json[], associated: string[]): WorldInput['resources'][number] =>
  asResource({
    name: id.split('/').pop(),
    id,
    type: 'Microsoft.Network/virtualHubs/hubRouteTables',
    properties: { provisioningState: 'Succeeded', routes, labels, associatedConnections: associated, propagatingConnections: associated },
  });

/** The healthy world, its VNet connected to secured hub vhub-weu whose routing intent sends Internet and private traffic to the hub firewall. */
export function securedHub(w: WorldInput): void {
  res(w, ids.vnet).properties.virtualNetworkPeerings.push({
    name: `RemoteVnetToHubPeering_${MANAGED_GUID}`,
    id: `${ids.vnet}/virtualNetworkPeerings/RemoteVnetToHubPeering_${MANAGED_GUID}`,
    type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
    properties: {
      provisioningState: 'Succeeded',
      peeringState: 'Connected',
      peeringSyncLevel: 'FullyInSync',
      remoteVirtualNetwork: { id: MANAGED_VNET },
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: false,
      allowGatewayTransit: false,
      useRemoteGateways: true,
      doNotVerifyRemoteGateways: true,
      remoteAddressSpace: { addressPrefixes: [HUB_PREFIX] },
    },
  });
  w.resources.push(
    asResource({
      name: 'vwan-connectivity',
      id: vwan.wan,
      type: 'Microsoft.Network/virtualWans',
      location: LOCATION,
      properties: { provisioningState: 'Succeeded', type: 'Standard', allowBranchToBranchTraffic: true, virtualHubs: [{ id: VHUB }] },
    }),
    asResource({
      name: 'vhub-weu',
      id: VHUB,
      type: 'Microsoft.Network/virtualHubs',
      location: LOCATION,
      properties: {
        provisioningState: 'Succeeded',
        virtualWan: { id: vwan.wan },
        azureFirewall: { id: vwan.firewall },
        virtualHubRouteTableV2s: [],
        addressPrefix: HUB_PREFIX,
        sku: 'Standard',
        routingState: 'Provisioned',
        virtualRouterAsn: 65515,
        virtualRouterIps: ['10.110.0.68', '10.110.0.69'],
        allowBranchToBranchTraffic: false,
        hubRoutingPreference: 'ExpressRoute',
        virtualRouterAutoScaleConfiguration: { minCapacity: 2 },
      },
    }),
    asResource({
      name: 'conn-vnet-mlops-prod-weu',
      id: vwan.connection,
      type: 'Microsoft.Network/virtualHubs/hubVirtualNetworkConnections',
      properties: {
        provisioningState: 'Succeeded',
        enableInternetSecurity: true,
        allowHubToRemoteVnetTransit: true,
        allowRemoteVnetToUseHubVnetGateways: true,
        remoteVirtualNetwork: { id: ids.vnet },
        routingConfiguration: {
          associatedRouteTable: { id: vwan.defaultRouteTable },
          propagatedRouteTables: { ids: [{ id: vwan.defaultRouteTable }], labels: ['default'] },
        },
      },
    }),
    asResource({
      name: 'ri-vhub-weu',
      id: vwan.routingIntent,
      type: 'Microsoft.Network/virtualHubs/routingIntent',
      properties: {
        provisioningState: 'Succeeded',
        routingPolicies: [
          { name: 'InternetTraffic', destinations: ['Internet'], nextHop: vwan.firewall },
          { name: 'PrivateTrafficPolicy', destinations: ['PrivateTraffic'], nextHop: vwan.firewall },
        ],
      },
    }),
    // Under routing intent the hub manages its tables; the default one holds no static route of ours.
    hubRouteTable(vwan.defaultRouteTable, ['default'], [], [vwan.connection]),
    hubRouteTable(vwan.noneRouteTable, ['none'], [], []),
    asResource({
      name: 'afw-vhub-weu',
      id: vwan.firewall,
      type: 'Microsoft.Network/azureFirewalls',
      location: LOCATION,
      zones: [],
      properties: {
        provisioningState: 'Succeeded',
        sku: { name: 'AZFW_Hub', tier: 'Standard' },
        threatIntelMode: 'Alert',
        virtualHub: { id: VHUB },
        firewallPolicy: { id: vwan.policy },
        hubIPAddresses: { publicIPs: { addresses: [{ address: '20.103.78.41' }], count: 1 }, privateIPAddress: HUB_FIREWALL_IP },
        ipConfigurations: [],
        additionalProperties: {},
      },
    }),
    ...policyResources('fwp-vhub-weu', vwan, [
      ...amlEgressCollections({ sourceAddresses: ['10.20.0.0/16'] }),
      ...computeEgressCollections(),
    ]),
  );
}

function hubWorld(description: string, change: (w: WorldInput) => void = () => undefined): WorldInput {
  return mutate(description, (w) => {
    securedHub(w);
    change(w);
  });
}

/** Every world of the family, by file name (without `.json`). */
export function virtualWanWorlds(): Record<string, WorldInput> {
  return {
    'vwan-hub-healthy': hubWorld(
      'vwan-hub-healthy: the spoke is connected to secured virtual hub vhub-weu of the connectivity subscription; its routing intent sends Internet and private traffic to Azure Firewall afw-vhub-weu (AZFW_Hub), whose policy allows AzureFrontDoor.FirstParty and MCR by name.',
    ),
    'vwan-mcr-data-denied': hubWorld(
      'vwan-mcr-data-denied: the hub firewall policy has a Deny collection for *.data.mcr.microsoft.com (priority 150) before the MCR allow, so image layers cannot be pulled.',
      (w) => {
        const group = res(w, vwan.group).properties;
        group.ruleCollections.splice(
          1,
          0,
          ruleCollection('deny-mcr-data', 150, 'Deny', [appRule('deny-mcr-data', ['*.data.mcr.microsoft.com'])]),
        );
      },
    ),
    'vwan-route-table-default': hubWorld(
      "vwan-route-table-default: no routing intent; the spoke's hub connection is associated with route table rt-ml-spokes, whose 0.0.0.0/0 route sends it to the hub firewall, which allows what Microsoft lists.",
      (w) => {
        w.resources = w.resources.filter((r) => r.id !== vwan.routingIntent);
        const connection = res(w, vwan.connection).properties;
        connection.routingConfiguration.associatedRouteTable = { id: vwan.spokesRouteTable };
        res(w, vwan.defaultRouteTable).properties.associatedConnections = [];
        w.resources.push(
          hubRouteTable(
            vwan.spokesRouteTable,
            ['ml-spokes'],
            [
              {
                name: 'all-traffic-via-firewall',
                destinationType: 'CIDR',
                destinations: ['0.0.0.0/0', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
                nextHopType: 'ResourceId',
                nextHop: vwan.firewall,
              },
            ],
            [vwan.connection],
          ),
        );
      },
    ),
    'vwan-routing-intent-forbidden': hubWorld(
      'vwan-routing-intent-forbidden: the audit identity may read virtual hub vhub-weu but not its routing intent (403), so where the hub sends the spoke traffic is unknown.',
      (w) => {
        w.faults = [{ match: 'GET .*/virtualHubs/vhub-weu/routingIntent', status: 403 }];
      },
    ),
    'fw-owner-outside-peerings': mutate(
      'fw-owner-outside-peerings: the spoke routes 0.0.0.0/0 to 10.100.0.4, the hub firewall of the connectivity subscription, which it reaches over ExpressRoute rather than a peering: only a search of the readable subscriptions finds the firewall.',
      (w) => {
        hubAndSpoke(w);
        const spoke = res(w, ids.vnet).properties;
        spoke.virtualNetworkPeerings = spoke.virtualNetworkPeerings.filter(
          (p: Json) => p.properties.remoteVirtualNetwork.id !== peeredHub.vnet,
        );
        res(w, peeredHub.vnet).properties.virtualNetworkPeerings = [];
      },
    ),
  };
}
