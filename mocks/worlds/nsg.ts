/** NSG and route worlds: rule order, service tags, explicit prefixes, protocols, ports, forced tunnelling. */
import type { WorldInput } from '../../src/world/schema.js';
import { asResource, fixture, ids, type Json, LOCATION, P, res, rule } from './base.js';
import { mutate } from './healthy.js';

export function nsgRules(w: WorldInput): Json[] {
  return res(w, ids.nsg).properties.securityRules as Json[];
}

export function nsgRule(w: WorldInput, name: string): Json {
  const r = nsgRules(w).find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r.properties;
}

export function trainingSubnet(w: WorldInput): Json {
  return (res(w, ids.vnet).properties.subnets as Json[]).find((x) => x.id === ids.trainingSubnet)!;
}

export function tagPrefixes(tag: string): string[] {
  return fixture(`service-tags/${tag}.json`).properties.addressPrefixes as string[];
}

/** A route table on the training subnet. */
export function addRouteTable(w: WorldInput, routes: [string, string, string | null][]): void {
  w.resources.push(
    asResource({
      name: 'rt-mlops-training-weu',
      id: ids.routeTable,
      type: 'Microsoft.Network/routeTables',
      location: LOCATION,
      properties: {
        provisioningState: 'Succeeded',
        disableBgpRoutePropagation: true,
        routes: routes.map(([name, addressPrefix, nextHopIpAddress]) => ({
          name,
          id: `${ids.routeTable}/routes/${name}`,
          properties: {
            provisioningState: 'Succeeded',
            addressPrefix,
            nextHopType:
              nextHopIpAddress === null
                ? addressPrefix.includes('.') && !/^[A-Za-z]/.test(addressPrefix)
                  ? 'None'
                  : 'Internet'
                : 'VirtualAppliance',
            ...(nextHopIpAddress ? { nextHopIpAddress } : {}),
          },
        })),
        subnets: [{ id: ids.trainingSubnet }],
      },
    }),
  );
  trainingSubnet(w).properties.routeTable = { id: ids.routeTable };
}

/** Every world of the family, by file name (without `.json`). */
export function nsgWorlds(): Record<string, WorldInput> {
  return {
    'nsg-deny-before-allow': mutate(
      'nsg-deny-before-allow: a Deny for HTTPS to the Internet at priority 100 comes before the MCR and Front Door allows (200, 210).',
      (w) => {
        for (const r of nsgRules(w)) if (r.properties.direction === 'Outbound') r.properties.priority += 100;
        nsgRules(w).push(
          rule(ids.nsg, 'DenyHttpsInternetOutbound', {
            protocol: 'Tcp',
            destinationPortRange: '443',
            sourceAddressPrefix: '*',
            destinationAddressPrefix: 'Internet',
            access: 'Deny',
            priority: 100,
            direction: 'Outbound',
          }),
        );
      },
    ),
    'nsg-frontdoor-missing': mutate(
      'nsg-frontdoor-missing: MicrosoftContainerRegistry is allowed but AzureFrontDoor.FirstParty is not, so the Internet deny blocks it.',
      (w) => {
        res(w, ids.nsg).properties.securityRules = nsgRules(w).filter((r) => r.name !== 'AllowFrontDoorFirstPartyOutbound');
      },
    ),
    'nsg-explicit-cidrs': mutate(
      'nsg-explicit-cidrs: MCR and Front Door are allowed by explicit CIDR lists instead of tags, covering every prefix.',
      (w) => {
        Object.assign(nsgRule(w, 'AllowMcrOutbound'), {
          destinationAddressPrefix: undefined,
          destinationAddressPrefixes: tagPrefixes('MicrosoftContainerRegistry.WestEurope'),
        });
        Object.assign(nsgRule(w, 'AllowFrontDoorFirstPartyOutbound'), {
          destinationAddressPrefix: undefined,
          destinationAddressPrefixes: tagPrefixes('AzureFrontDoor.FirstParty'),
        });
      },
    ),
    'nsg-explicit-cidrs-one-missing': mutate(
      'nsg-explicit-cidrs-one-missing: the explicit MCR CIDR list lacks one prefix of MicrosoftContainerRegistry.WestEurope.',
      (w) => {
        Object.assign(nsgRule(w, 'AllowMcrOutbound'), {
          destinationAddressPrefix: undefined,
          destinationAddressPrefixes: tagPrefixes('MicrosoftContainerRegistry.WestEurope').filter((p) => p !== '13.69.106.72/29'),
        });
        Object.assign(nsgRule(w, 'AllowFrontDoorFirstPartyOutbound'), {
          destinationAddressPrefix: undefined,
          destinationAddressPrefixes: tagPrefixes('AzureFrontDoor.FirstParty'),
        });
      },
    ),
    'nsg-udp-only': mutate('nsg-udp-only: the MCR allow rule is for UDP only, so TCP 443 falls to the Internet deny.', (w) => {
      nsgRule(w, 'AllowMcrOutbound').protocol = 'Udp';
    }),
    'nsg-port-ranges': mutate('nsg-port-ranges: the allows use port ranges and plural port lists that include 443.', (w) => {
      Object.assign(nsgRule(w, 'AllowMcrOutbound'), { destinationPortRange: undefined, destinationPortRanges: ['80', '440-450'] });
      nsgRule(w, 'AllowFrontDoorFirstPartyOutbound').destinationPortRange = '400-500';
    }),
    'nsg-wrong-port': mutate('nsg-wrong-port: the MCR allow opens 8443 instead of 443.', (w) => {
      nsgRule(w, 'AllowMcrOutbound').destinationPortRange = '8443';
    }),
    'nsg-deny-other-subnet': mutate(
      'nsg-deny-other-subnet: a Deny to the Internet at priority 100, before the allows, applies only to the endpoints subnet, not to the compute subnet.',
      (w) => {
        for (const r of nsgRules(w))
          if (r.properties.direction === 'Outbound' && r.properties.priority < 4000) r.properties.priority += 100;
        nsgRules(w).push(
          rule(ids.nsg, 'DenyEndpointsSubnetInternet', {
            protocol: '*',
            destinationPortRange: '*',
            sourceAddressPrefix: '10.20.2.0/24',
            destinationAddressPrefix: 'Internet',
            access: 'Deny',
            priority: 100,
            direction: 'Outbound',
          }),
        );
      },
    ),
    'nsg-no-nsg': mutate('nsg-no-nsg: the compute subnet has no network security group; egress is not filtered.', (w) => {
      delete trainingSubnet(w).properties.networkSecurityGroup;
      res(w, ids.nsg).properties.subnets = [];
    }),
    'nsg-asg-rule': mutate(
      'nsg-asg-rule: the MCR allow names an application security group as its source, which cannot be resolved from the subnet.',
      (w) => {
        Object.assign(nsgRule(w, 'AllowMcrOutbound'), {
          sourceAddressPrefix: undefined,
          sourceApplicationSecurityGroups: [{ id: `${P}/Microsoft.Network/applicationSecurityGroups/asg-ml-nodes` }],
        });
      },
    ),
    'nsg-forced-tunnel': mutate('nsg-forced-tunnel: a 0.0.0.0/0 route sends egress through the firewall appliance 10.20.3.4.', (w) => {
      addRouteTable(w, [['default-via-firewall', '0.0.0.0/0', '10.20.3.4']]);
    }),
    'nsg-forced-tunnel-tag-routes': mutate(
      'nsg-forced-tunnel-tag-routes: forced tunnelling, but MicrosoftContainerRegistry and AzureFrontDoor.FirstParty are routed straight to the Internet by service-tag routes.',
      (w) => {
        addRouteTable(w, [
          ['default-via-firewall', '0.0.0.0/0', '10.20.3.4'],
          ['mcr-direct', 'MicrosoftContainerRegistry', null],
          ['afd-direct', 'AzureFrontDoor.FirstParty', null],
        ]);
      },
    ),
    'nsg-route-none': mutate('nsg-route-none: a route sends MicrosoftContainerRegistry.WestEurope to next hop None, dropping it.', (w) => {
      addRouteTable(w, [['drop-mcr', 'MicrosoftContainerRegistry.WestEurope', null]]);
      const route = res(w, ids.routeTable).properties.routes[0];
      route.properties.nextHopType = 'None';
    }),
  };
}
