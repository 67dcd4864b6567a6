/**
 * Gathers one compute subnet's egress path through the inventory, for the pure evaluation in
 * `egress-path.ts`: the subnet, its NSG and route table (`egress.ts`), then, all at once, what owns
 * each `VirtualAppliance` address its routes name (`firewall-path.ts`: an Azure Firewall with its
 * policies, rule collection groups and IP groups, a third-party NIC, nothing readable, a 403).
 */
import type { Inventory, ReadOptions } from '../../inventory/index.js';
import { subnetEgress } from './egress.js';
import type { GatheredPath } from '../egress-path.js';
import { vnetOf } from '../exposure.js';
import { findAppliance } from './firewall.js';
import type { Appliance } from '../egress-types.js';
import type { ServiceTagIndex } from '../service-tags.js';

/**
 * The RBAC read actions the path needs, beside the workspace and compute reads of the check that
 * asks: the subnet and its VNet (peerings), NSG, route table, the region's service tags, and, where a
 * route leads to an appliance, the hub VNet, firewall, policies, rule collection groups, IP groups
 * and network interfaces. Checks spread it into `meta.actions`.
 */
export const EGRESS_PATH_ACTIONS = [
  'Microsoft.Network/virtualNetworks/read',
  'Microsoft.Network/virtualNetworks/subnets/read',
  'Microsoft.Network/networkSecurityGroups/read',
  'Microsoft.Network/routeTables/read',
  'Microsoft.Network/locations/serviceTags/read',
  'Microsoft.Network/azureFirewalls/read',
  'Microsoft.Network/firewallPolicies/read',
  'Microsoft.Network/firewallPolicies/ruleCollectionGroups/read',
  'Microsoft.Network/ipGroups/read',
  'Microsoft.Network/networkInterfaces/read',
  // A spoke of a Virtual WAN hub (virtual-wan.ts), and the search of the readable subscriptions
  // for a next hop no peering leads to (their hubs, firewalls and NICs).
  'Microsoft.Resources/subscriptions/read',
  'Microsoft.Network/virtualHubs/read',
  'Microsoft.Network/virtualHubs/hubVirtualNetworkConnections/read',
  'Microsoft.Network/virtualHubs/routingIntent/read',
  'Microsoft.Network/virtualHubs/hubRouteTables/read',
] as const;

/** What `meta.reads` says of the path. */
export const EGRESS_PATH_READS = [
  'virtual networks and subnets',
  'network security groups',
  'route tables',
  'service tags of the workspace region',
  'peered VNets, Azure Firewalls, firewall policies, rule collection groups and IP groups a route leads to',
  'network interfaces of third-party appliances',
  'the Virtual WAN hub a VNet is connected to: its connections, routing intent, route tables and firewall',
  'the readable subscriptions, their virtual hubs, Azure Firewalls and NICs, when no peering leads to a next hop',
] as const;

/**
 * Reads the path of one subnet. The appliances are read together; a failed read is kept as that
 * appliance's error (raised by the evaluation only for traffic that takes its route).
 */
export async function gatherEgressPath(
  inventory: Inventory,
  subnetId: string,
  tags: ServiceTagIndex,
  opts: ReadOptions,
): Promise<GatheredPath> {
  const egress = await subnetEgress(inventory, subnetId, tags, opts);
  const ips = [
    ...new Set(
      egress.routes.filter((r) => /^virtualappliance$/i.test(r.nextHopType) && r.nextHopIpAddress).map((r) => r.nextHopIpAddress!),
    ),
  ];
  const vnetId = vnetOf(subnetId);
  const found = await Promise.all(
    ips.map((ip) =>
      findAppliance(inventory, vnetId, ip, opts).then(
        (a): Appliance | { error: unknown } => a,
        (error: unknown) => ({ error }),
      ),
    ),
  );
  return { egress, tags, appliances: new Map(ips.map((ip, i) => [ip, found[i]!])) };
}
