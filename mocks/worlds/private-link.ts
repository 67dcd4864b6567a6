/** Builders of private endpoints, their connections, private DNS zones, VNet links and zone groups, in the shapes Microsoft documents. */
import { LOCATION, P, fakeSecret, type Json } from './ids.js';

export function privateEndpoint(id: string, targetId: string, groupId: string, subnetId: string, status = 'Approved'): Json {
  const name = id.split('/').pop();
  return {
    name,
    id,
    type: 'Microsoft.Network/privateEndpoints',
    location: LOCATION,
    properties: {
      provisioningState: 'Succeeded',
      privateLinkServiceConnections: [
        {
          name: `${name}-connection`,
          id: `${id}/privateLinkServiceConnections/${name}-connection`,
          properties: {
            provisioningState: 'Succeeded',
            privateLinkServiceId: targetId,
            groupIds: [groupId],
            privateLinkServiceConnectionState: {
              status,
              description: status === 'Approved' ? 'Auto-Approved' : 'Awaiting approval',
              actionsRequired: 'None',
            },
          },
        },
      ],
      manualPrivateLinkServiceConnections: [],
      subnet: { id: subnetId },
      networkInterfaces: [
        {
          id: `${P}/Microsoft.Network/networkInterfaces/${name}.nic.${fakeSecret(String(name), 8)
            .replace(/[^a-z0-9]/gi, 'a')
            .toLowerCase()}`,
        },
      ],
      customDnsConfigs: [],
    },
  };
}

export function dnsZone(id: string): Json {
  return {
    id,
    name: id.split('/').pop(),
    type: 'Microsoft.Network/privateDnsZones',
    location: 'global',
    etag: '00000000-0000-0000-0000-000000000000',
    properties: {
      maxNumberOfRecordSets: 25000,
      numberOfRecordSets: 3,
      numberOfVirtualNetworkLinks: 1,
      numberOfVirtualNetworkLinksWithRegistration: 0,
      provisioningState: 'Succeeded',
    },
  };
}

export function zoneLink(zoneId: string, vnetId: string, state = 'Completed'): Json {
  const name = `link-${vnetId.split('/').pop()}`;
  return {
    id: `${zoneId}/virtualNetworkLinks/${name}`,
    name,
    type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
    location: 'global',
    properties: {
      virtualNetwork: { id: vnetId },
      registrationEnabled: false,
      virtualNetworkLinkState: state,
      provisioningState: 'Succeeded',
    },
  };
}

/**
 * A private endpoint's DNS zone group, shaped like Microsoft's PrivateEndpointDnsZoneGroupGet
 * example: one zone config, or several (`more`, the workspace's two zones).
 */
export function zoneGroup(peId: string, zoneId: string, records: [string, string][], ...more: [string, [string, string][]][]): Json {
  return {
    id: `${peId}/privateDnsZoneGroups/default`,
    name: 'default',
    type: 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups',
    properties: {
      provisioningState: 'Succeeded',
      privateDnsZoneConfigs: [[zoneId, records] as [string, [string, string][]], ...more].map(([zone, sets]) => ({
        name: zone.split('/').pop()!.replace(/\./g, '-'),
        properties: {
          privateDnsZoneId: zone,
          recordSets: sets.map(([name, ip]) => ({
            recordType: 'A',
            recordSetName: name,
            fqdn: `${name}.${zone.split('/').pop()}`,
            provisioningState: 'Succeeded',
            ttl: 10,
            ipAddresses: [ip],
          })),
        },
      })),
    },
  };
}

/** A target's connection to private endpoint `peId`, named as ARM names it (`<endpoint>.<guid>`) unless `name` is given. */
export function connection(
  targetId: string,
  peId: string,
  status = 'Approved',
  description = 'Auto-Approved',
  name = `${peId.split('/').pop()}.${fakeSecret(peId, 8)
    .replace(/[^a-z0-9]/gi, '0')
    .toLowerCase()}`,
): Json {
  return {
    id: `${targetId}/privateEndpointConnections/${name}`,
    name,
    type: `${targetId.split('/providers/')[1]!.split('/').slice(0, 2).join('/')}/privateEndpointConnections`,
    properties: {
      provisioningState: 'Succeeded',
      privateEndpoint: { id: peId },
      privateLinkServiceConnectionState: { status, description, actionsRequired: 'None' },
    },
  };
}
