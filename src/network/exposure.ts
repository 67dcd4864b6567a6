/**
 * How a registry or storage account is exposed to networks: public access, network rules, private
 * endpoint connections, service-endpoint subnets. Pure; `model.ts` decides reachability from it.
 *
 * - Private endpoints: https://learn.microsoft.com/azure/private-link/private-endpoint-overview
 *   A resource behind an approved private endpoint is reachable from the endpoint's VNet and from
 *   VNets peered with it.
 * - Peering: https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
 *   Traffic flows only when the peering is `Connected` on both sides.
 */
import type { Registry } from '@azure/arm-containerregistry';
import type { StorageAccount } from '@azure/arm-storage';
import { parentId, parseResourceId } from '../base/resource-id.js';

export interface EndpointConnection {
  /** The private endpoint's id. */
  readonly privateEndpointId: string;
  /** `Approved`, `Pending`, `Rejected`, `Disconnected`. */
  readonly status: string;
  readonly description: string | undefined;
  /** The connection resource's id, when ARM gave one. */
  readonly connectionId: string | undefined;
}

export interface Exposure {
  /** True when the resource cannot be reached from everywhere. */
  readonly restricted: boolean;
  /** Why it is restricted, in ARM's terms (`publicNetworkAccess: Disabled`, `defaultAction: Deny`, …). */
  readonly reasons: readonly string[];
  readonly publicNetworkAccess: string;
  readonly defaultAction: string;
  readonly connections: readonly EndpointConnection[];
  /** Subnet ids allowed through service endpoints (`networkAcls.virtualNetworkRules`). */
  readonly serviceEndpointSubnets: readonly string[];
  /** `AzureServices` when trusted Azure services may bypass the network rules. */
  readonly bypass: string;
}

interface ConnectionLike {
  id?: string;
  privateEndpoint?: { id?: string } | null;
  privateLinkServiceConnectionState?: { status?: string | null; description?: string | null } | null;
}

function connectionsOf(list: readonly ConnectionLike[] | null | undefined): EndpointConnection[] {
  return (list ?? [])
    .filter((c) => c.privateEndpoint?.id)
    .map((c) => ({
      privateEndpointId: c.privateEndpoint!.id!,
      status: c.privateLinkServiceConnectionState?.status ?? 'Unknown',
      description: c.privateLinkServiceConnectionState?.description ?? undefined,
      connectionId: c.id,
    }));
}

/** How a container registry is exposed. Pure. */
export function registryExposure(registry: Registry & { virtualNetworkRules?: readonly { id: string; action: string }[] }): Exposure {
  const publicNetworkAccess = registry.publicNetworkAccess ?? 'Enabled';
  const defaultAction = registry.networkRuleSet?.defaultAction ?? 'Allow';
  const connections = connectionsOf(registry.privateEndpointConnections);
  const subnets = (registry.virtualNetworkRules ?? []).filter((r) => /^allow$/i.test(r.action)).map((r) => r.id);
  return exposure(publicNetworkAccess, defaultAction, connections, subnets, registry.networkRuleBypassOptions ?? 'AzureServices');
}

/** How a storage account is exposed. Pure. */
export function storageExposure(account: StorageAccount): Exposure {
  const publicNetworkAccess = account.publicNetworkAccess ?? 'Enabled';
  const defaultAction = account.networkRuleSet?.defaultAction ?? 'Allow';
  const connections = connectionsOf(account.privateEndpointConnections);
  const subnets = (account.networkRuleSet?.virtualNetworkRules ?? [])
    .filter((r) => !r.state || /^succeeded$/i.test(r.state))
    .map((r) => r.virtualNetworkResourceId);
  return exposure(publicNetworkAccess, defaultAction, connections, subnets, account.networkRuleSet?.bypass ?? 'AzureServices');
}

function exposure(
  publicNetworkAccess: string,
  defaultAction: string,
  connections: EndpointConnection[],
  serviceEndpointSubnets: string[],
  bypass: string,
): Exposure {
  const reasons: string[] = [];
  if (/^disabled$/i.test(publicNetworkAccess)) reasons.push('publicNetworkAccess: Disabled');
  if (/^deny$/i.test(defaultAction) && !/^disabled$/i.test(publicNetworkAccess)) reasons.push('networkRuleSet.defaultAction: Deny');
  const approved = connections.filter((c) => /^approved$/i.test(c.status));
  if (approved.length > 0) reasons.push(`${approved.length} approved private endpoint${approved.length > 1 ? 's' : ''}`);
  return { restricted: reasons.length > 0, reasons, publicNetworkAccess, defaultAction, connections, serviceEndpointSubnets, bypass };
}

/** Whether service-endpoint rules can admit traffic (they ride on public network access). */
export function serviceEndpointsApply(e: Exposure): boolean {
  return !/^disabled$/i.test(e.publicNetworkAccess);
}

/** Public access open and no rule: reachable from everywhere. */
export function isOpenToAll(e: Exposure): boolean {
  return !/^disabled$/i.test(e.publicNetworkAccess) && !/^deny$/i.test(e.defaultAction);
}

export interface EndpointPlacement {
  readonly privateEndpointId: string;
  readonly subnetId: string;
  readonly vnetId: string;
  readonly location: string | undefined;
  /** The target sub-resources (`registry`, `blob`, `file`, `amlworkspace`), lower case. */
  readonly groupIds: readonly string[];
}

/** The VNet id of a subnet id. */
export function vnetOf(subnetId: string): string {
  return parentId(parseResourceId(subnetId)) ?? subnetId;
}

export function nameOf(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}
