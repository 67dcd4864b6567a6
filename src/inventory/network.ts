/** Microsoft.Network and private DNS: VNets, subnets, NSGs, routes, private endpoints, service tags. */
import type {
  NetworkSecurityGroup,
  PrivateDnsZoneGroup,
  PrivateEndpoint,
  RouteTable,
  ServiceTagsListResult,
  Subnet,
  VirtualNetwork,
} from '@azure/arm-network';
import type { PrivateZone, RecordSet, VirtualNetworkLink } from '@azure/arm-privatedns';
import { normaliseLocation } from '../arm/location.js';
import { getOne } from '../arm/raw.js';
import { idKey, parentId, parseResourceId, resourceType, sameId } from '../base/resource-id.js';
import type { ArmReader } from './reader.js';
import type { ReadOptions } from './views.js';

export async function virtualNetwork(r: ArmReader, id: string, opts?: ReadOptions): Promise<VirtualNetwork> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.virtualNetworks.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}

export async function subnet(r: ArmReader, id: string, opts?: ReadOptions): Promise<Subnet> {
  const rid = parseResourceId(id);
  if (resourceType(rid).toLowerCase() !== 'microsoft.network/virtualnetworks/subnets') {
    throw new TypeError(`${id} is not a subnet id (…/virtualNetworks/<vnet>/subnets/<subnet>)`);
  }
  const vnet = await virtualNetwork(r, parentId(rid)!, opts);
  const embedded = vnet.subnets?.find((s) => sameId(s.id, id));
  if (embedded) return embedded;
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.subnets.get(rid.resourceGroup!, rid.names[0]!, rid.names[1]!, { abortSignal: signal });
  });
}

export async function networkSecurityGroup(r: ArmReader, id: string, opts?: ReadOptions): Promise<NetworkSecurityGroup> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.networkSecurityGroups.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}

export async function routeTable(r: ArmReader, id: string, opts?: ReadOptions): Promise<RouteTable> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.routeTables.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}

export async function privateEndpoint(r: ArmReader, id: string, opts?: ReadOptions): Promise<PrivateEndpoint> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const net = await r.clients.network(rid.subscriptionId);
    return net.privateEndpoints.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
  });
}

/** The api-version @azure/arm-network sends for `serviceTags.list` (https://learn.microsoft.com/rest/api/virtualnetwork/service-tags/list). */
export const NETWORK_SERVICE_TAGS_API_VERSION = '2025-05-01';

export async function serviceTags(
  r: ArmReader,
  subscriptionId: string,
  location: string,
  opts?: ReadOptions,
): Promise<ServiceTagsListResult> {
  const loc = normaliseLocation(location);
  const scope = `/subscriptions/${subscriptionId}/providers/Microsoft.Network/locations/${loc}/serviceTags`;
  return r.onceKey(`GET ${idKey(scope)}`, 'GET', scope, 'Microsoft.Network/locations/serviceTags/read', opts, async (signal) => {
    // Read as ARM sent it, through the same pipeline (validated by its shape): the model's fields are
    // the JSON's, and the SDK's deserializer took ~150 ms to walk the 3 MB answer of a real region.
    const client = await r.clients.tenant();
    const url = `${r.connection.endpoint}${scope}?api-version=${NETWORK_SERVICE_TAGS_API_VERSION}`;
    const body = (await getOne(client, url, signal)) as ServiceTagsListResult | undefined;
    return body ?? {};
  });
}

export async function availablePrivateEndpointTypes(
  r: ArmReader,
  subscriptionId: string,
  location: string,
  opts?: ReadOptions,
): Promise<ReadonlySet<string>> {
  const loc = normaliseLocation(location);
  const scope = `/subscriptions/${subscriptionId}/providers/Microsoft.Network/locations/${loc}/availablePrivateEndpointTypes`;
  return r.onceKey(
    `GET ${idKey(scope)}`,
    'GET',
    scope,
    'Microsoft.Network/locations/availablePrivateEndpointTypes/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(subscriptionId);
      const out = new Set<string>();
      for await (const t of net.availablePrivateEndpointTypes.list(loc, { abortSignal: signal })) {
        if (t.resourceName) out.add(t.resourceName.toLowerCase());
      }
      return out;
    },
  );
}

export async function privateDnsZoneGroups(
  r: ArmReader,
  privateEndpointId: string,
  opts?: ReadOptions,
): Promise<readonly PrivateDnsZoneGroup[]> {
  const rid = parseResourceId(privateEndpointId);
  return r.onceKey(
    `LIST zonegroups ${idKey(rid.id)}`,
    'LIST privateDnsZoneGroups',
    rid.id,
    'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read',
    opts,
    async (signal) => {
      const net = await r.clients.network(rid.subscriptionId);
      const out: PrivateDnsZoneGroup[] = [];
      for await (const g of net.privateDnsZoneGroups.list(rid.names[0]!, rid.resourceGroup!, { abortSignal: signal })) out.push(g);
      return out;
    },
  );
}

export async function privateDnsZoneLinks(r: ArmReader, zoneId: string, opts?: ReadOptions): Promise<readonly VirtualNetworkLink[]> {
  const rid = parseResourceId(zoneId);
  return r.onceKey(
    `LIST zonelinks ${idKey(rid.id)}`,
    'LIST virtualNetworkLinks',
    rid.id,
    'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read',
    opts,
    async (signal) => {
      const dns = await r.clients.privateDns(rid.subscriptionId);
      const out: VirtualNetworkLink[] = [];
      for await (const l of dns.virtualNetworkLinks.list(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal })) out.push(l);
      return out;
    },
  );
}

/** The private DNS zones of a subscription (all pages): where a zone of a given name is, when no zone group names it. */
export async function privateDnsZones(r: ArmReader, subscriptionId: string, opts?: ReadOptions): Promise<readonly PrivateZone[]> {
  const scope = `/subscriptions/${subscriptionId}/providers/Microsoft.Network/privateDnsZones`;
  return r.onceKey(
    `LIST privateDnsZones ${idKey(scope)}`,
    'LIST privateDnsZones',
    scope,
    'Microsoft.Network/privateDnsZones/read',
    opts,
    async (signal) => {
      const dns = await r.clients.privateDns(subscriptionId);
      const out: PrivateZone[] = [];
      for await (const z of dns.privateZones.list({ abortSignal: signal })) out.push(z);
      return out;
    },
  );
}

/** The A record sets of a private DNS zone (all pages). */
export async function privateDnsARecords(r: ArmReader, zoneId: string, opts?: ReadOptions): Promise<readonly RecordSet[]> {
  const rid = parseResourceId(zoneId);
  return r.onceKey(
    `LIST zoneA ${idKey(rid.id)}`,
    'LIST A',
    `${rid.id}/A`,
    'Microsoft.Network/privateDnsZones/A/read',
    opts,
    async (signal) => {
      const dns = await r.clients.privateDns(rid.subscriptionId);
      const out: RecordSet[] = [];
      for await (const s of dns.recordSets.listByType(rid.resourceGroup!, rid.names[0]!, 'A', { abortSignal: signal })) out.push(s);
      return out;
    },
  );
}
