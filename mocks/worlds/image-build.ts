/** `imageBuildCompute` worlds: missing, wrong kind, outside the VNet, peered or not. */
import type { WorldInput } from '../../src/world/schema.js';
import { asResource, computeOf, ids, type Json, LOCATION, res, subnet, vnetPeering, zoneLink } from './base.js';
import { mutate } from './healthy.js';

/** A second VNet holding the build cluster, optionally peered with the workspace VNet. */
export function addBuildVnet(w: WorldInput, peering: { there?: string; back?: string } | null): void {
  const build: Json = {
    name: 'vnet-mlops-build-weu',
    id: ids.buildVnet,
    type: 'Microsoft.Network/virtualNetworks',
    location: LOCATION,
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: ['10.30.0.0/16'] },
      subnets: [subnet(ids.buildSubnet, '10.30.1.0/24', { networkSecurityGroup: { id: ids.nsg } })],
      virtualNetworkPeerings: [],
    },
  };
  w.resources.push(asResource(build));
  // Zone links do not travel over peerings: a VNet resolves privatelink names only if linked itself.
  for (const zone of [ids.zoneAcr, ids.zoneBlob, ids.zoneFile, ids.zoneApi, ids.zoneNotebooks])
    w.resources.push(asResource(zoneLink(zone, ids.buildVnet)));
  if (peering) {
    const peer = (from: string, to: string, state: string): Json =>
      vnetPeering(from, to, state, to === ids.vnet ? '10.20.0.0/16' : '10.30.0.0/16');
    if (peering.there) build.properties.virtualNetworkPeerings.push(peer(ids.buildVnet, ids.vnet, peering.there));
    if (peering.back) res(w, ids.vnet).properties.virtualNetworkPeerings.push(peer(ids.vnet, ids.buildVnet, peering.back));
  }
  computeOf(w, 'cpu-build-cluster').properties.properties.subnet = { id: ids.buildSubnet };
}

/** Every world of the family, by file name (without `.json`). */
export function imageBuildWorlds(): Record<string, WorldInput> {
  return {
    'ibc-missing': mutate('ibc-missing: the registry is behind a private endpoint but the workspace names no imageBuildCompute.', (w) => {
      delete res(w, ids.workspace).properties.imageBuildCompute;
    }),
    'ibc-not-found': mutate('ibc-not-found: imageBuildCompute names a cluster that was deleted.', (w) => {
      res(w, ids.workspace).properties.imageBuildCompute = 'cpu-build-cluster-old';
    }),
    'ibc-compute-instance': mutate('ibc-compute-instance: imageBuildCompute names a compute instance, not a cluster.', (w) => {
      res(w, ids.workspace).properties.imageBuildCompute = 'ci-analyst-ds';
    }),
    'ibc-gpu-cluster': mutate('ibc-gpu-cluster: imageBuildCompute names a GPU cluster.', (w) => {
      res(w, ids.workspace).properties.imageBuildCompute = 'gpu-train-cluster';
    }),
    'ibc-failed-cluster': mutate('ibc-failed-cluster: the build cluster failed provisioning.', (w) => {
      computeOf(w, 'cpu-build-cluster').properties.provisioningState = 'Failed';
    }),
    'ibc-outside-vnet': mutate('ibc-outside-vnet: the build cluster is not in any virtual network.', (w) => {
      computeOf(w, 'cpu-build-cluster').properties.properties.subnet = null;
    }),
    'ibc-unpeered-vnet': mutate(
      'ibc-unpeered-vnet: the build cluster sits in a second VNet that is not peered with the registry endpoint VNet.',
      (w) => {
        addBuildVnet(w, null);
      },
    ),
    'ibc-peering-disconnected': mutate(
      'ibc-peering-disconnected: the build VNet is peered with the endpoint VNet, but the peering back is Disconnected.',
      (w) => {
        addBuildVnet(w, { there: 'Connected', back: 'Disconnected' });
      },
    ),
    'ibc-peered-vnet': mutate(
      'ibc-peered-vnet: the build cluster sits in a second VNet peered (Connected both ways) with the endpoint VNet: image builds work.',
      (w) => {
        addBuildVnet(w, { there: 'Connected', back: 'Connected' });
      },
    ),
    'ibc-mixed-case-ids': mutate(
      'ibc-mixed-case-ids: references use other casings of the same ids, as real ARM answers do; verdicts must not change.',
      (w) => {
        res(w, ids.workspace).properties.containerRegistry = ids.registry
          .replace('resourceGroups', 'resourcegroups')
          .replace('Microsoft.ContainerRegistry', 'microsoft.containerregistry')
          .toUpperCase()
          .replace('/SUBSCRIPTIONS/', '/subscriptions/');
        computeOf(w, 'cpu-build-cluster').properties.properties.subnet = {
          id: ids.trainingSubnet.replace('Microsoft.Network', 'Microsoft.network').replace('snet-training', 'SNET-Training'),
        };
        res(w, ids.workspace).properties.imageBuildCompute = 'CPU-Build-Cluster';
      },
    ),
  };
}
