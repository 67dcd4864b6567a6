/**
 * Microsoft.Network reads on the way out of a spoke: Azure Firewalls, firewall policies and their
 * rule collection groups, IP groups, and the NICs of third-party appliances. Each resource is read
 * once per run (single flight, failures included), whatever subscription it sits in.
 */
import type { AzureFirewall, FirewallPolicy, FirewallPolicyRuleCollectionGroup, IpGroup, NetworkInterface } from '@azure/arm-network';
import { idKey, parseResourceId } from '../base/resource-id.js';
import type { ArmReader } from './reader.js';
import type { ReadOptions } from './views.js';

export async function azureFirewall(r: ArmReader, id: string, opts?: ReadOptions): Promise<AzureFirewall> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.azureFirewalls.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}

export async function firewallPolicy(r: ArmReader, id: string, opts?: ReadOptions): Promise<FirewallPolicy> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.firewallPolicies.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}

/** Every rule collection group of a policy (all pages): one list instead of a GET per group. */
export async function ruleCollectionGroups(
  r: ArmReader,
  policyId: string,
  opts?: ReadOptions,
): Promise<readonly FirewallPolicyRuleCollectionGroup[]> {
  const rid = parseResourceId(policyId);
  return r.onceKey(
    `LIST ruleCollectionGroups ${idKey(rid.id)}`,
    'LIST ruleCollectionGroups',
    rid.id,
    'Microsoft.Network/firewallPolicies/ruleCollectionGroups/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(rid.subscriptionId);
      const out: FirewallPolicyRuleCollectionGroup[] = [];
      for await (const g of net.firewallPolicyRuleCollectionGroups.list(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal }))
        out.push(g);
      return out;
    },
  );
}

export async function ipGroup(r: ArmReader, id: string, opts?: ReadOptions): Promise<IpGroup> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.ipGroups.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}

export async function networkInterface(r: ArmReader, id: string, opts?: ReadOptions): Promise<NetworkInterface> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.networkInterfaces.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}
