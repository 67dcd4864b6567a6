/**
 * The pure questions asked of a {@link NetworkModel} (gathered once by `model.ts`): can this compute
 * reach that resource, through what, and if not, why. No I/O; a read error the answer depends on is
 * thrown as it was recorded.
 */
import { ArmRequestError } from '../arm/errors.js';
import { idKey, sameId } from '../base/resource-id.js';
import { isOpenToAll, nameOf, serviceEndpointsApply, type EndpointConnection, type EndpointPlacement } from './exposure.js';
import { isActive } from './managed.js';
import type { ComputeNode, ManagedNetworkNode, NetworkModel, PrivateEndpointRule, TargetNode, VnetNode } from './model-types.js';

export type Link =
  | { readonly kind: 'same-vnet' }
  | { readonly kind: 'peered' }
  | { readonly kind: 'peering-not-connected'; readonly detail: string }
  | { readonly kind: 'not-peered' };

/** Whether traffic flows from VNet `a` to VNet `b`: the same VNet, or peered `Connected` on both sides. */
export function vnetLink(model: NetworkModel, a: string, b: string): Link {
  if (sameId(a, b)) return { kind: 'same-vnet' };
  const ab = vnetNode(model, a).peerings.find((p) => sameId(p.remoteId, b));
  if (!ab) return { kind: 'not-peered' };
  if (!/^connected$/i.test(ab.state)) return { kind: 'peering-not-connected', detail: `${ab.name} on ${nameOf(a)} is ${ab.state}` };
  const ba = vnetNode(model, b).peerings.find((p) => sameId(p.remoteId, a));
  if (!ba) return { kind: 'peering-not-connected', detail: `${nameOf(b)} has no peering back to ${nameOf(a)}` };
  if (!/^connected$/i.test(ba.state)) return { kind: 'peering-not-connected', detail: `${ba.name} on ${nameOf(b)} is ${ba.state}` };
  return { kind: 'peered' };
}

function vnetNode(model: NetworkModel, id: string): VnetNode {
  const v = model.vnets.get(idKey(id));
  if (!v) return { id, peerings: [], readError: undefined };
  if (v.readError) throw v.readError;
  return v;
}

export type Reach =
  | { readonly ok: true; readonly via: 'public' }
  | { readonly ok: true; readonly via: 'private-endpoint'; readonly endpoint: EndpointPlacement; readonly link: Link }
  | { readonly ok: true; readonly via: 'service-endpoint' }
  | { readonly ok: true; readonly via: 'managed-rule'; readonly rule: PrivateEndpointRule; readonly connection: EndpointConnection }
  | { readonly ok: false; readonly why: Unreachable };

export type Unreachable =
  /** The compute is in no virtual network, and the resource is not public. */
  | { readonly kind: 'not-in-vnet' }
  /** ARM does not say which network the compute is in (an attached compute naming no subnet). */
  | { readonly kind: 'network-unknown' }
  /** The compute's subnet does not exist. */
  | { readonly kind: 'subnet-missing'; readonly subnetId: string }
  /** Customer VNet: no endpoint reachable; the links tried. */
  | { readonly kind: 'no-endpoint-path'; readonly links: readonly { readonly endpoint: EndpointPlacement; readonly link: Link }[] }
  /** A service endpoint rule admits the subnet, but the subnet lacks the service endpoint. */
  | { readonly kind: 'service-endpoint-missing'; readonly subnetServiceEndpoints: readonly string[] }
  /** Managed network: no private-endpoint outbound rule for the resource and sub-resource. */
  | { readonly kind: 'rule-missing' }
  /** Managed network: the rule exists but is not `Active` (`Inactive` until provisioned, `Failed`, …). */
  | { readonly kind: 'rule-not-active'; readonly rule: PrivateEndpointRule }
  /** Managed network: the rule is Active, but the resource shows no Approved connection from it. */
  | { readonly kind: 'connection-not-approved'; readonly rule: PrivateEndpointRule; readonly connections: readonly EndpointConnection[] };

/** The managed network's private-endpoint rule for a resource and sub-resource (an Active one first). */
export function privateEndpointRule(managed: ManagedNetworkNode, resourceId: string, group: string): PrivateEndpointRule | undefined {
  const rules = managed.rules.filter(
    (r): r is PrivateEndpointRule =>
      r.type === 'PrivateEndpoint' && sameId(r.serviceResourceId, resourceId) && r.subresourceTarget.toLowerCase() === group.toLowerCase(),
  );
  return rules.find(isActive) ?? rules[0];
}

/** Can compute `c` reach sub-resource `group` of `target`, and if not, why. Pure (throws a read error it depends on). */
export function reach(model: NetworkModel, c: ComputeNode, target: TargetNode, group: string): Reach {
  const p = c.placement;
  if (p.kind === 'unknown') return { ok: false, why: { kind: 'network-unknown' } };
  if (p.kind === 'managed') {
    const managed = model.managed!;
    const rule = privateEndpointRule(managed, target.id, group);
    if (rule && isActive(rule)) {
      const approved = target.managedConnections.find((x) => /^approved$/i.test(x.status));
      if (approved) return { ok: true, via: 'managed-rule', rule, connection: approved };
    }
    if (managed.isolationMode === 'AllowInternetOutbound' && isOpenToAll(target.exposure)) return { ok: true, via: 'public' };
    if (!rule) return { ok: false, why: { kind: 'rule-missing' } };
    if (!isActive(rule)) return { ok: false, why: { kind: 'rule-not-active', rule } };
    return { ok: false, why: { kind: 'connection-not-approved', rule, connections: target.managedConnections } };
  }
  if (isOpenToAll(target.exposure)) return { ok: true, via: 'public' };
  if (p.kind === 'none') return { ok: false, why: { kind: 'not-in-vnet' } };
  if (p.exists === false) return { ok: false, why: { kind: 'subnet-missing', subnetId: p.subnetId } };
  if (target.endpointReadError) throw target.endpointReadError;
  const endpoints = target.customerEndpoints.filter((e) => e.groupIds.length === 0 || e.groupIds.includes(group));
  const viaEndpoint = reachEndpoints(model, p.vnetId, endpoints);
  if (viaEndpoint.ok) return { ok: true, via: 'private-endpoint', endpoint: viaEndpoint.endpoint, link: viaEndpoint.link };
  const links = viaEndpoint.links;
  // No private endpoint path: a service endpoint rule for exactly this subnet may still admit it.
  if (serviceEndpointsApply(target.exposure) && target.exposure.serviceEndpointSubnets.some((s) => sameId(s, p.subnetId))) {
    if (p.exists === undefined)
      throw new ArmRequestError({ operation: 'GET', resourceId: p.subnetId, code: 'Unknown', detail: 'the subnet could not be read' });
    const has = p.serviceEndpoints.some((s) => s.toLowerCase().startsWith(target.service.toLowerCase()));
    if (has) return { ok: true, via: 'service-endpoint' };
    return { ok: false, why: { kind: 'service-endpoint-missing', subnetServiceEndpoints: p.serviceEndpoints } };
  }
  return { ok: false, why: { kind: 'no-endpoint-path', links } };
}

/** The first private endpoint VNet `vnetId` reaches (same VNet first: it needs no peering), or every link tried. */
export function reachEndpoints(
  model: NetworkModel,
  vnetId: string,
  endpoints: readonly EndpointPlacement[],
):
  | { readonly ok: true; readonly endpoint: EndpointPlacement; readonly link: Link }
  | { readonly ok: false; readonly links: readonly { readonly endpoint: EndpointPlacement; readonly link: Link }[] } {
  const ordered = [...endpoints].sort((x, y) => Number(!sameId(x.vnetId, vnetId)) - Number(!sameId(y.vnetId, vnetId)));
  const links: { endpoint: EndpointPlacement; link: Link }[] = [];
  for (const e of ordered) {
    const link = vnetLink(model, vnetId, e.vnetId);
    if (link.kind === 'same-vnet' || link.kind === 'peered') return { ok: true, endpoint: e, link };
    links.push({ endpoint: e, link });
  }
  return { ok: false, links };
}

/** Whether a resource is network-restricted for a managed network (its public door closed or filtered). */
export function closedToPublic(target: TargetNode): boolean {
  return !isOpenToAll(target.exposure);
}
