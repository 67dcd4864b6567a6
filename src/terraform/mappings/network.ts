/**
 * Network: virtual networks and subnets, NSGs and their rules, route tables and routes, peerings,
 * and the associations that put an NSG or a route table on a subnet. Attributes follow
 * hashicorp/terraform-provider-azurerm, internal/services/network/ (the file per type is named on
 * each mapping); ARM bodies follow Microsoft.Network's REST specs (the shapes in
 * /mocks/fixtures and the what-if bodies).
 *
 * Inline and separate-resource styles: an NSG's `security_rule`, a route table's `route` and a
 * VNet's `subnet` are Optional+Computed; left out of the configuration they are unknown in a
 * create's plan, and the children come from `azurerm_network_security_rule`, `azurerm_route` and
 * `azurerm_subnet` instead. A created parent then gets an empty list, and PlannedState embeds the
 * children the plan creates on their own (as ARM will show them).
 */
import { armId, childId, compact, ref, strings, type Family, type Json, type MapContext, type Mapping } from './types.js';

const NET = 'Microsoft.Network';

function rg(c: MapContext): string | undefined {
  return c.str(['resource_group_name']);
}

/** An embedded child list: inline blocks, an empty list when a create leaves it unknown (separate resources), undefined for an update that leaves it unknown. */
function children(c: MapContext, block: string, one: (i: number) => Json): Json[] | undefined {
  const blocks = c.blocks(block);
  if (blocks === undefined) return c.action === 'create' ? [] : undefined;
  return blocks.map(one);
}

/** `source_port_range` / `source_port_ranges` as ARM answers them: one of the pair set, the list empty or the single value removed. */
function pair(c: MapContext, base: readonly (string | number)[], tf: string, arm: string): Json {
  const one = c.str([...base, tf]);
  const many = strings(c.get([...base, `${tf}s`]));
  const plural = arm.endsWith('Prefix') ? `${arm}es` : `${arm}s`;
  return one !== undefined && one !== '' ? { [arm]: one, [plural]: [] } : { [arm]: null, [plural]: many ?? [] };
}

function securityRule(c: MapContext, base: readonly (string | number)[], nsgId: string | undefined): Json {
  const name = c.str([...base, 'name']);
  return compact({
    id: childId(nsgId, 'securityRules', name),
    name,
    properties: compact({
      priority: c.get([...base, 'priority']),
      direction: c.str([...base, 'direction']),
      access: c.str([...base, 'access']),
      protocol: c.str([...base, 'protocol']),
      description: c.str([...base, 'description']),
      ...pair(c, base, 'source_port_range', 'sourcePortRange'),
      ...pair(c, base, 'destination_port_range', 'destinationPortRange'),
      ...pair(c, base, 'source_address_prefix', 'sourceAddressPrefix'),
      ...pair(c, base, 'destination_address_prefix', 'destinationAddressPrefix'),
      sourceApplicationSecurityGroups: strings(c.get([...base, 'source_application_security_group_ids']))?.map((id) => ({ id })),
      destinationApplicationSecurityGroups: strings(c.get([...base, 'destination_application_security_group_ids']))?.map((id) => ({ id })),
    }),
  });
}

function route(c: MapContext, base: readonly (string | number)[], tableId: string | undefined): Json {
  const name = c.str([...base, 'name']);
  return compact({
    id: childId(tableId, 'routes', name),
    name,
    properties: compact({
      addressPrefix: c.str([...base, 'address_prefix']),
      nextHopType: c.str([...base, 'next_hop_type']),
      nextHopIpAddress: c.str([...base, 'next_hop_in_ip_address']) ?? null,
    }),
  });
}

function subnetProperties(c: MapContext, base: readonly (string | number)[]): Json {
  const prefixes = strings(c.get([...base, 'address_prefixes']));
  const single = c.str([...base, 'address_prefix']); // azurerm 2.x/3.x inline subnets
  return compact({
    addressPrefixes: prefixes ?? (single ? [single] : undefined),
    serviceEndpoints: (strings(c.get([...base, 'service_endpoints'])) ?? undefined)?.map((service) => ({ service })),
    delegations: c.get([...base, 'delegation']) === undefined ? undefined : delegations(c, base),
    privateEndpointNetworkPolicies: c.str([...base, 'private_endpoint_network_policies']),
    defaultOutboundAccess: c.get([...base, 'default_outbound_access_enabled']),
  });
}

function delegations(c: MapContext, base: readonly (string | number)[]): Json[] {
  const list = c.get([...base, 'delegation']);
  if (!Array.isArray(list)) return [];
  return list.map((_, i) =>
    compact({
      name: c.str([...base, 'delegation', i, 'name']),
      properties: { serviceName: c.str([...base, 'delegation', i, 'service_delegation', 0, 'name']) },
    }),
  );
}

/**
 * An association resource beside its subnet (`azurerm_subnet_network_security_group_association`,
 * `azurerm_subnet_route_table_association`): it sets, or on delete removes, one reference in the
 * subnet's planned body, as ARM shows it.
 */
function subnetAssociation(source: string, property: string, attribute: string): Mapping {
  return {
    source,
    armType: `${NET}/virtualNetworks/subnets`,
    id: (c) => c.str(['subnet_id']),
    edits: (c, subnetId) => [
      {
        target: subnetId,
        apply(body) {
          const { [property]: _before, ...rest } = (body.properties as Json | undefined) ?? {};
          body.properties = c.action === 'delete' ? rest : { ...rest, [property]: { id: c.str([attribute]) } };
          return body;
        },
      },
    ],
  };
}

export const network: Family = {
  mappings: {
    azurerm_virtual_network: {
      source: 'internal/services/network/virtual_network_resource.go',
      armType: `${NET}/virtualNetworks`,
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/virtualNetworks`, c.str(['name'])),
      body(c) {
        const id = c.liveId ?? armId(c.subscriptionId, rg(c), `${NET}/virtualNetworks`, c.str(['name']));
        const dns = strings(c.get(['dns_servers']));
        return compact({
          location: c.str(['location']),
          properties: compact({
            addressSpace: { addressPrefixes: strings(c.get(['address_space'])) ?? [] },
            dhcpOptions: dns ? { dnsServers: dns } : undefined,
            subnets: children(c, 'subnet', (i) => {
              const name = c.str(['subnet', i, 'name']);
              const nsg = c.str(['subnet', i, 'security_group']);
              const rt = c.str(['subnet', i, 'route_table_id']);
              return compact({
                id: childId(id, 'subnets', name),
                name,
                properties: compact({ ...subnetProperties(c, ['subnet', i]), networkSecurityGroup: ref(nsg), routeTable: ref(rt) }),
              });
            }),
            // Peerings are resources of their own in azurerm; a new VNet has only those the plan creates.
            virtualNetworkPeerings: c.action === 'create' ? [] : undefined,
          }),
        });
      },
    },
    azurerm_subnet: {
      source: 'internal/services/network/subnet_resource.go',
      armType: `${NET}/virtualNetworks/subnets`,
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/virtualNetworks/subnets`, c.str(['virtual_network_name']), c.str(['name'])),
      // `network_security_group_id` and `route_table_id` are Computed here (set by the associations
      // or the write-only inputs), so they are not read: the association resources edit the subnet.
      body: (c) => ({ properties: subnetProperties(c, []) }),
    },
    azurerm_subnet_network_security_group_association: subnetAssociation(
      'internal/services/network/subnet_network_security_group_association_resource.go',
      'networkSecurityGroup',
      'network_security_group_id',
    ),
    azurerm_subnet_route_table_association: subnetAssociation(
      'internal/services/network/subnet_route_table_association_resource.go',
      'routeTable',
      'route_table_id',
    ),
    azurerm_network_security_group: {
      source: 'internal/services/network/network_security_group_resource.go',
      armType: `${NET}/networkSecurityGroups`,
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/networkSecurityGroups`, c.str(['name'])),
      body(c) {
        const id = c.liveId ?? armId(c.subscriptionId, rg(c), `${NET}/networkSecurityGroups`, c.str(['name']));
        return compact({
          location: c.str(['location']),
          properties: compact({ securityRules: children(c, 'security_rule', (i) => securityRule(c, ['security_rule', i], id)) }),
        });
      },
    },
    azurerm_network_security_rule: {
      source: 'internal/services/network/network_security_rule_resource.go',
      armType: `${NET}/networkSecurityGroups/securityRules`,
      id: (c) =>
        armId(
          c.subscriptionId,
          rg(c),
          `${NET}/networkSecurityGroups/securityRules`,
          c.str(['network_security_group_name']),
          c.str(['name']),
        ),
      body: (c) => {
        const { id: _id, name: _name, ...rest } = securityRule(c, [], undefined);
        return rest;
      },
    },
    azurerm_route_table: {
      source: 'internal/services/network/route_table_resource.go',
      armType: `${NET}/routeTables`,
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/routeTables`, c.str(['name'])),
      body(c) {
        const id = c.liveId ?? armId(c.subscriptionId, rg(c), `${NET}/routeTables`, c.str(['name']));
        const bgp = c.get(['bgp_route_propagation_enabled']);
        const disable = c.get(['disable_bgp_route_propagation']); // azurerm 3.x
        return compact({
          location: c.str(['location']),
          properties: compact({
            routes: children(c, 'route', (i) => route(c, ['route', i], id)),
            disableBgpRoutePropagation: typeof bgp === 'boolean' ? !bgp : (disable as boolean | undefined),
          }),
        });
      },
    },
    azurerm_route: {
      source: 'internal/services/network/route_resource.go',
      armType: `${NET}/routeTables/routes`,
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/routeTables/routes`, c.str(['route_table_name']), c.str(['name'])),
      body: (c) => {
        const { id: _id, name: _name, ...rest } = route(c, [], undefined);
        return rest;
      },
    },
    azurerm_virtual_network_peering: {
      source: 'internal/services/network/virtual_network_peering_resource.go',
      armType: `${NET}/virtualNetworks/virtualNetworkPeerings`,
      id: (c) =>
        armId(c.subscriptionId, rg(c), `${NET}/virtualNetworks/virtualNetworkPeerings`, c.str(['virtual_network_name']), c.str(['name'])),
      body: (c) => ({
        properties: compact({
          remoteVirtualNetwork: ref(c.str(['remote_virtual_network_id'])),
          allowVirtualNetworkAccess: c.get(['allow_virtual_network_access']),
          allowForwardedTraffic: c.get(['allow_forwarded_traffic']),
          allowGatewayTransit: c.get(['allow_gateway_transit']),
          useRemoteGateways: c.get(['use_remote_gateways']),
        }),
      }),
    },
  },
  unmapped: {
    azurerm_virtual_network_dns_servers: { changes: "a virtual network's DNS servers", id: (c) => c.str(['virtual_network_id']) },
    azurerm_virtual_hub_route_table: { changes: "a Virtual WAN hub's routing" },
    azurerm_virtual_hub_route_table_route: { changes: "a Virtual WAN hub's routing" },
    azurerm_virtual_hub_connection: { changes: "a Virtual WAN hub's connections and routing" },
    azurerm_routing_intent: { changes: "a Virtual WAN hub's routing intent" },
  },
};
