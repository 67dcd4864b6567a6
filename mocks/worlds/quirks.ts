/** What real ARM answers do that documentation examples do not: nulls, newer fields, other casings. */
import type { WorldInput } from '../../src/world/schema.js';
import { computeOf, ids, res } from './base.js';
import { mutate } from './healthy.js';
import { nsgRules } from './nsg.js';

/** Every world of the family, by file name (without `.json`). */
export function quirkWorlds(): Record<string, WorldInput> {
  return {
    'quirks-nulls-and-extras': mutate(
      'quirks-nulls-and-extras: real ARM quirks: null where a field is usually present, fields from newer api-versions, actionRequired for actionsRequired, display-name locations, lower-case types; every check passes.',
      (w) => {
        const ws = res(w, ids.workspace);
        ws.location = 'West Europe';
        ws.properties.managedNetwork = { isolationMode: 'Disabled', status: { status: 'Inactive', sparkReady: false }, outboundRules: {} };
        ws.properties.serverlessComputeSettings = null;
        ws.properties.enableDataIsolation = false;
        const vnet = res(w, ids.vnet);
        vnet.type = 'microsoft.network/virtualnetworks';
        vnet.properties.virtualNetworkPeerings = null;
        vnet.properties.dhcpOptions = null;
        vnet.properties.subnets[1].properties.serviceEndpoints = null;
        const registry = res(w, ids.registry);
        registry.properties.networkRuleSet.ipRules = null;
        registry.properties.endpointProtocol = 'IPv4';
        registry.properties.metadataSearch = 'Disabled';
        const state = registry.properties.privateEndpointConnections[0].properties.privateLinkServiceConnectionState;
        delete state.actionsRequired;
        state.actionRequired = 'None';
        const storage = res(w, ids.storage);
        storage.properties.networkAcls.ipRules = null;
        storage.properties.networkAcls.virtualNetworkRules = null;
        storage.properties.dualStackEndpointPreference = { publishIpv6Endpoint: false };
        for (const r of nsgRules(w)) r.properties.sourcePortRanges = [];
        res(w, ids.nsg).properties.flushConnection = false;
        res(w, ids.peRegistry).location = 'West Europe';
        res(w, ids.peRegistry).properties.ipVersionType = 'IPv4';
        computeOf(w, 'cpu-build-cluster').properties.properties.propertyBag = null;
        computeOf(w, 'ci-analyst-ds').properties.properties.subnet.id = ids.trainingSubnet.toLowerCase();
      },
    ),
  };
}
