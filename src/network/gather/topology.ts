/**
 * The workspace's network topology, for the Markdown report's diagram: workspace, storage,
 * registry, computes, VNets and subnets, private endpoints, NSGs. Built after the audit from the
 * inventory, whose cache already holds what the checks read; anything that cannot be read is left
 * out (a diagram must never fail a report).
 */
import type { Topology, TopologyNode } from '../../base/results.js';
import type { Inventory } from '../../inventory/index.js';
import { nameOf, registryExposure, storageExposure, vnetOf } from '../exposure.js';
import { idKey } from '../../base/resource-id.js';
import { networkModel } from './model.js';

async function maybe<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch {
    return undefined;
  }
}

function maybeSync<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export async function describeTopology(inventory: Inventory, workspaceId: string): Promise<Topology | undefined> {
  const ws = await maybe(inventory.workspace(workspaceId));
  if (!ws) return undefined;
  const [computes, storage, registry] = await Promise.all([
    maybe(inventory.computes(workspaceId)),
    ws.storageAccount ? maybe(inventory.storageAccount(ws.storageAccount)) : undefined,
    ws.containerRegistry ? maybe(inventory.registry(ws.containerRegistry)) : undefined,
  ]);
  const model = await maybe(networkModel(inventory, workspaceId));
  // The managed network's endpoints sit in Microsoft's subscription: drawn from the rules, never read.
  const managedIds = new Set(
    [...(model?.registry?.managedConnections ?? []), ...(model?.storage?.managedConnections ?? [])].map((c) => idKey(c.privateEndpointId)),
  );
  const endpoints: Topology['privateEndpoints'][number][] = [];
  const addEndpoints = async (targetId: string, all: readonly { privateEndpointId: string; status: string }[]): Promise<void> => {
    const connections = all.filter((c) => !managedIds.has(idKey(c.privateEndpointId)));
    for (const c of connections) {
      const pe = await maybe(inventory.privateEndpoint(c.privateEndpointId));
      if (pe?.subnet?.id)
        endpoints.push({
          id: pe.id ?? c.privateEndpointId,
          name: pe.name ?? nameOf(c.privateEndpointId),
          subnetId: pe.subnet.id,
          targetId,
        });
    }
  };
  const st = storage ? storageExposure(storage) : undefined;
  const cr = registry ? registryExposure(registry) : undefined;
  if (storage && st) await addEndpoints(storage.id ?? ws.storageAccount!, st.connections);
  if (registry && cr) await addEndpoints(registry.id ?? ws.containerRegistry!, cr.connections);

  const subnetIds = new Map<string, string>();
  for (const c of computes ?? []) if (c.subnetId) subnetIds.set(idKey(c.subnetId), c.subnetId);
  for (const e of endpoints) subnetIds.set(idKey(e.subnetId), e.subnetId);
  const vnetIds = new Map<string, string>();
  for (const s of subnetIds.values()) {
    try {
      vnetIds.set(idKey(vnetOf(s)), vnetOf(s));
    } catch {
      // a malformed subnet id has no VNet to draw
    }
  }
  const vnets: Topology['vnets'][number][] = [];
  const nsgs = new Map<string, TopologyNode>();
  for (const v of vnetIds.values()) {
    const vnet = await maybe(inventory.virtualNetwork(v));
    const subnets = [...subnetIds.values()]
      .filter((s) => {
        try {
          return idKey(vnetOf(s)) === idKey(v);
        } catch {
          return false;
        }
      })
      .map((s) => {
        const embedded = vnet?.subnets?.find((x) => typeof x.id === 'string' && idKey(x.id) === idKey(s));
        const nsgId = embedded?.networkSecurityGroup?.id;
        if (nsgId) nsgs.set(idKey(nsgId), { id: nsgId, name: nameOf(nsgId) });
        return { id: s, name: nameOf(s), ...(nsgId ? { nsgId } : {}) };
      });
    vnets.push({ id: v, name: vnet?.name ?? nameOf(v), subnets });
  }
  const describe = (e: { publicNetworkAccess: string; defaultAction: string; connections: readonly unknown[] }): string =>
    `public ${e.publicNetworkAccess}, default ${e.defaultAction}, ${e.connections.length} private endpoint(s)`;
  return {
    workspace: { id: workspaceId, name: ws.name ?? nameOf(workspaceId) },
    ...(storage && st ? { storage: { id: storage.id ?? ws.storageAccount!, name: storage.name ?? '', exposure: describe(st) } } : {}),
    ...(registry && cr
      ? { registry: { id: registry.id ?? ws.containerRegistry!, name: registry.name ?? '', exposure: describe(cr) } }
      : {}),
    // Placed as the network model places them (the checks' answer), the inventory's view when the model could not be gathered.
    computes: (computes ?? []).map((c) => {
      const placed = maybeSync(() => model?.computes.find((n) => idKey(n.id) === idKey(c.id))?.placement.kind);
      return {
        id: c.id,
        name: c.name,
        type: c.computeType,
        ...(c.subnetId ? { subnetId: c.subnetId } : {}),
        network: placed ?? (c.network === 'none' && model?.managed ? 'managed' : c.network),
      };
    }),
    vnets,
    privateEndpoints: endpoints,
    nsgs: [...nsgs.values()],
    ...(model?.managed
      ? {
          managed: {
            id:
              model.managed.kind === 'V2' ? `${model.managed.ownerId}/managedNetworks/default` : `${model.managed.ownerId}/managedNetwork`,
            name: `managed VNet${model.managed.kind === 'V2' ? ' (V2)' : ''} of ${nameOf(model.managed.ownerId)}`,
            isolationMode: model.managed.isolationMode,
            status: model.managed.status,
            endpoints: model.managed.rules.flatMap((r) =>
              r.type === 'PrivateEndpoint'
                ? [
                    {
                      id: `${model.managed!.rulesId}/${r.name}`,
                      name: r.name,
                      targetId: r.serviceResourceId,
                      subresource: r.subresourceTarget,
                      ruleStatus: r.status,
                    },
                  ]
                : [],
            ),
          },
        }
      : {}),
  };
}

export type { Topology, TopologyNode } from '../../base/results.js';
