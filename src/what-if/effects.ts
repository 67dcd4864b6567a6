/**
 * What Azure does on its own when a deployment applies, which ARM's what-if does not list: the
 * properties the service sets. ARM's `after` holds what the template writes; a read-only property
 * the service computes is absent there (or still the value before the change). Laid over the plan
 * (`plan.ts`) as changes of their own, so the planned state is one that can exist. Only what the
 * docs make certain is set; where they leave it open, the value is marked unknown and the reads
 * that carry it fail naming its path, so the checks say `error`, never a guessed `fail`.
 *
 * - A managed network's outbound rule becomes `Active` when the network provisions it: a rule added
 *   to a provisioned (`Active`) network is Active once the deployment applies; on a network not
 *   provisioned yet it stays `Inactive` until the network is provisioned.
 *   https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#configure-a-managed-virtual-network-to-allow-only-approved-outbound
 *   https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#manually-provision-a-managed-vnet
 * - A virtual network peering is `Initiated` until the remote VNet has a peering back, then both
 *   sides are `Connected`; deleting one side leaves the other `Disconnected`.
 *   https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#view-or-change-peering-settings
 * - (in `plan.ts`, since it applies to every answer) deleting a private endpoint removes its
 *   connection from the target resource, and its DNS zone groups with it.
 */
import { ArmRequestError } from '../arm/errors.js';
import { idKey, sameId, tryParseResourceId } from '../base/resource-id.js';
import type { Inventory, ReadOptions } from '../inventory/index.js';
import { parseManagedNetwork, parseManagedNetworkV2 } from '../network/gather/managed-schema.js';
import { decides, type PlannedChange } from './changes.js';
import { accessPolicyEffects } from './vault-policies.js';

type Json = Record<string, unknown>;
type Mutable = { -readonly [K in keyof PlannedChange]: PlannedChange[K] } & { after: Json };
interface Peering {
  readonly id: string;
  readonly vnet: string;
  readonly remote: string;
  /** The change that holds its body: its own, or its VNet's; none for a live peering. */
  readonly owner?: PlannedChange;
}

const RULE = /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+(\/managednetworks\/[^/]+)?\/outboundrules\/[^/]+$/;
const NETWORK_V2 = /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+\/managednetworks\/[^/]+$/;
const WORKSPACE = /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+$/;
const VNET = /\/providers\/microsoft\.network\/virtualnetworks\/[^/]+$/;
const PEERING = /\/providers\/microsoft\.network\/virtualnetworks\/[^/]+\/virtualnetworkpeerings\/[^/]+$/;

/**
 * The changes Azure makes on its own when `changes` apply: each replaces the change of its resource
 * (`after` with what Azure sets, or `unknown` for what the docs leave open), or is a change of type
 * `Set` of a live resource the template does not name (the values Azure sets on it). Reads what it
 * needs of the live state through `live` (reads the audit makes anyway, cached).
 */
export async function serviceEffects(changes: readonly PlannedChange[], live: Inventory, opts: ReadOptions = {}): Promise<PlannedChange[]> {
  const byId = new Map<string, PlannedChange>();
  for (const c of changes) if (decides(c.changeType)) byId.set(idKey(c.resourceId), c);
  const out = new Map<string, PlannedChange>();
  /** The change of `id` as it stands after the effects so far. */
  const current = (id: string): PlannedChange | undefined => out.get(idKey(id)) ?? byId.get(idKey(id));
  const put = (c: PlannedChange): void => void out.set(idKey(c.resourceId), c);
  const writes = (c: PlannedChange | undefined): c is PlannedChange & { after: Json } =>
    c !== undefined && /^(create|modify|deploy)$/i.test(c.changeType) && c.after !== undefined;

  // Outbound rules: a rule on its own, or in a network's `outboundRules` map (V1 workspace, V2 network).
  for (const c of byId.values()) {
    if (!writes(c)) continue;
    const key = idKey(c.resourceId);
    if (RULE.test(key)) {
      const props = (c.after.properties ?? {}) as Json;
      if (typeof props.status === 'string' && props.status !== '') continue;
      const network = await networkStatus(key.slice(0, key.lastIndexOf('/outboundrules/')), byId, live, opts);
      put(withRuleStatus(c, 'properties.status', network));
    } else if (WORKSPACE.test(key) || NETWORK_V2.test(key)) {
      const mn = (c.after.properties as { managedNetwork?: { outboundRules?: unknown } } | undefined)?.managedNetwork;
      const rules = mn?.outboundRules;
      if (!rules || typeof rules !== 'object') continue;
      const missing = Object.entries(rules as Record<string, Json | null>).filter(
        ([, r]) => r && typeof r === 'object' && !(typeof r.status === 'string' && r.status !== ''),
      );
      if (missing.length === 0) continue;
      const network = await networkStatus(key, byId, live, opts);
      let next: PlannedChange = structuredClone(c);
      for (const [name] of missing)
        next = withRuleStatus(next, `properties.managedNetwork.outboundRules.${name}.status`, network, (after, status) => {
          ((after.properties as Json).managedNetwork as { outboundRules: Record<string, Json> }).outboundRules[name]!.status = status;
        });
      put(next);
    }
  }

  // Peerings: created ones (on their own, or new in a VNet's body) and deleted ones.
  const created: Peering[] = [];
  const deleted: Peering[] = [];
  for (const c of byId.values()) {
    const key = idKey(c.resourceId);
    if (PEERING.test(key)) {
      const remote = remoteOf(c.after ?? c.before);
      if (!remote) continue;
      const vnet = key.slice(0, key.lastIndexOf('/virtualnetworkpeerings/'));
      if (/^delete$/i.test(c.changeType)) deleted.push({ id: c.resourceId, vnet, remote });
      else if (writes(c) && stateOf(c.after) !== 'Connected') created.push({ id: c.resourceId, vnet, remote, owner: c });
    } else if (VNET.test(key) && writes(c)) {
      const before = new Set(peeringsOf(c.before).map((p) => idKey(String(p.id))));
      for (const p of peeringsOf(c.after)) {
        const remote = remoteOf(p);
        if (!remote || typeof p.id !== 'string' || before.has(idKey(p.id)) || stateOf(p) === 'Connected') continue;
        created.push({ id: p.id, vnet: key, remote, owner: c });
      }
    }
  }
  /** A VNet's peerings in the planned state, each with the change that holds its body (none: live). */
  const peeringsOfVnet = async (vnetId: string): Promise<Peering[]> => {
    const c = current(vnetId);
    if (c && /^delete$/i.test(c.changeType)) return [];
    const own = [...byId.values()]
      .filter((x) => PEERING.test(idKey(x.resourceId)) && idKey(x.resourceId).startsWith(`${idKey(vnetId)}/`))
      .map((x) => ({ id: x.resourceId, vnet: vnetId, remote: remoteOf(x.after ?? x.before) ?? '', owner: x }));
    const embedded = writes(c)
      ? peeringsOf(c.after).map((x) => ({ id: String(x.id), vnet: vnetId, remote: remoteOf(x) ?? '', owner: c }))
      : ((await live.virtualNetwork(vnetId, opts)).virtualNetworkPeerings ?? []).map((x) => ({
          id: x.id ?? '',
          vnet: vnetId,
          remote: x.remoteVirtualNetwork?.id ?? '',
        }));
    return [...own, ...embedded.filter((e) => !own.some((o) => sameId(o.id, e.id)))].filter(
      (p) => !/^delete$/i.test(byId.get(idKey(p.id))?.changeType ?? ''),
    );
  };
  const setPeering = (p: Peering, state: string | { why: string }): void => {
    const owner = p.owner ? (current(p.owner.resourceId) ?? p.owner) : undefined;
    if (!owner) {
      // A live peering the template does not name: Azure changes its state.
      if (typeof state === 'string') put({ resourceId: p.id, changeType: 'Set', after: { properties: { peeringState: state } } });
      return;
    }
    const next = structuredClone(owner) as Mutable;
    const own = sameId(owner.resourceId, p.id);
    const i = own ? -1 : peeringsOf(next.after).findIndex((x) => sameId(String(x.id), p.id));
    if (!own && i < 0) return;
    const body = own ? next.after : peeringsOf(next.after)[i]!;
    if (typeof state === 'string') ((body.properties ??= {}) as Json).peeringState = state;
    else {
      const path = own ? 'properties.peeringState' : `properties.virtualNetworkPeerings[${i}].properties.peeringState`;
      next.unknown = [...(next.unknown ?? []), { path, why: state.why }];
    }
    put(next);
  };
  for (const p of created) {
    let back: Peering | undefined;
    try {
      back = (await peeringsOfVnet(p.remote)).find((x) => sameId(x.remote, p.vnet));
    } catch (err) {
      if (!(err instanceof ArmRequestError)) throw err;
      setPeering(p, { why: `it depends on a peering back from ${p.remote}, which could not be read (${err.message})` });
      continue;
    }
    // Both sides exist once the deployment applies: Azure connects them. Else it waits, Initiated.
    setPeering(p, back ? 'Connected' : 'Initiated');
    if (back) setPeering(back, 'Connected');
  }
  for (const p of deleted) {
    try {
      const back = (await peeringsOfVnet(p.remote)).find((x) => sameId(x.remote, p.vnet));
      if (back) setPeering(back, 'Disconnected');
    } catch (err) {
      if (!(err instanceof ArmRequestError)) throw err;
      // The remote side cannot be read: the audit of anything on it errors on its own.
    }
  }
  // A key vault's accessPolicies/{add,replace,remove} operate on the vault's list (vault-policies.ts).
  for (const c of await accessPolicyEffects([...byId.values()], live, opts)) put(c);
  return [...out.values()];
}

/** The status of the managed network that owns rules (a V1 workspace, or a V2 `managedNetworks/default`), as planned. */
async function networkStatus(
  ownerKey: string,
  byId: ReadonlyMap<string, PlannedChange>,
  live: Inventory,
  opts: ReadOptions,
): Promise<{ status: string } | { why: string }> {
  const v2 = NETWORK_V2.test(ownerKey);
  const c = byId.get(ownerKey);
  try {
    if (c?.after) {
      const props = c.after.properties as { managedNetwork?: { status?: { status?: unknown } }; provisioningState?: unknown } | undefined;
      const said = typeof props?.managedNetwork?.status?.status === 'string' || (v2 && typeof props?.provisioningState === 'string');
      const mn = v2 ? parseManagedNetworkV2({ id: ownerKey, ...c.after }, ownerKey) : parseManagedNetwork(props?.managedNetwork, ownerKey);
      if (!mn) return { why: `the managed network of ${ownerKey} is Disabled in the planned state` };
      if (said) return { status: mn.status };
      // A network the deployment creates is provisioned by its first compute (or a provision call), not before.
      const workspaceKey = v2 ? ownerKey.slice(0, ownerKey.lastIndexOf('/managednetworks/')) : ownerKey;
      const computes = [...byId.keys()].some(
        (id) => id.startsWith(`${workspaceKey}/computes/`) && /^create$/i.test(byId.get(id)!.changeType),
      );
      if (/^create$/i.test(c.changeType))
        return computes ? { why: `the deployment also creates a compute, which provisions the new network` } : { status: 'Inactive' };
    }
    const workspaceId = v2 ? ownerKey.slice(0, ownerKey.lastIndexOf('/managednetworks/')) : ownerKey;
    const mn = v2 ? await live.managedNetworkV2(workspaceId, opts) : (await live.workspace(workspaceId, opts)).managedNetwork;
    if (!mn) return { why: `the workspace ${workspaceId} has no managed network live` };
    return { status: mn.status };
  } catch (err) {
    return { why: `the status of its managed network could not be read (${(err as Error).message})` };
  }
}

/**
 * A rule's status once the change applies: the network's, when that is `Active` (Azure provisions
 * the new rule) or `Inactive` (nothing provisions it yet); unknown otherwise.
 */
function withRuleStatus(
  c: PlannedChange,
  path: string,
  network: { status: string } | { why: string },
  write: (after: Json, status: string) => void = (after, status) => void (((after.properties ??= {}) as Json).status = status),
): PlannedChange {
  if ('status' in network && /^(active|inactive)$/i.test(network.status)) {
    const next = structuredClone(c) as Mutable;
    write(next.after, /^active$/i.test(network.status) ? 'Active' : 'Inactive');
    return next;
  }
  // The state first: the reason may be cut short where it is shown.
  const why = `${'status' in network ? `the managed network is ${network.status}` : network.why} (Azure sets a new rule's status when the network provisions it)`;
  return { ...c, unknown: [...(c.unknown ?? []), { path, why }] };
}

function peeringsOf(body: Json | undefined): Json[] {
  const list = (body?.properties as { virtualNetworkPeerings?: unknown } | undefined)?.virtualNetworkPeerings;
  return Array.isArray(list) ? (list as unknown[]).filter((x): x is Json => x !== null && typeof x === 'object') : [];
}

function remoteOf(peering: Json | undefined): string | undefined {
  const id = (peering?.properties as { remoteVirtualNetwork?: { id?: unknown } } | undefined)?.remoteVirtualNetwork?.id;
  return typeof id === 'string' && tryParseResourceId(id) ? id : undefined;
}

function stateOf(peering: Json | undefined): string | undefined {
  const s = (peering?.properties as { peeringState?: unknown } | undefined)?.peeringState;
  return typeof s === 'string' ? s : undefined;
}
