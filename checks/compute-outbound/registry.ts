/** Which compute subnets reach the workspace registry through its public endpoint, and its hosts there. */
import type { CheckContext } from '../../src/engine/check.js';
import { idKey, sameId } from '../../src/base/resource-id.js';
import { networkModel } from '../../src/network/gather/model.js';
import { reach } from '../../src/network/reach.js';

/**
 * The workspace registry's hosts, per compute subnet, where a compute there reaches the registry
 * through no private endpoint (its public endpoint, across the egress path). Absent: not asked.
 */
export async function registryHostsToCheck(
  ctx: CheckContext,
  computes: readonly { readonly id: string; readonly subnetId?: string | undefined }[],
  opts: { abortSignal: AbortSignal },
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const model = await networkModel(ctx.inventory, ctx.workspaceId, opts);
  const registry = model.registry;
  if (!registry) return out;
  const view = await ctx.inventory.registry(registry.id, opts);
  const login = view.loginServer ?? `${registry.name}.azurecr.io`;
  // The page's `<acr>.<region>.data.azurecr.io`; ARM lists the registry's own data endpoints when they are on.
  const data = view.dataEndpointHostNames?.length
    ? view.dataEndpointHostNames
    : [`${registry.name}.${view.location.toLowerCase()}.data.azurecr.io`];
  const hosts = [login, ...data];
  for (const c of computes) {
    const node = model.computes.find((n) => sameId(n.id, c.id));
    if (!node || !c.subnetId) continue;
    const r = reach(model, node, registry, 'registry');
    // A private endpoint serves it, or nothing does (same-vnet-placement's finding): no public egress to decide.
    if (r.ok && r.via === 'public') out.set(idKey(c.subnetId), hosts);
  }
  return out;
}
