/**
 * What owns a route's `VirtualAppliance` next hop, read through the inventory: an Azure Firewall
 * (its rules, policies and IP groups gathered for the pure evaluator in `firewall.ts`), a
 * third-party appliance's NIC, nothing readable, or something a 403 hides.
 *
 * Hub and spoke as Microsoft's landing zones build it
 * (https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke): the spoke is
 * peered to a hub VNet, possibly in another subscription, whose `AzureFirewallSubnet` holds the
 * firewall; that subnet's `ipConfigurations` name the firewall's IP configurations
 * (`…/azureFirewalls/{fw}/azureFirewallIpConfigurations/{name}`), and the firewall's
 * `ipConfigurations[].privateIPAddress` is the next hop. Any other subnet's `ipConfigurations`
 * name NICs (`…/networkInterfaces/{nic}/ipConfigurations/{name}`).
 *
 * A Virtual WAN secured hub (`virtual-wan.ts`) holds its firewall in a managed VNet no customer
 * can read: an address the hub's routes name is its firewall's `hubIPAddresses.privateIPAddress`.
 * When neither the hub nor the peered VNets hold the address, the readable subscriptions are
 * searched: their firewalls and NICs (one list each; one Resource Graph query in Resource Graph
 * mode).
 *
 * Reads run as soon as their ids are known: the VNets together, then the firewalls of the subnet
 * that holds the address, then the policy and its rule collection groups together, then the IP
 * groups the rules name.
 */
import type {
  AzureFirewall,
  FirewallPolicy,
  FirewallPolicyRuleCollectionGroup,
  NetworkInterface,
  Subnet,
  VirtualNetwork,
} from '@azure/arm-network';
import { ArmRequestError } from '../../arm/errors.js';
import { idKey } from '../../base/resource-id.js';
import type { Inventory, ReadOptions } from '../../inventory/index.js';
import { contains, isCidr, union, type AddressSet } from '../cidr.js';
import type { FirewallContext } from '../firewall.js';
import {
  classicRules,
  policyRules,
  type ArmAzureFirewall,
  type ArmFirewallPolicy,
  type ArmRuleCollectionGroup,
  type FirewallRules,
} from '../firewall-rules.js';
import type { ServiceTagIndex } from '../service-tags.js';
import { isHubPeering, virtualHubEgress } from './virtual-wan.js';
import type { Appliance } from '../egress-types.js';

/** How deep `basePolicy` is followed; Azure allows one parent per policy, chains stay short. */
const MAX_INHERITANCE = 8;

/** The firewall context for the evaluator: the run's service tags and the appliance's IP groups. */
export function firewallContext(appliance: Extract<Appliance, { kind: 'firewall' }>, tags: ServiceTagIndex): FirewallContext {
  return { tags, ipGroups: appliance.ipGroups };
}

/** Finds what owns `ip`, starting from the spoke VNet and the VNets it is peered with. */
export async function findAppliance(inventory: Inventory, spokeVnetId: string, ip: string, opts: ReadOptions): Promise<Appliance> {
  try {
    return await find(inventory, spokeVnetId, ip, opts);
  } catch (err) {
    if (err instanceof ArmRequestError && (err.statusCode === 403 || err.statusCode === 401)) {
      // A list's scope (`/subscriptions/{id}`) is no resource id: read the subscription off the path.
      const sub = /^\/subscriptions\/([^/]+)/i.exec(err.resourceId)?.[1] ?? '';
      return {
        kind: 'unreadable',
        ip,
        resourceId: err.resourceId,
        subscriptionId: sub,
        action: err.requiredAction ?? 'read',
        message: err.message,
      };
    }
    throw err;
  }
}

async function find(inventory: Inventory, spokeVnetId: string, ip: string, opts: ReadOptions): Promise<Appliance> {
  const spoke = await inventory.virtualNetwork(spokeVnetId, opts);
  // The hub's reads are the ones subnetEgress made (cached): nothing more is read for it here.
  const hub = await virtualHubEgress(inventory, spoke, opts);
  if (hub?.kind === 'unreadable' && hub.ip === ip)
    return {
      kind: 'unreadable',
      ip,
      resourceId: hub.resourceId,
      subscriptionId: hub.subscriptionId,
      action: hub.action,
      message: hub.message,
    };
  if (hub?.kind === 'hub' && hub.firewall && hub.firewallIp === ip)
    return gatherFirewall(inventory, hub.firewall, hub.hubId, ip, opts, hub.hubId);
  // Only a VNet whose address space holds the address can hold its owner.
  const address = [`${ip}/32`];
  const candidates = [spokeVnetId, ...peeredVnets(spoke)].filter((id, i, all) => all.findIndex((x) => idKey(x) === idKey(id)) === i);
  const vnets = await Promise.all(
    candidates.map((id) => (idKey(id) === idKey(spokeVnetId) ? Promise.resolve(spoke) : inventory.virtualNetwork(id, opts))),
  );
  const holder = vnets.flatMap((v) => (v.subnets ?? []).map((s) => ({ v, s }))).find(({ s }) => contains(prefixesOf(s), address));
  if (!holder)
    return searchSubscriptions(
      inventory,
      ip,
      vnets.map((v) => v.id ?? ''),
      opts,
    );
  const configs = (holder.s.ipConfigurations ?? []).map((c) => c.id ?? '');
  const firewallIds = unique(configs.map((id) => /^(.*\/providers\/microsoft\.network\/azurefirewalls\/[^/]+)\//i.exec(id)?.[1]));
  if (firewallIds.length > 0) {
    const firewalls = await Promise.all(firewallIds.map((id) => inventory.azureFirewall(id, opts)));
    const fw = firewalls.find((f) => firewallIps(f).includes(ip));
    if (fw) return gatherFirewall(inventory, fw, holder.v.id ?? '', ip, opts);
  }
  const nicIds = unique(configs.map((id) => /^(.*\/providers\/microsoft\.network\/networkinterfaces\/[^/]+)\//i.exec(id)?.[1]));
  const nics = await Promise.all(nicIds.map((id) => inventory.networkInterface(id, opts)));
  const nic = nics.find((n) => (n.ipConfigurations ?? []).some((c) => c.privateIPAddress === ip));
  if (nic) return thirdParty(nic, ip);
  return searchSubscriptions(
    inventory,
    ip,
    vnets.map((v) => v.id ?? ''),
    opts,
  );
}

/** The VNets a spoke is peered with that may hold an appliance (`Connected`, not a Virtual WAN hub's). */
function peeredVnets(spoke: VirtualNetwork): string[] {
  return (
    (spoke.virtualNetworkPeerings ?? [])
      // The hub's managed VNet sits in Microsoft's subscription: unreadable, and never the owner.
      .filter((p) => /^connected$/i.test(p.peeringState ?? '') && !isHubPeering(p))
      .map((p) => p.remoteVirtualNetwork?.id)
      .filter((id): id is string => !!id)
  );
}

/** Above this many peerings a VNet is a hub itself, not a spoke: its peers are read only when a route needs them. */
const PREFETCH_PEERINGS = 4;

/**
 * Starts reading the VNets `findAppliance` searches, beside the subnet's route table instead of
 * after it. A route table in a spoke is there, nearly always, to send traffic to a firewall or NVA
 * in the hub (Microsoft's hub-and-spoke), and every appliance route searches exactly these VNets:
 * read now, the hub is one round trip earlier, and so is each read behind it (firewall, policy,
 * IP groups). A read nobody asks for (a route table without appliance routes) is the only cost;
 * its failure is kept for whoever asks, never thrown here.
 */
export function prefetchApplianceVnets(inventory: Inventory, spoke: VirtualNetwork, opts: ReadOptions): void {
  const peers = peeredVnets(spoke);
  if (peers.length > PREFETCH_PEERINGS) return;
  for (const id of peers) inventory.virtualNetwork(id, opts).catch(() => undefined);
}

/**
 * When the peerings do not lead to the owner: the firewalls and NICs of every readable
 * subscription (ARM mode lists them, Resource Graph mode asks one query), matched exactly.
 */
async function searchSubscriptions(inventory: Inventory, ip: string, searched: readonly string[], opts: ReadOptions): Promise<Appliance> {
  const subscriptions = (await inventory.subscriptions(opts)).filter((s) => !/^deleted$/i.test(s.state)).map((s) => s.subscriptionId);
  const owners = await inventory.privateIpOwners(subscriptions, ip, opts);
  const fw = owners.firewalls.find((f) => firewallIps(f).includes(ip));
  if (fw) {
    const hubId = fw.virtualHub?.id;
    const subnetId = fw.ipConfigurations?.find((c) => c.privateIPAddress === ip)?.subnet?.id;
    const vnetId = hubId ?? (subnetId ? subnetId.replace(/\/subnets\/[^/]+$/i, '') : (fw.id ?? ''));
    return gatherFirewall(inventory, fw, vnetId, ip, opts, hubId);
  }
  const nic = owners.nics.find((n) => (n.ipConfigurations ?? []).some((c) => c.privateIPAddress === ip));
  if (nic) return thirdParty(nic, ip);
  return { kind: 'unknown', ip, searched: [...searched, ...subscriptions.map((s) => `/subscriptions/${s}`)] };
}

function thirdParty(nic: NetworkInterface, ip: string): Appliance {
  return {
    kind: 'third-party',
    ip,
    nicId: nic.id ?? '',
    ...(nic.virtualMachine?.id ? { vmId: nic.virtualMachine.id } : {}),
    ipForwarding: nic.enableIPForwarding === true,
  };
}

function prefixesOf(s: Subnet): AddressSet {
  return union([...(s.addressPrefixes ?? []), ...(s.addressPrefix ? [s.addressPrefix] : [])].filter(isCidr));
}

function unique(list: readonly (string | undefined)[]): string[] {
  const seen = new Map<string, string>();
  for (const x of list) if (x && !seen.has(idKey(x))) seen.set(idKey(x), x);
  return [...seen.values()];
}

/** The private addresses a firewall answers on: VNet firewalls' IP configurations, a hub firewall's private IP. */
export function firewallIps(fw: AzureFirewall): string[] {
  return [...(fw.ipConfigurations ?? []).map((c) => c.privateIPAddress), fw.hubIPAddresses?.privateIPAddress].filter(
    (x): x is string => !!x,
  );
}

async function gatherFirewall(
  inventory: Inventory,
  fw: AzureFirewall,
  vnetId: string,
  ip: string,
  opts: ReadOptions,
  virtualHubId?: string,
): Promise<Appliance> {
  const firewallId = fw.id ?? '';
  let rules: FirewallRules;
  const policyIds: string[] = [];
  if (fw.firewallPolicy?.id) {
    const chain: { policy: ArmFirewallPolicy; groups: ArmRuleCollectionGroup[] }[] = [];
    let next: string | undefined = fw.firewallPolicy.id;
    while (next && chain.length < MAX_INHERITANCE && !policyIds.some((p) => idKey(p) === idKey(next!))) {
      policyIds.push(next);
      // The groups list needs only the policy's id: read both at once.
      const [policy, groups]: [FirewallPolicy, readonly FirewallPolicyRuleCollectionGroup[]] = await Promise.all([
        inventory.firewallPolicy(next, opts),
        inventory.ruleCollectionGroups(next, opts),
      ]);
      chain.push({
        policy: { id: policy.id ?? next, properties: { dnsSettings: policy.dnsSettings ?? null, basePolicy: policy.basePolicy ?? null } },
        groups: groups.map(toArmGroup),
      });
      next = policy.basePolicy?.id;
    }
    rules = policyRules(firewallId, chain);
  } else rules = classicRules(toArmFirewall(fw));
  const groupIds = unique(
    [...rules.network, ...rules.application].flatMap((c) =>
      c.rules.flatMap((r) => [...(r.sourceIpGroups ?? []), ...('destinationIpGroups' in r ? (r.destinationIpGroups ?? []) : [])]),
    ),
  );
  const ipGroups = new Map<string, AddressSet | { unreadable: string }>();
  await Promise.all(
    groupIds.map(async (id) => {
      try {
        const g = await inventory.ipGroup(id, opts);
        ipGroups.set(idKey(id), union((g.ipAddresses ?? []).filter(isCidr)));
      } catch (err) {
        // A 403 makes the rules that name the group undecidable; any other failure is the read's.
        if (!(err instanceof ArmRequestError && (err.statusCode === 403 || err.statusCode === 401))) throw err;
        ipGroups.set(idKey(id), { unreadable: err.message });
      }
    }),
  );
  return { kind: 'firewall', ip, firewallId, vnetId, ...(virtualHubId ? { virtualHubId } : {}), rules, policyIds, ipGroups };
}

/** The SDK flattens `properties`; the evaluator reads ARM's own shape. */
function toArmGroup(g: FirewallPolicyRuleCollectionGroup): ArmRuleCollectionGroup {
  return {
    id: g.id ?? null,
    name: g.name ?? null,
    properties: { priority: g.priority ?? null, ruleCollections: (g.ruleCollections ?? []) as ArmRuleCollectionGroupCollections },
  };
}
type ArmRuleCollectionGroupCollections = NonNullable<NonNullable<ArmRuleCollectionGroup['properties']>['ruleCollections']>;

function toArmFirewall(fw: AzureFirewall): ArmAzureFirewall {
  const collections = (list: AzureFirewall['networkRuleCollections'] | AzureFirewall['applicationRuleCollections']) =>
    (list ?? []).map((c) => ({
      name: c.name ?? null,
      properties: { priority: c.priority ?? null, action: c.action ?? null, rules: (c.rules ?? []) as never },
    }));
  return {
    id: fw.id ?? null,
    properties: {
      networkRuleCollections: collections(fw.networkRuleCollections),
      applicationRuleCollections: collections(fw.applicationRuleCollections),
      additionalProperties: fw.additionalProperties ?? null,
    },
  };
}

/**
 * The hub resources a subnet's egress crosses (firewalls, their policies and IP groups, the VNets
 * and NICs that hold the appliances), for what-if: a deployment that changes one of them selects
 * the workspace. What cannot be read is left out.
 */
export async function applianceIds(inventory: Inventory, vnetId: string, routeTableId: string, opts: ReadOptions): Promise<string[]> {
  const table = await inventory.routeTable(routeTableId, opts);
  const ips = unique((table.routes ?? []).filter((r) => /^virtualappliance$/i.test(r.nextHopType ?? '')).map((r) => r.nextHopIpAddress));
  const out: string[] = [];
  for (const ip of ips) {
    const a = await findAppliance(inventory, vnetId, ip, opts).catch(() => undefined);
    if (a?.kind === 'firewall') out.push(a.firewallId, a.vnetId, ...a.policyIds, ...a.ipGroups.keys());
    if (a?.kind === 'third-party') out.push(a.nicId);
  }
  return out;
}

/**
 * The Virtual WAN resources a VNet's egress crosses, for what-if: its hub (and so the hub's routing
 * intent, connections and route tables, children of it), the connection, and the hub firewall with
 * its policies and IP groups. What cannot be read is left out.
 */
export async function virtualHubIds(inventory: Inventory, vnetId: string, opts: ReadOptions): Promise<string[]> {
  const hub = await virtualHubEgress(inventory, await inventory.virtualNetwork(vnetId, opts), opts);
  if (!hub || hub.kind === 'not-found') return [];
  if (hub.kind === 'unreadable') return hub.hubId ? [hub.hubId] : [];
  const out = [hub.hubId, hub.connectionId, ...(hub.routingIntentId ? [hub.routingIntentId] : []), ...hub.routeTableIds];
  if (hub.firewall?.id) out.push(hub.firewall.id);
  if (hub.firewallIp) {
    const a = await findAppliance(inventory, vnetId, hub.firewallIp, opts).catch(() => undefined);
    if (a?.kind === 'firewall') out.push(...a.policyIds, ...a.ipGroups.keys());
  }
  return out;
}
