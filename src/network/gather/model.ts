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
import { abortError, waitFor } from '../../base/abort.js';
import { toArmRequestError } from '../../arm/errors.js';
import { idKey, parseResourceId } from '../../base/resource-id.js';
import type { Inventory, ReadOptions, WorkspaceView } from '../../inventory/index.js';
import { nameOf, registryExposure, storageExposure, type Exposure } from '../exposure.js';
import { computeNode, managedNetworkOf, readVnets, RulesReadError, targetNode } from './nodes.js';

export type {
  ComputeNode,
  ManagedNetworkNode,
  NetworkModel,
  Placement,
  PrivateEndpointRule,
  TargetNode,
  VnetNode,
} from '../model-types.js';
import type { NetworkModel } from '../model-types.js';

const models = new WeakMap<Inventory, Map<string, Promise<NetworkModel>>>();

/**
 * The workspace's network, gathered once per inventory (concurrent callers share one gathering;
 * each caller's signal only stops its own wait).
 */
export function networkModel(inventory: Inventory, workspaceId: string, opts: ReadOptions = {}): Promise<NetworkModel> {
  let perInventory = models.get(inventory);
  if (!perInventory) {
    const created = new Map<string, Promise<NetworkModel>>();
    models.set(inventory, (perInventory = created));
    // A workspace the audit is done with: its model goes with its reads.
    inventory.onRelease((id) => created.delete(idKey(id)));
  }
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
  // The computes are listed under the workspace's id: read with it, not after it, a round trip less
  // before every compute subnet, its NSG and routes, and the firewall behind them. (When the
  // workspace read fails, so does the model: the list's answer is not waited for.)
  const computesRead = inventory.computes(workspaceId);
  computesRead.catch(() => undefined);
  const workspace = await inventory.workspace(workspaceId);
  const wsSub = parseResourceId(workspaceId).subscriptionId;
  const managedRead = managedNetworkOf(inventory, workspace, workspaceId);
  // Which connections are the managed network's needs only whether there is one, not its rules.
  const hasManaged = managedRead.then(
    (m) => m !== undefined,
    (reason: unknown) => reason instanceof RulesReadError,
  );
  /** The node of the workspace's storage account or registry, once it and the managed network's presence are read. */
  const target = async <T extends { id?: string; name?: string }>(
    kind: 'storage account' | 'container registry',
    id: string | undefined,
    read: (id: string) => Promise<T>,
    exposure: (resource: T) => Exposure,
  ) => {
    if (!id) return undefined;
    const [resource, managedToo] = await Promise.all([read(id), hasManaged]);
    return targetNode(inventory, kind, resource.id ?? id, resource.name ?? nameOf(id), exposure(resource), managedToo, wsSub);
  };
  // Each part starts once its own reads are in: the endpoints and the compute subnets in one round
  // trip, neither waiting for the other's first read.
  const [computes, managed, storageNode, registryNode, nodes] = await Promise.all([
    settle(computesRead),
    settle(managedRead),
    settle(target('storage account', workspace.storageAccount, (id) => inventory.storageAccount(id), storageExposure)),
    settle(target('container registry', workspace.containerRegistry, (id) => inventory.registry(id), registryExposure)),
    computesRead.then(
      async (list) => {
        const managedToo = await hasManaged;
        return Promise.all(list.map((c) => computeNode(inventory, c, managedToo)));
      },
      () => undefined,
    ),
  ]);
  const managedNode = settled(managed);
  const vnetIds = new Map<string, string>();
  for (const c of nodes ?? []) {
    // A compute whose placement is unknown (a subnet what-if left unevaluated) adds no VNet: only the questions about it fail.
    if (Object.getOwnPropertyDescriptor(c, 'placement')?.get) continue;
    if (c.placement.kind === 'subnet' && c.placement.exists !== false) vnetIds.set(idKey(c.placement.vnetId), c.placement.vnetId);
  }
  for (const t of [storageNode, registryNode])
    if (t.status === 'fulfilled') for (const e of t.value?.customerEndpoints ?? []) vnetIds.set(idKey(e.vnetId), e.vnetId);
  const vnets = await readVnets(inventory, [...vnetIds.values()]);
  return {
    workspace: Object.assign<WorkspaceView, { id: string; name: string }>(workspace, {
      id: workspace.id ?? workspaceId,
      name: workspace.name ?? nameOf(workspaceId),
    }),
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

/** The model with more VNets read in (the VNets of a workspace's own private endpoints, which only one check asks about). */
export async function withVnets(
  inventory: Inventory,
  model: NetworkModel,
  ids: readonly string[],
  opts: ReadOptions = {},
): Promise<NetworkModel> {
  const missing = ids.filter((id) => !model.vnets.has(idKey(id)));
  if (missing.length === 0) return model;
  const vnets = new Map([...model.vnets, ...(await readVnets(inventory, missing, opts))]);
  // Copy the property descriptors, not the values: a spread would call the getters and raise
  // read errors (a storage 403) that the asking check never needed.
  return Object.defineProperties(
    {},
    { ...Object.getOwnPropertyDescriptors(model), vnets: { value: vnets, enumerable: true } },
  ) as NetworkModel;
}
