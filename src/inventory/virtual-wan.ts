/**
 * Microsoft.Network reads of Virtual WAN (issue 21): the virtual hubs of a subscription, a hub's
 * virtual network connections, routing intent and route tables, and the owner of a private IP when
 * no peering leads to it (the firewalls and NICs of the readable subscriptions: one list each in
 * ARM mode, one query in Resource Graph mode). Each read once per run, failures included.
 * https://learn.microsoft.com/rest/api/virtualwan/
 */
import type {
  AzureFirewall,
  HubRouteTable,
  HubVirtualNetworkConnection,
  NetworkInterface,
  RoutingIntent,
  VirtualHub,
} from '@azure/arm-network';
import { queryResources } from '../arm/resource-graph.js';
import { idKey, parseResourceId } from '../base/resource-id.js';
import { azureFirewall, networkInterface } from './firewall.js';
import type { ArmReader } from './reader.js';
import type { ReadOptions } from './views.js';

/** What the path needs of a virtual hub, whether ARM's list or a Resource Graph row said it. */
export interface VirtualHubView {
  readonly id: string;
  readonly name: string;
  readonly addressPrefix: string | undefined;
  /** The secured hub's Azure Firewall (`properties.azureFirewall.id`). */
  readonly azureFirewallId: string | undefined;
}

/** Every virtual hub of a subscription (`GET …/providers/Microsoft.Network/virtualHubs`, all pages). */
export async function virtualHubsIn(r: ArmReader, subscriptionId: string, opts?: ReadOptions): Promise<readonly VirtualHubView[]> {
  const scope = `/subscriptions/${subscriptionId}`;
  return r.onceKey(
    `LIST virtualHubs ${idKey(scope)}`,
    'LIST virtualHubs',
    scope,
    'Microsoft.Network/virtualHubs/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(subscriptionId);
      const out: VirtualHubView[] = [];
      for await (const h of net.virtualHubs.list({ abortSignal: signal })) out.push(hubView(h));
      return out;
    },
  );
}

/**
 * The virtual hubs named `name` in `subscriptions`. Resource Graph mode asks one query over all of
 * them; ARM mode lists each subscription's hubs (in parallel). A subscription whose list is
 * refused makes the answer incomplete: that failure is thrown, never a silent "no hub".
 */
export async function virtualHubsNamed(
  r: ArmReader,
  subscriptions: readonly string[],
  name: string,
  opts?: ReadOptions,
): Promise<readonly VirtualHubView[]> {
  if (r.mode === 'resource-graph') {
    const key = `QUERY virtualHubs ${name.toLowerCase()} ${subscriptions.map((s) => s.toLowerCase()).join(',')}`;
    return r.onceKey(
      key,
      'QUERY virtualHubs',
      '/providers/Microsoft.ResourceGraph/resources',
      'Microsoft.ResourceGraph/resources/read',
      opts,
      async (signal) => {
        const rows = await queryResources(await r.clients.resourceGraph(), subscriptions, {
          query: `Resources | where type =~ 'microsoft.network/virtualhubs' and name =~ '${quote(name)}' | order by id asc`,
          abortSignal: signal,
        });
        return rows.map((row) =>
          hubView({ ...((row.properties ?? {}) as VirtualHub), id: row.id, name: typeof row.name === 'string' ? row.name : '' }),
        );
      },
    );
  }
  const lists = await Promise.all(subscriptions.map((s) => virtualHubsIn(r, s, opts)));
  return lists.flat().filter((h) => h.name.toLowerCase() === name.toLowerCase());
}

function hubView(h: VirtualHub): VirtualHubView {
  return { id: h.id ?? '', name: h.name ?? '', addressPrefix: h.addressPrefix, azureFirewallId: h.azureFirewall?.id };
}

function hubRid(hubId: string): { sub: string; rg: string; hub: string } {
  const rid = parseResourceId(hubId);
  return { sub: rid.subscriptionId, rg: rid.resourceGroup!, hub: rid.names[0]! };
}

/** A hub's virtual network connections (`…/virtualHubs/{hub}/hubVirtualNetworkConnections`, all pages). */
export async function hubVirtualNetworkConnections(
  r: ArmReader,
  hubId: string,
  opts?: ReadOptions,
): Promise<readonly HubVirtualNetworkConnection[]> {
  const { sub, rg, hub } = hubRid(hubId);
  return r.onceKey(
    `LIST hubVirtualNetworkConnections ${idKey(hubId)}`,
    'LIST hubVirtualNetworkConnections',
    hubId,
    'Microsoft.Network/virtualHubs/hubVirtualNetworkConnections/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(sub);
      const out: HubVirtualNetworkConnection[] = [];
      for await (const c of net.hubVirtualNetworkConnections.list(rg, hub, { abortSignal: signal })) out.push(c);
      return out;
    },
  );
}

/** A hub's routing intent (`…/virtualHubs/{hub}/routingIntent`: at most one per hub). */
export async function routingIntents(r: ArmReader, hubId: string, opts?: ReadOptions): Promise<readonly RoutingIntent[]> {
  const { sub, rg, hub } = hubRid(hubId);
  return r.onceKey(
    `LIST routingIntent ${idKey(hubId)}`,
    'LIST routingIntent',
    hubId,
    'Microsoft.Network/virtualHubs/routingIntent/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(sub);
      const out: RoutingIntent[] = [];
      for await (const i of net.routingIntentOperations.list(rg, hub, { abortSignal: signal })) out.push(i);
      return out;
    },
  );
}

/** A hub's route tables (`…/virtualHubs/{hub}/hubRouteTables`): one list instead of a GET per table. */
export async function hubRouteTables(r: ArmReader, hubId: string, opts?: ReadOptions): Promise<readonly HubRouteTable[]> {
  const { sub, rg, hub } = hubRid(hubId);
  return r.onceKey(
    `LIST hubRouteTables ${idKey(hubId)}`,
    'LIST hubRouteTables',
    hubId,
    'Microsoft.Network/virtualHubs/hubRouteTables/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(sub);
      const out: HubRouteTable[] = [];
      for await (const t of net.hubRouteTables.list(rg, hub, { abortSignal: signal })) out.push(t);
      return out;
    },
  );
}

/** The Azure Firewalls and NICs that may own `ip`: candidates, for the caller to match exactly. */
export interface IpOwnerCandidates {
  readonly firewalls: readonly AzureFirewall[];
  readonly nics: readonly NetworkInterface[];
}

/**
 * What in `subscriptions` may own `ip`. Resource Graph mode: ONE query over every subscription
 * (firewalls and NICs whose properties mention the address), each hit then read from ARM so the
 * caller sees the SDK's model exactly as ARM mode does (and the path's later GET of it is this one). ARM mode: each subscription's firewalls
 * and NICs, listed in parallel.
 */
export async function privateIpOwners(
  r: ArmReader,
  subscriptions: readonly string[],
  ip: string,
  opts?: ReadOptions,
): Promise<IpOwnerCandidates> {
  if (r.mode === 'resource-graph') {
    const key = `QUERY privateIp ${ip} ${subscriptions.map((s) => s.toLowerCase()).join(',')}`;
    const ids = await r.onceKey(
      key,
      'QUERY privateIp',
      '/providers/Microsoft.ResourceGraph/resources',
      'Microsoft.ResourceGraph/resources/read',
      opts,
      async (signal) => {
        const rows = await queryResources(await r.clients.resourceGraph(), subscriptions, {
          query: `Resources | where type in~ ('microsoft.network/azurefirewalls', 'microsoft.network/networkinterfaces') and properties contains '${quote(ip)}' | order by id asc`,
          abortSignal: signal,
        });
        return rows.map((row) => row.id);
      },
    );
    const isFirewall = (id: string) => /\/providers\/microsoft\.network\/azurefirewalls\//i.test(id);
    const [firewalls, nics] = await Promise.all([
      Promise.all(ids.filter(isFirewall).map((id) => azureFirewall(r, id, opts))),
      Promise.all(ids.filter((id) => !isFirewall(id)).map((id) => networkInterface(r, id, opts))),
    ]);
    return { firewalls, nics };
  }
  const lists = await Promise.all(
    subscriptions.map(async (s) => {
      const [firewalls, nics] = await Promise.all([listFirewalls(r, s, opts), listNics(r, s, opts)]);
      return { firewalls, nics };
    }),
  );
  return { firewalls: lists.flatMap((l) => l.firewalls), nics: lists.flatMap((l) => l.nics) };
}

async function listFirewalls(r: ArmReader, sub: string, opts?: ReadOptions): Promise<readonly AzureFirewall[]> {
  const scope = `/subscriptions/${sub}`;
  return r.onceKey(
    `LIST azureFirewalls ${idKey(scope)}`,
    'LIST azureFirewalls',
    scope,
    'Microsoft.Network/azureFirewalls/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(sub);
      const out: AzureFirewall[] = [];
      for await (const f of net.azureFirewalls.listAll({ abortSignal: signal })) out.push(f);
      return out;
    },
  );
}

async function listNics(r: ArmReader, sub: string, opts?: ReadOptions): Promise<readonly NetworkInterface[]> {
  const scope = `/subscriptions/${sub}`;
  return r.onceKey(
    `LIST networkInterfaces ${idKey(scope)}`,
    'LIST networkInterfaces',
    scope,
    'Microsoft.Network/networkInterfaces/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(sub);
      const out: NetworkInterface[] = [];
      for await (const n of net.networkInterfaces.listAll({ abortSignal: signal })) out.push(n);
      return out;
    },
  );
}

/** A KQL string literal's body: quotes and backslashes escaped. */
function quote(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
