/**
 * Which of a workspace's computes sit in a customer virtual network, where an NSG, routes and a
 * firewall of the customer's filter their egress; or, when none does, why: the computes are in the
 * workspace's managed virtual network, whose outbound rules decide instead, or in no VNet of the
 * customer's. The egress checks (compute-outbound, nsg-outbound-service-tags) skip on the second
 * answer, each in its own words.
 * https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
 */
import type { ComputeView, Inventory, ReadOptions } from '../../inventory/index.js';
import type { ManagedNetworkNode } from '../model-types.js';
import { networkModel } from './model.js';

export type CustomerComputes =
  /** Compute clusters and instances with a subnet: at least one. */
  | { readonly kind: 'subnets'; readonly computes: readonly ComputeView[] }
  /** None has a subnet, and the workspace (or its hub) has a managed network. */
  | { readonly kind: 'managed'; readonly isolationMode: ManagedNetworkNode['isolationMode'] }
  /** None has a subnet, and no managed network holds them. */
  | { readonly kind: 'none' };

/**
 * The workspace's compute clusters and instances (`AmlCompute`, `ComputeInstance`) that name a
 * subnet. Only when there are none, and the workspace names a managed network (V1
 * `managedNetwork`, V2 `managedNetworkKind`, or a project's hub), is the network model read to tell
 * a managed network from none.
 */
export async function customerComputes(inventory: Inventory, workspaceId: string, opts?: ReadOptions): Promise<CustomerComputes> {
  const ws = await inventory.workspace(workspaceId, opts);
  const computes = (await inventory.computes(workspaceId, opts)).filter(
    (c) => (c.computeType === 'AmlCompute' || c.computeType === 'ComputeInstance') && c.subnetId,
  );
  if (computes.length > 0) return { kind: 'subnets', computes };
  if (ws.managedNetwork || ws.managedNetworkKind === 'V2' || ws.hubResourceId) {
    const model = await networkModel(inventory, workspaceId, opts);
    if (model.managed) return { kind: 'managed', isolationMode: model.managed.isolationMode };
  }
  return { kind: 'none' };
}
