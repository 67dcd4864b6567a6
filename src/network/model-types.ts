/**
 * The network of one workspace as data: what `gather/model.ts` reads once through the inventory
 * and `reach.ts` asks pure questions of. Errors a read met are kept as values (raised by the
 * question that needs the resource), so the model itself never fails half-way.
 */
import type { ArmRequestError } from '../arm/errors.js';
import type { ComputeView, WorkspaceView } from '../inventory/views.js';
import type { EndpointConnection, EndpointPlacement, Exposure } from './exposure.js';
import type { ManagedNetwork, OutboundRule } from './managed.js';

export type Placement =
  /** In a customer subnet. `exists` is false when the subnet (or its VNet) is gone, undefined when it could not be read. */
  | {
      readonly kind: 'subnet';
      readonly subnetId: string;
      readonly vnetId: string;
      readonly exists: boolean | undefined;
      readonly serviceEndpoints: readonly string[];
    }
  /** In the workspace's managed virtual network. */
  | { readonly kind: 'managed' }
  /** In no virtual network. */
  | { readonly kind: 'none' }
  /** Somewhere ARM does not say: an attached compute (Kubernetes, a VM, …) whose resource names no subnet. */
  | { readonly kind: 'unknown' };

export interface ComputeNode extends ComputeView {
  readonly placement: Placement;
}

export type PrivateEndpointRule = Extract<OutboundRule, { type: 'PrivateEndpoint' }>;

export interface TargetNode {
  readonly kind: 'storage account' | 'container registry';
  readonly id: string;
  readonly name: string;
  readonly exposure: Exposure;
  /** The sub-resources computes need: `blob`, `file` for storage; `registry` for ACR. */
  readonly groups: readonly string[];
  /** The service endpoint a subnet needs for it. */
  readonly service: 'Microsoft.Storage' | 'Microsoft.ContainerRegistry';
  /** Approved private endpoints the customer owns, read. */
  readonly customerEndpoints: readonly EndpointPlacement[];
  /** Connections from the managed network's endpoints (in Microsoft's subscription): judged, never read. */
  readonly managedConnections: readonly EndpointConnection[];
  /** Why a customer endpoint could not be read (403, 404, …); raised by the questions that need it. */
  readonly endpointReadError: ArmRequestError | undefined;
}

export interface ManagedNetworkNode extends ManagedNetwork {
  readonly rules: readonly OutboundRule[];
  /** The workspace whose managed network it is: the workspace itself, or a project's hub. */
  readonly ownerId: string;
  /** The id of its outbound-rule collection (V1 `…/outboundRules`, V2 `…/managedNetworks/default/outboundRules`). */
  readonly rulesId: string;
}

export interface VnetNode {
  readonly id: string;
  readonly peerings: readonly { readonly name: string; readonly remoteId: string; readonly state: string }[];
  readonly readError: ArmRequestError | undefined;
}

export interface NetworkModel {
  readonly workspace: WorkspaceView & { readonly id: string; readonly name: string };
  readonly managed: ManagedNetworkNode | undefined;
  readonly computes: readonly ComputeNode[];
  readonly storage: TargetNode | undefined;
  readonly registry: TargetNode | undefined;
  readonly vnets: ReadonlyMap<string, VnetNode>;
}
