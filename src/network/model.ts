/**
 * The network of one workspace as data, gathered once through the inventory, then asked pure
 * questions in `reach.ts` ("can compute C reach resource R's sub-resource S, and why not"). The checks and the
 * Markdown topology share it, so both network generations are decided in one place:
 *
 * - the customer's own VNet: computes in subnets, private endpoints the customer created (reachable
 *   from their VNet and from VNets peered `Connected` both ways), service endpoints (only from the
 *   exact subnets a resource's network rules list, and only when that subnet carries the service
 *   endpoint), public access;
 *   https://learn.microsoft.com/azure/private-link/private-endpoint-overview
 *   https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview
 * - the managed virtual network (`managedNetwork.isolationMode` not `Disabled`): computes without a
 *   subnet sit in it, and reach Azure resources through private-endpoint outbound rules whose
 *   endpoints Azure ML creates in Microsoft's subscription (never readable by the caller); with
 *   `AllowInternetOutbound` they also reach resources that allow public access.
 *   https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
 *
 * A project workspace (`kind: Project`) uses its hub's managed network and outbound rules.
 */
import type { Inventory, ReadOptions, ComputeView, WorkspaceView } from '../inventory/index.js';
import { abortError, waitFor } from '../abort.js';
import { ArmRequestError, toArmRequestError } from '../arm/errors.js';
import { idKey, parseResourceId, tryParseResourceId } from '../base/resource-id.js';
import { nameOf, registryExposure, storageExposure, vnetOf, type EndpointConnection, type EndpointPlacement, type Exposure } from './exposure.js';
import { UnexpectedShapeError, type ManagedNetwork, type OutboundRule } from './managed.js';

export type Placement =
  /** In a customer subnet. `exists` is false when the subnet (or its VNet) is gone, undefined when it could not be read. */
  | { readonly kind: 'subnet'; readonly subnetId: string; readonly vnetId: string; readonly exists: boolean | undefined; readonly serviceEndpoints: readonly string[] }
  /** In the workspace's managed virtual network. */
  | { readonly kind: 'managed' }
  /** In no virtual network. */
  | { readonly kind: 'none' };

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

const models = new WeakMap<Inventory, Map<string, Promise<NetworkModel>>>();

/**
 * The workspace's network, gathered once per inventory (concurrent callers share one gathering;
 * each caller's signal only stops its own wait).
 */
export function networkModel(inventory: Inventory, workspaceId: string, opts: ReadOptions = {}): Promise<NetworkModel> {
  let perInventory = models.get(inventory);
  if (!perInventory) models.set(inventory, (perInventory = new Map<string, Promise<NetworkModel>>()));
  const key = idKey(workspaceId);
  let p = perInventory.get(key);
  if (!p) {
    p = gather(inventory, workspaceId);
    p.catch(() => undefined);
    perInventory.set(key, p);
  }
  return waitFor(p, opts.abortSignal, () => toArmRequestError(abortError(), 'gather network of', workspaceId));
}

/** Forgets gathered models (after a fix changed Azure). */
export function forgetNetworkModels(inventory: Inventory): void {
  models.delete(inventory);
}

/**
 * Reads everything the questions need. Only the workspace is needed by all; a part that cannot be
 * read (the storage account 403, the rules throttled) is kept as its error and raised by the first
 * question that touches it, so a check that never needed it still decides.
 */
async function gather(inventory: Inventory, workspaceId: string): Promise<NetworkModel> {
  const workspace = await inventory.workspace(workspaceId);
  const wsSub = parseResourceId(workspaceId).subscriptionId;
  const [computes, storage, registry, managed] = await Promise.allSettled([
    inventory.computes(workspaceId),
    workspace.storageAccount ? inventory.storageAccount(workspace.storageAccount) : undefined,
    workspace.containerRegistry ? inventory.registry(workspace.containerRegistry) : undefined,
    managedNetworkOf(inventory, workspace, workspaceId),
  ]);
  const managedNode = settled(managed);
  // Which connections are the managed network's needs only whether there is one, not its rules.
  const hasManaged = managed.status === 'fulfilled' ? managed.value !== undefined : managed.reason instanceof RulesReadError;
  // Endpoints and compute subnets are independent reads: one round trip for both, not two.
  const [storageNode, registryNode, nodes] = await Promise.all([
    settle(then(storage, (st) => (st && workspace.storageAccount ? targetNode(inventory, 'storage account', st.id ?? workspace.storageAccount, st.name ?? nameOf(workspace.storageAccount), storageExposure(st), hasManaged, wsSub) : undefined))),
    settle(then(registry, (cr) => (cr && workspace.containerRegistry ? targetNode(inventory, 'container registry', cr.id ?? workspace.containerRegistry, cr.name ?? nameOf(workspace.containerRegistry), registryExposure(cr), hasManaged, wsSub) : undefined))),
    computes.status === 'fulfilled' ? Promise.all(computes.value.map((c) => computeNode(inventory, c, hasManaged))) : undefined,
  ]);
  const vnetIds = new Map<string, string>();
  for (const c of nodes ?? []) if (c.placement.kind === 'subnet' && c.placement.exists !== false) vnetIds.set(idKey(c.placement.vnetId), c.placement.vnetId);
  for (const t of [storageNode, registryNode]) if (t.status === 'fulfilled') for (const e of t.value?.customerEndpoints ?? []) vnetIds.set(idKey(e.vnetId), e.vnetId);
  const vnets = await readVnets(inventory, [...vnetIds.values()]);
  return {
    workspace: Object.assign<WorkspaceView, { id: string; name: string }>(workspace, { id: workspace.id ?? workspaceId, name: workspace.name ?? nameOf(workspaceId) }),
    get managed() {
      return managedNode();
    },
    get computes() {
      if (computes.status === 'rejected') throw computes.reason;
      return nodes!;
    },
    get storage() {
      return settled(storageNode)();
    },
    get registry() {
      return settled(registryNode)();
    },
    vnets,
  };
}

/** The next step after a settled read, or the read's own failure carried on. */
function then<A, T>(r: PromiseSettledResult<A>, next: (value: A) => Promise<T> | T): Promise<T> {
  return r.status === 'rejected' ? Promise.reject(r.reason as Error) : Promise.resolve(r.value).then(next);
}

/** A promise's outcome, never a rejection. */
function settle<T>(p: Promise<T>): Promise<PromiseSettledResult<T>> {
  return Promise.allSettled([p]).then((r) => r[0]);
}

/** A settled read as a getter: its value, or its error raised where it is asked for. */
function settled<T>(r: PromiseSettledResult<T>): () => T {
  return () => {
    if (r.status === 'rejected') throw r.reason instanceof RulesReadError ? r.reason.cause : r.reason;
    return r.value;
  };
}

/** The managed network exists, but its outbound rules could not be read. */
class RulesReadError extends Error {
  override readonly name = 'RulesReadError';
}

/** Reads VNets for their peerings; a read that fails is kept as that VNet's error, raised only where a question needs it. */
async function readVnets(inventory: Inventory, ids: readonly string[], opts: ReadOptions = {}): Promise<Map<string, VnetNode>> {
  const vnets = new Map<string, VnetNode>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        const v = await inventory.virtualNetwork(id, opts);
        vnets.set(idKey(id), {
          id,
          peerings: (v.virtualNetworkPeerings ?? []).map((p) => ({ name: p.name ?? 'peering', remoteId: p.remoteVirtualNetwork?.id ?? '', state: p.peeringState ?? 'unknown' })),
          readError: undefined,
        });
      } catch (err) {
        if (!(err instanceof ArmRequestError)) throw err;
        vnets.set(idKey(id), { id, peerings: [], readError: err });
      }
    }),
  );
  return vnets;
}

/** The model with more VNets read in (the VNets of a workspace's own private endpoints, which only one check asks about). */
export async function withVnets(inventory: Inventory, model: NetworkModel, ids: readonly string[], opts: ReadOptions = {}): Promise<NetworkModel> {
  const missing = ids.filter((id) => !model.vnets.has(idKey(id)));
  if (missing.length === 0) return model;
  const vnets = new Map([...model.vnets, ...(await readVnets(inventory, missing, opts))]);
  // Copy the property descriptors, not the values: a spread would call the getters and raise
  // read errors (a storage 403) that the asking check never needed.
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(model), vnets: { value: vnets, enumerable: true } }) as NetworkModel;
}

async function managedNetworkOf(inventory: Inventory, workspace: WorkspaceView, workspaceId: string): Promise<ManagedNetworkNode | undefined> {
  // A project uses its hub's managed network: read the settings and the rules there.
  const isProject = /^project$/i.test(workspace.kind ?? '') && workspace.hubResourceId;
  const owner = isProject ? await inventory.workspace(workspace.hubResourceId) : workspace;
  if (owner.managedNetworkError) throw new UnexpectedShapeError(owner.managedNetworkError);
  const settings = owner.managedNetwork;
  if (!settings) return undefined;
  const ownerId = isProject ? (owner.id ?? workspace.hubResourceId) : workspaceId;
  let rules: readonly OutboundRule[];
  try {
    rules = await inventory.outboundRules(ownerId);
  } catch (err) {
    // Kept apart, so the checks that need only to know there is a managed network still decide.
    throw new RulesReadError((err as Error).message, { cause: err });
  }
  return { ...settings, rules, ownerId };
}

async function targetNode(
  inventory: Inventory,
  kind: TargetNode['kind'],
  id: string,
  name: string,
  exposure: Exposure,
  managed: boolean,
  workspaceSubscription: string,
): Promise<TargetNode> {
  const targetSub = tryParseResourceId(id)?.subscriptionId;
  const managedConnections: EndpointConnection[] = [];
  const customer: EndpointConnection[] = [];
  for (const c of exposure.connections) {
    if (managed && isManagedEndpoint(c.privateEndpointId, workspaceSubscription, targetSub)) managedConnections.push(c);
    else customer.push(c);
  }
  const approved = customer.filter((c) => /^approved$/i.test(c.status));
  const reads = await Promise.allSettled(approved.map((c) => inventory.privateEndpoint(c.privateEndpointId)));
  const customerEndpoints: EndpointPlacement[] = [];
  let endpointReadError: ArmRequestError | undefined;
  for (const [i, r] of reads.entries()) {
    if (r.status === 'rejected') {
      if (!(r.reason instanceof ArmRequestError)) throw r.reason;
      endpointReadError ??= r.reason;
      continue;
    }
    const pe = r.value;
    const subnetId = pe.subnet?.id;
    if (!subnetId) continue;
    const groupIds = [...(pe.privateLinkServiceConnections ?? []), ...(pe.manualPrivateLinkServiceConnections ?? [])].flatMap((x) => x.groupIds ?? []).map((g) => g.toLowerCase());
    customerEndpoints.push({ privateEndpointId: pe.id ?? approved[i]!.privateEndpointId, subnetId, vnetId: vnetOf(subnetId), location: pe.location, groupIds });
  }
  const storage = kind === 'storage account';
  return {
    kind,
    id,
    name,
    exposure,
    groups: storage ? ['blob', 'file'] : ['registry'],
    service: storage ? 'Microsoft.Storage' : 'Microsoft.ContainerRegistry',
    customerEndpoints,
    managedConnections,
    endpointReadError,
  };
}

/**
 * Whether a private endpoint connection on a resource comes from the workspace's managed network:
 * Azure ML creates those endpoints in a subscription of Microsoft's, neither the workspace's nor the
 * resource's. A customer's endpoint in a third subscription of theirs is taken for a managed one and
 * judged by the outbound rules (see the checks' READMEs).
 */
export function isManagedEndpoint(privateEndpointId: string, workspaceSubscription: string, targetSubscription: string | undefined): boolean {
  const sub = tryParseResourceId(privateEndpointId)?.subscriptionId.toLowerCase();
  if (!sub) return false;
  return sub !== workspaceSubscription.toLowerCase() && sub !== targetSubscription?.toLowerCase();
}

async function computeNode(inventory: Inventory, c: ComputeView, managed: boolean): Promise<ComputeNode> {
  if (!c.subnetId) return { ...c, placement: managed ? { kind: 'managed' } : { kind: 'none' } };
  const vnetId = vnetOf(c.subnetId);
  try {
    const subnet = await inventory.subnet(c.subnetId);
    const serviceEndpoints = (subnet.serviceEndpoints ?? [])
      .filter((se) => !se.provisioningState || /^succeeded$/i.test(se.provisioningState))
      .map((se) => se.service ?? '')
      .filter(Boolean);
    return { ...c, placement: { kind: 'subnet', subnetId: c.subnetId, vnetId, exists: true, serviceEndpoints } };
  } catch (err) {
    if (!(err instanceof ArmRequestError)) throw err;
    // The subnet, or its whole VNet, is gone; anything else (403, throttling) is unknown.
    return { ...c, placement: { kind: 'subnet', subnetId: c.subnetId, vnetId, exists: err.statusCode === 404 ? false : undefined, serviceEndpoints: [] } };
  }
}
