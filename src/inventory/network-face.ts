/**
 * The network face of the inventory: virtual networks, subnets, NSGs, routes, private endpoints and
 * DNS, key vaults, service tags, and the hops egress meets (Azure Firewalls, their policies and IP
 * groups, NICs, Virtual WAN hubs). The reads live in `network.ts`, `firewall.ts`,
 * `virtual-wan.ts` and `keyvault.ts`.
 */
import type {
  NetworkSecurityGroup,
  PrivateDnsZoneGroup,
  PrivateEndpoint,
  RouteTable,
  ServiceTagsListResult,
  Subnet,
  VirtualNetwork,
} from '@azure/arm-network';
import type { PrivateZone, RecordSet, VirtualNetworkLink } from '@azure/arm-privatedns';
import { InventoryBase } from './base.js';
import * as firewall from './firewall.js';
import * as keyvault from './keyvault.js';
import * as network from './network.js';
import * as vwan from './virtual-wan.js';
import type { KeyVaultView, ReadOptions } from './views.js';

export class NetworkInventory extends InventoryBase {
  /** The private DNS zone groups of a private endpoint (all pages). */
  privateDnsZoneGroups(privateEndpointId: string, opts?: ReadOptions): Promise<readonly PrivateDnsZoneGroup[]> {
    return this.unknownRead(privateEndpointId) ?? network.privateDnsZoneGroups(this.r, privateEndpointId, opts);
  }

  /** The virtual network links of a private DNS zone (all pages). */
  privateDnsZoneLinks(zoneId: string, opts?: ReadOptions): Promise<readonly VirtualNetworkLink[]> {
    return this.unknownRead(zoneId) ?? network.privateDnsZoneLinks(this.r, zoneId, opts);
  }

  /** The private DNS zones of a subscription (all pages). */
  privateDnsZones(subscriptionId: string, opts?: ReadOptions): Promise<readonly PrivateZone[]> {
    return network.privateDnsZones(this.r, subscriptionId, opts);
  }

  /** The A record sets of a private DNS zone (all pages). */
  privateDnsARecords(zoneId: string, opts?: ReadOptions): Promise<readonly RecordSet[]> {
    return this.unknownRead(zoneId) ?? network.privateDnsARecords(this.r, zoneId, opts);
  }

  /** A key vault: its network rules and private endpoint connections. */
  keyVault(id: string, opts?: ReadOptions): Promise<KeyVaultView> {
    return this.unknownRead(id) ?? keyvault.keyVault(this.r, id, opts);
  }

  virtualNetwork(id: string, opts?: ReadOptions): Promise<VirtualNetwork> {
    return this.unknownRead(id) ?? network.virtualNetwork(this.r, id, opts);
  }

  /**
   * A subnet. ARM embeds subnets in their virtual network, so this reads the VNet (which checks
   * need anyway) and falls back to the subnet's own id only when the VNet does not embed it.
   */
  subnet(id: string, opts?: ReadOptions): Promise<Subnet> {
    return this.unknownRead(id) ?? network.subnet(this.r, id, opts);
  }

  networkSecurityGroup(id: string, opts?: ReadOptions): Promise<NetworkSecurityGroup> {
    return this.unknownRead(id) ?? network.networkSecurityGroup(this.r, id, opts);
  }

  routeTable(id: string, opts?: ReadOptions): Promise<RouteTable> {
    return this.unknownRead(id) ?? network.routeTable(this.r, id, opts);
  }

  /** An Azure Firewall (issue 21: the appliance a route's next hop names). */
  azureFirewall(id: string, opts?: ReadOptions): ReturnType<typeof firewall.azureFirewall> {
    return this.unknownRead(id) ?? firewall.azureFirewall(this.r, id, opts);
  }

  firewallPolicy(id: string, opts?: ReadOptions): ReturnType<typeof firewall.firewallPolicy> {
    return this.unknownRead(id) ?? firewall.firewallPolicy(this.r, id, opts);
  }

  /** Every rule collection group of a firewall policy (all pages). */
  ruleCollectionGroups(policyId: string, opts?: ReadOptions): ReturnType<typeof firewall.ruleCollectionGroups> {
    return this.unknownRead(policyId) ?? firewall.ruleCollectionGroups(this.r, policyId, opts);
  }

  ipGroup(id: string, opts?: ReadOptions): ReturnType<typeof firewall.ipGroup> {
    return this.unknownRead(id) ?? firewall.ipGroup(this.r, id, opts);
  }

  networkInterface(id: string, opts?: ReadOptions): ReturnType<typeof firewall.networkInterface> {
    return this.unknownRead(id) ?? firewall.networkInterface(this.r, id, opts);
  }

  /** The virtual hubs named `name` in these subscriptions (issue 21: the Virtual WAN hub a spoke is connected to). */
  virtualHubsNamed(subscriptions: readonly string[], name: string, opts?: ReadOptions): ReturnType<typeof vwan.virtualHubsNamed> {
    return vwan.virtualHubsNamed(this.r, subscriptions, name, opts);
  }

  hubVirtualNetworkConnections(hubId: string, opts?: ReadOptions): ReturnType<typeof vwan.hubVirtualNetworkConnections> {
    return this.unknownRead(hubId) ?? vwan.hubVirtualNetworkConnections(this.r, hubId, opts);
  }

  routingIntents(hubId: string, opts?: ReadOptions): ReturnType<typeof vwan.routingIntents> {
    return this.unknownRead(hubId) ?? vwan.routingIntents(this.r, hubId, opts);
  }

  hubRouteTables(hubId: string, opts?: ReadOptions): ReturnType<typeof vwan.hubRouteTables> {
    return this.unknownRead(hubId) ?? vwan.hubRouteTables(this.r, hubId, opts);
  }

  /** The firewalls and NICs of these subscriptions that may own a private IP (one query in Resource Graph mode). */
  privateIpOwners(subscriptions: readonly string[], ip: string, opts?: ReadOptions): ReturnType<typeof vwan.privateIpOwners> {
    return vwan.privateIpOwners(this.r, subscriptions, ip, opts);
  }

  privateEndpoint(id: string, opts?: ReadOptions): Promise<PrivateEndpoint> {
    return this.unknownRead(id) ?? network.privateEndpoint(this.r, id, opts);
  }

  /** The live service tags of a region (`serviceTags.list(location)`). */
  serviceTags(subscriptionId: string, location: string, opts?: ReadOptions): Promise<ServiceTagsListResult> {
    return network.serviceTags(this.r, subscriptionId, location, opts);
  }

  /** The resource types that support private endpoints in a region, lower-cased (`microsoft.containerregistry/registries`). */
  availablePrivateEndpointTypes(subscriptionId: string, location: string, opts?: ReadOptions): Promise<ReadonlySet<string>> {
    return network.availablePrivateEndpointTypes(this.r, subscriptionId, location, opts);
  }
}
