/**
 * What decides a compute subnet's egress: its prefixes, its NSG, its route table, the routes a
 * Virtual WAN hub injects (`virtual-wan.ts`), and what the `VirtualNetwork` tag means there. Shared
 * by the checks that evaluate outbound access.
 */
import type { NetworkSecurityGroup, SecurityRule, Route as SdkRoute } from '@azure/arm-network';
import type { Inventory, ReadOptions } from '../../inventory/index.js';
import { union } from '../cidr.js';
import type { Nsg, NsgRule } from '../nsg.js';
import { routePrefixes, type Route } from '../routes.js';
import type { ServiceTagIndex } from '../service-tags.js';
import { vnetOf } from '../exposure.js';
import { prefetchApplianceVnets } from './firewall.js';
import { virtualHubEgress } from './virtual-wan.js';
import type { SubnetEgress } from '../egress-types.js';

export async function subnetEgress(
  inventory: Inventory,
  subnetId: string,
  tags: ServiceTagIndex,
  opts: ReadOptions,
): Promise<SubnetEgress> {
  // A subnet id what-if left unevaluated: the egress of an unknown subnet is unknown (it says where the value came from).
  const unknown = inventory.unevaluated(subnetId);
  if (unknown) throw unknown;
  // Parse first: a malformed id must throw before any read starts, or that read's rejection goes unheard.
  const vnetId = vnetOf(subnetId);
  const [subnet, vnet] = await Promise.all([inventory.subnet(subnetId, opts), inventory.virtualNetwork(vnetId, opts)]);
  if (subnet.routeTable?.id) prefetchApplianceVnets(inventory, vnet, opts);
  const [nsg, routeTable, hub] = await Promise.all([
    subnet.networkSecurityGroup?.id ? inventory.networkSecurityGroup(subnet.networkSecurityGroup.id, opts) : undefined,
    subnet.routeTable?.id ? inventory.routeTable(subnet.routeTable.id, opts) : undefined,
    virtualHubEgress(inventory, vnet, opts),
  ]);
  // Hub routes last: on a tie of prefixes the evaluator keeps the first, and a user-defined route
  // outranks a learned one (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route).
  const routes = [...(routeTable?.routes ?? []).map(toRoute), ...(hub?.routes ?? [])];
  const peered = (vnet.virtualNetworkPeerings ?? [])
    .filter((p) => /^connected$/i.test(p.peeringState ?? ''))
    .flatMap((p) => p.remoteAddressSpace?.addressPrefixes ?? []);
  return {
    subnetId,
    source: union([...(subnet.addressPrefixes ?? []), ...(subnet.addressPrefix ? [subnet.addressPrefix] : [])]),
    nsg: nsg ? toNsg(nsg) : undefined,
    nsgId: nsg?.id,
    routeTableId: routeTable?.id ?? hub?.routes[0]?.sourceId,
    routes,
    ...(hub ? { hub } : {}),
    virtualNetwork: union(vnet.addressSpace?.addressPrefixes ?? [], peered, routePrefixes(routes, tags)),
  };
}

function toRule(r: SecurityRule): NsgRule {
  return {
    name: r.name ?? '(unnamed)',
    priority: r.priority ?? 0,
    direction: r.direction ?? '',
    access: r.access ?? '',
    protocol: r.protocol ?? '',
    sourceAddressPrefix: r.sourceAddressPrefix ?? null,
    sourceAddressPrefixes: r.sourceAddressPrefixes ?? null,
    destinationAddressPrefix: r.destinationAddressPrefix ?? null,
    destinationAddressPrefixes: r.destinationAddressPrefixes ?? null,
    destinationPortRange: r.destinationPortRange ?? null,
    destinationPortRanges: r.destinationPortRanges ?? null,
    sourceApplicationSecurityGroups: r.sourceApplicationSecurityGroups ?? null,
    destinationApplicationSecurityGroups: r.destinationApplicationSecurityGroups ?? null,
  };
}

export function toNsg(nsg: NetworkSecurityGroup): Nsg {
  return {
    id: nsg.id ?? '',
    securityRules: (nsg.securityRules ?? []).map(toRule),
    defaultSecurityRules: (nsg.defaultSecurityRules ?? []).map(toRule),
  };
}

function toRoute(r: SdkRoute): Route {
  return {
    name: r.name ?? '(unnamed)',
    addressPrefix: r.addressPrefix ?? '',
    nextHopType: r.nextHopType ?? '',
    nextHopIpAddress: r.nextHopIpAddress ?? null,
  };
}
