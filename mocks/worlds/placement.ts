/** Placement worlds: service endpoints, private endpoints in other VNets, peerings, a deleted subnet, id casing. */
import type { WorldInput } from '../../src/world/schema.js';
import { asResource, ids, type Json, LOCATION, res, subnet, vnetPeering } from './base.js';
import { mutate } from './healthy.js';

/** Moves the storage account's private endpoints into a second VNet, optionally peered. */
export function moveStorageEndpoints(w: WorldInput, peering: { there?: string; back?: string } | null): void {
  const data: Json = {
    name: 'vnet-mlops-data-weu',
    id: ids.dataVnet,
    type: 'Microsoft.Network/virtualNetworks',
    location: LOCATION,
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: ['10.40.0.0/16'] },
      subnets: [subnet(ids.dataSubnet, '10.40.1.0/24')],
      virtualNetworkPeerings: [],
    },
  };
  w.resources.push(asResource(data));
  for (const pe of [ids.peBlob, ids.peFile]) res(w, pe).properties.subnet = { id: ids.dataSubnet };
  if (peering?.there)
    res(w, ids.vnet).properties.virtualNetworkPeerings.push(vnetPeering(ids.vnet, ids.dataVnet, peering.there, '10.40.0.0/16'));
  if (peering?.back) data.properties.virtualNetworkPeerings.push(vnetPeering(ids.dataVnet, ids.vnet, peering.back, '10.20.0.0/16'));
}

/** Storage reached through service endpoints instead of private endpoints. */
export function storageByServiceEndpoint(w: WorldInput, ruleSubnet: string, serviceEndpointOn: string | null): void {
  const st = res(w, ids.storage);
  st.properties.publicNetworkAccess = 'Enabled';
  st.properties.networkAcls.defaultAction = 'Deny';
  st.properties.networkAcls.virtualNetworkRules = [{ id: ruleSubnet, action: 'Allow', state: 'Succeeded' }];
  st.properties.privateEndpointConnections = [];
  w.resources = w.resources.filter(
    (r) => ![ids.peBlob, ids.peFile].includes(r.id as never) && !r.id.startsWith(`${ids.peBlob}/`) && !r.id.startsWith(`${ids.peFile}/`),
  );
  if (serviceEndpointOn) {
    const sn = (res(w, ids.vnet).properties.subnets as Json[]).find((x) => x.id === serviceEndpointOn)!;
    sn.properties.serviceEndpoints = [
      { service: 'Microsoft.Storage', locations: ['westeurope', 'northeurope'], provisioningState: 'Succeeded' },
    ];
  }
}

/** Every world of the family, by file name (without `.json`). */
export function placementWorlds(): Record<string, WorldInput> {
  return {
    'placement-service-endpoint-other-subnet': mutate(
      'placement-service-endpoint-other-subnet: storage admits only the endpoints subnet through a service endpoint; the clusters sit in the training subnet of the same VNet.',
      (w) => {
        storageByServiceEndpoint(w, ids.endpointsSubnet, ids.endpointsSubnet);
      },
    ),
    'placement-service-endpoint-missing': mutate(
      'placement-service-endpoint-missing: storage admits the training subnet by a virtual network rule, but that subnet has no Microsoft.Storage service endpoint.',
      (w) => {
        storageByServiceEndpoint(w, ids.trainingSubnet, null);
      },
    ),
    'placement-service-endpoint-ok': mutate(
      'placement-service-endpoint-ok: storage admits the training subnet through a service endpoint it carries; reachable.',
      (w) => {
        storageByServiceEndpoint(w, ids.trainingSubnet, ids.trainingSubnet);
      },
    ),
    'placement-unpeered-endpoint-vnet': mutate(
      'placement-unpeered-endpoint-vnet: the storage private endpoints sit in a data VNet that is not peered with the compute VNet.',
      (w) => {
        moveStorageEndpoints(w, null);
      },
    ),
    'placement-peering-disconnected': mutate(
      'placement-peering-disconnected: the data VNet holding the storage endpoints is peered with the compute VNet, but the peering back is Disconnected.',
      (w) => {
        moveStorageEndpoints(w, { there: 'Connected', back: 'Disconnected' });
      },
    ),
    'placement-peered-endpoint-vnet': mutate(
      'placement-peered-endpoint-vnet: the storage endpoints sit in a data VNet peered (Connected both ways) with the compute VNet; reachable.',
      (w) => {
        moveStorageEndpoints(w, { there: 'Connected', back: 'Connected' });
      },
    ),
    'placement-subnet-deleted': mutate(
      'placement-subnet-deleted: the compute subnet snet-training was deleted from a VNet that still exists; the clusters still name it, so their nodes cannot allocate and they reach nothing.',
      (w) => {
        const vnet = res(w, ids.vnet);
        vnet.properties.subnets = (vnet.properties.subnets as Json[]).filter((x) => x.id !== ids.trainingSubnet);
        res(w, ids.nsg).properties.subnets = [];
      },
    ),
    'placement-mixed-case-ids': mutate(
      'placement-mixed-case-ids: endpoint, subnet and zone references use other casings than the resources, as real ARM answers do; verdicts must not change.',
      (w) => {
        const up = (id: string) =>
          id
            .replace('/resourceGroups/', '/resourcegroups/')
            .replace('Microsoft.Network', 'microsoft.network')
            .toUpperCase()
            .replace('/SUBSCRIPTIONS/', '/subscriptions/');
        res(w, ids.registry).properties.privateEndpointConnections[0].properties.privateEndpoint.id = up(ids.peRegistry);
        for (const c of res(w, ids.storage).properties.privateEndpointConnections)
          c.properties.privateEndpoint.id = up(c.properties.privateEndpoint.id);
        res(w, ids.peBlob).properties.subnet.id = up(ids.endpointsSubnet);
        res(w, `${ids.peRegistry}/privateDnsZoneGroups/default`).properties.privateDnsZoneConfigs[0].properties.privateDnsZoneId = up(
          ids.zoneAcr,
        );
        res(w, `${ids.zoneBlob}/virtualNetworkLinks/link-vnet-mlops-prod-weu`).properties.virtualNetwork.id = up(ids.vnet);
      },
    ),
  };
}
