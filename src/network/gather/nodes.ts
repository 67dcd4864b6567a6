/**
 * The nodes of a workspace's network model and how each is read: computes and where they sit,
 * storage and the registry with their endpoints, the managed network with its rules, and VNets
 * with their peerings. `model.ts` gathers them per workspace; `reach.ts` asks the questions.
 */
import { ArmRequestError } from '../../arm/errors.js';
import { idKey, tryParseResourceId } from '../../base/resource-id.js';
import type { ComputeView, Inventory, ReadOptions, WorkspaceView } from '../../inventory/index.js';
import { vnetOf, type EndpointConnection, type EndpointPlacement, type Exposure } from '../exposure.js';
import { outboundRulesCollectionId, UnexpectedShapeError } from '../managed.js';
import type { ComputeNode, ManagedNetworkNode, TargetNode, VnetNode } from '../model-types.js';

/** The managed network exists, but its outbound rules could not be read. */
export class RulesReadError extends Error {
  override readonly name = 'RulesReadError';
}

/** Reads VNets for their peerings; a read that fails is kept as that VNet's error, raised only where a question needs it. */
export async function readVnets(inventory: Inventory, ids: readonly string[], opts: ReadOptions = {}): Promise<Map<string, VnetNode>> {
  const vnets = new Map<string, VnetNode>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        const v = await inventory.virtualNetwork(id, opts);
        vnets.set(idKey(id), {
          id,
          peerings: (v.virtualNetworkPeerings ?? []).map((p) => ({
            name: p.name ?? 'peering',
            remoteId: p.remoteVirtualNetwork?.id ?? '',
            state: p.peeringState ?? 'unknown',
          })),
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

export async function managedNetworkOf(
  inventory: Inventory,
  workspace: WorkspaceView,
  workspaceId: string,
): Promise<ManagedNetworkNode | undefined> {
  // A project uses its hub's managed network: read the settings and the rules there.
  const isProject = /^project$/i.test(workspace.kind ?? '') && workspace.hubResourceId;
  const owner = isProject ? await inventory.workspace(workspace.hubResourceId) : workspace;
  if (owner.managedNetworkError) throw new UnexpectedShapeError(owner.managedNetworkError);
  const ownerId = isProject ? (owner.id ?? workspace.hubResourceId) : workspaceId;
  const kind = owner.managedNetworkKind;
  // V2: the network and its rules are child resources, read together; the V1 paths are never
  // asked (what they answer for a V2 workspace is left open by the spec).
  const [settings, rules] = await Promise.allSettled([
    kind === 'V2' ? inventory.managedNetworkV2(ownerId) : Promise.resolve(owner.managedNetwork),
    kind === 'V2' || owner.managedNetwork ? inventory.outboundRules(ownerId, kind) : Promise.resolve([]),
  ]);
  if (settings.status === 'rejected') throw settings.reason;
  if (!settings.value) return undefined;
  // Kept apart, so the checks that need only to know there is a managed network still decide.
  if (rules.status === 'rejected') throw new RulesReadError((rules.reason as Error).message, { cause: rules.reason });
  return { ...settings.value, rules: rules.value, ownerId, rulesId: outboundRulesCollectionId(ownerId, kind) };
}

export async function targetNode(
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
    const groupIds = [...(pe.privateLinkServiceConnections ?? []), ...(pe.manualPrivateLinkServiceConnections ?? [])]
      .flatMap((x) => x.groupIds ?? [])
      .map((g) => g.toLowerCase());
    customerEndpoints.push({
      privateEndpointId: pe.id ?? approved[i]!.privateEndpointId,
      subnetId,
      vnetId: vnetOf(subnetId),
      location: pe.location,
      groupIds,
    });
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
export function isManagedEndpoint(
  privateEndpointId: string,
  workspaceSubscription: string,
  targetSubscription: string | undefined,
): boolean {
  const sub = tryParseResourceId(privateEndpointId)?.subscriptionId.toLowerCase();
  if (!sub) return false;
  return sub !== workspaceSubscription.toLowerCase() && sub !== targetSubscription?.toLowerCase();
}

export async function computeNode(inventory: Inventory, c: ComputeView, managed: boolean): Promise<ComputeNode> {
  // An attached compute is not created in the managed network: without a subnet, its place is unknown.
  if (!c.subnetId)
    return { ...c, placement: c.network === 'unknown' ? { kind: 'unknown' } : managed ? { kind: 'managed' } : { kind: 'none' } };
  // A subnet what-if could not evaluate: where the compute sits is unknown, and only the questions
  // that ask it fail (the compute's name, type and size are still known).
  const unknown = inventory.unevaluated(c.subnetId);
  if (unknown)
    return Object.defineProperty({ ...c }, 'placement', {
      enumerable: true,
      get: () => {
        throw unknown;
      },
    }) as ComputeNode;
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
    return {
      ...c,
      placement: { kind: 'subnet', subnetId: c.subnetId, vnetId, exists: err.statusCode === 404 ? false : undefined, serviceEndpoints: [] },
    };
  }
}
