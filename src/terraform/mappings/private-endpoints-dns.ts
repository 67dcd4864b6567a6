/**
 * Private endpoints and private DNS: the endpoint (its service connections, and its DNS zone group,
 * a child resource in ARM that azurerm writes from the inline `private_dns_zone_group` block), the
 * zones and their virtual network links. Attributes follow hashicorp/terraform-provider-azurerm,
 * internal/services/network/private_endpoint_resource.go and internal/services/privatedns/ (file
 * per mapping). What Azure sets when the endpoint is made (its connection's approval, its IPs and
 * the zone group's record sets) is not in the plan and is left to the service effects.
 */
import { armId, childId, compact, isMarker, ref, strings, type Edit, type Family, type Json, type MapContext } from './types.js';

const NET = 'Microsoft.Network';

function endpointId(c: MapContext): string | undefined {
  return armId(c.subscriptionId, c.str(['resource_group_name']), `${NET}/privateEndpoints`, c.str(['name']));
}

function connections(c: MapContext, manual: boolean): Json[] | undefined {
  const blocks = c.blocks('private_service_connection');
  if (blocks === undefined) return undefined;
  return blocks
    .filter((i) => (c.get(['private_service_connection', i, 'is_manual_connection']) === true) === manual)
    .map((i) =>
      compact({
        name: c.str(['private_service_connection', i, 'name']),
        properties: compact({
          privateLinkServiceId: c.str(['private_service_connection', i, 'private_connection_resource_id']),
          groupIds: strings(c.get(['private_service_connection', i, 'subresource_names'])),
          requestMessage: c.str(['private_service_connection', i, 'request_message']),
        }),
      }),
    );
}

export const privateEndpointsDns: Family = {
  mappings: {
    azurerm_private_endpoint: {
      source: 'internal/services/network/private_endpoint_resource.go',
      armType: `${NET}/privateEndpoints`,
      id: endpointId,
      body: (c) =>
        compact({
          location: c.str(['location']),
          properties: compact({
            subnet: ref(c.str(['subnet_id'])),
            privateLinkServiceConnections: connections(c, false),
            manualPrivateLinkServiceConnections: connections(c, true),
            customNetworkInterfaceName: c.str(['custom_network_interface_name']),
          }),
        }),
      // The target resource lists the endpoint's connection once it is made: Approved for an
      // automatic connection (the create fails without the approval permission on the target),
      // Pending for a manual one until its owner approves it.
      // https://learn.microsoft.com/azure/private-link/private-endpoint-overview#access-to-a-private-link-resource-using-approval-workflow
      edits(c, id): Edit[] {
        if (c.action !== 'create') return [];
        return (c.blocks('private_service_connection') ?? []).flatMap((i) => {
          const target = c.str(['private_service_connection', i, 'private_connection_resource_id']);
          if (!target || isMarker(target)) return [];
          const manual = c.get(['private_service_connection', i, 'is_manual_connection']) === true;
          const name = `${id.slice(id.lastIndexOf('/') + 1)}.terraform-planned`;
          const connection = {
            id: `${target}/privateEndpointConnections/${name}`,
            name,
            properties: {
              privateEndpoint: { id },
              groupIds: strings(c.get(['private_service_connection', i, 'subresource_names'])),
              privateLinkServiceConnectionState: manual
                ? {
                    status: 'Pending',
                    description: c.str(['private_service_connection', i, 'request_message']) ?? '',
                    actionsRequired: 'None',
                  }
                : { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
              provisioningState: 'Succeeded',
            },
          };
          return [
            {
              target,
              apply(body: Json): Json {
                const props = ((body.properties as Json | undefined) ??= {});
                const list = Array.isArray(props.privateEndpointConnections) ? (props.privateEndpointConnections as unknown[]) : [];
                props.privateEndpointConnections = [...list, connection];
                return body;
              },
            },
          ];
        });
      },
      extra(c, id) {
        const groups = c.blocks('private_dns_zone_group') ?? [];
        return groups.map((i) => {
          const name = c.str(['private_dns_zone_group', i, 'name']) ?? 'default';
          const zones = strings(c.get(['private_dns_zone_group', i, 'private_dns_zone_ids'])) ?? [];
          return {
            id: `${id}/privateDnsZoneGroups/${name}`,
            body: {
              id: `${id}/privateDnsZoneGroups/${name}`,
              name,
              type: `${NET}/privateEndpoints/privateDnsZoneGroups`,
              properties: {
                privateDnsZoneConfigs: zones.map((z) => ({
                  name: z.slice(z.lastIndexOf('/') + 1).replace(/\./g, '-'),
                  properties: { privateDnsZoneId: z },
                })),
              },
            },
          };
        });
      },
    },
    azurerm_private_dns_zone: {
      source: 'internal/services/privatedns/private_dns_zone_resource.go',
      armType: `${NET}/privateDnsZones`,
      id: (c) => armId(c.subscriptionId, c.str(['resource_group_name']), `${NET}/privateDnsZones`, c.str(['name'])),
      body: () => ({ location: 'global', properties: {} }),
    },
    azurerm_private_dns_zone_virtual_network_link: {
      source: 'internal/services/privatedns/private_dns_zone_virtual_network_link_resource.go',
      armType: `${NET}/privateDnsZones/virtualNetworkLinks`,
      id: (c) =>
        childId(
          armId(c.subscriptionId, c.str(['resource_group_name']), `${NET}/privateDnsZones`, c.str(['private_dns_zone_name'])),
          'virtualNetworkLinks',
          c.str(['name']),
        ),
      body: (c) =>
        compact({
          location: 'global',
          properties: compact({ virtualNetwork: ref(c.str(['virtual_network_id'])), registrationEnabled: c.get(['registration_enabled']) }),
        }),
    },
  },
  unmapped: {
    // Placed on the zone, whose reads (the zone list, its records) the checks go through.
    azurerm_private_dns_a_record: {
      changes: "a private DNS zone's A records",
      id: (c) => armId(c.subscriptionId, c.str(['resource_group_name']), `${NET}/privateDnsZones`, c.str(['zone_name'])),
    },
  },
};
