/**
 * Hub-and-spoke worlds (issue 21): the training subnet's route table sends 0.0.0.0/0 to an Azure
 * Firewall in a hub VNet of the connectivity subscription, peered with the spoke. Shapes follow
 * Microsoft's examples (AzureFirewallGet, FirewallPolicyGet, FirewallPolicyRuleCollectionGroupGet,
 * IpGroupsGet, NetworkInterfaceGet): the firewall's `sku` inside `properties`, rule collections
 * without ids.
 * The hub they share is firewall-hub.ts.
 */
import type { WorldInput } from '../../src/world/schema.js';
import { asResource, ids, type Json, LOCATION, res } from './base.js';
import { computeEgressCollections, hub, hubAndSpoke, NVA_IP, ruleCollection } from './firewall-hub.js';
import { mutate } from './healthy.js';

function collections(w: WorldInput): Json[] {
  return res(w, hub.group).properties.ruleCollections as Json[];
}

function hubWorld(description: string, change: (w: WorldInput) => void = () => undefined): WorldInput {
  return mutate(description, (w) => {
    hubAndSpoke(w);
    change(w);
  });
}

/** Every world of the family, by file name (without `.json`). */
export function firewallWorlds(): Record<string, WorldInput> {
  return {
    'fw-hub-healthy': hubWorld(
      'fw-hub-healthy: the spoke routes 0.0.0.0/0 to Azure Firewall afw-hub-weu in a peered hub of the connectivity subscription; its policy allows AzureFrontDoor.FirstParty (network rule) and MCR by name (application rule), and every other dependency compute-outbound checks.',
    ),
    'fw-frontdoor-denied': hubWorld(
      'fw-frontdoor-denied: the hub firewall policy has no rule for AzureFrontDoor.FirstParty, so the firewall denies it by default.',
      (w) => {
        res(w, hub.group).properties.ruleCollections = collections(w).filter((c) => c.name !== 'allow-aml-network');
      },
    ),
    'fw-mcr-data-missing': hubWorld(
      'fw-mcr-data-missing: the application rule allows mcr.microsoft.com but not *.data.mcr.microsoft.com, where the image layers come from.',
      (w) => {
        collections(w).find((c) => c.name === 'allow-aml-fqdns')!.rules[0].targetFqdns = ['mcr.microsoft.com'];
      },
    ),
    'fw-parent-policy-deny': hubWorld(
      "fw-parent-policy-deny: the hub policy inherits fwp-org-base, whose Deny collection for AzureFrontDoor.FirstParty comes first whatever the child's priorities.",
      (w) => {
        res(w, hub.policy).properties.basePolicy = { id: hub.basePolicy };
        const group = `${hub.basePolicy}/ruleCollectionGroups/rcg-org-guardrails`;
        w.resources.push(
          asResource({
            name: 'fwp-org-base',
            id: hub.basePolicy,
            type: 'Microsoft.Network/firewallPolicies',
            location: LOCATION,
            properties: {
              provisioningState: 'Succeeded',
              sku: { tier: 'Standard' },
              threatIntelMode: 'Alert',
              ruleCollectionGroups: [{ id: group }],
              childPolicies: [{ id: hub.policy }],
            },
          }),
          asResource({
            name: 'rcg-org-guardrails',
            id: group,
            type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups',
            properties: {
              provisioningState: 'Succeeded',
              priority: 60000,
              ruleCollections: [
                ruleCollection('deny-cdn-egress', 65000, 'Deny', [
                  {
                    ruleType: 'NetworkRule',
                    name: 'deny-frontdoor',
                    ipProtocols: ['Any'],
                    sourceAddresses: ['*'],
                    destinationAddresses: ['AzureFrontDoor.FirstParty'],
                    destinationPorts: ['*'],
                  },
                ]),
              ],
            },
          }),
        );
      },
    ),
    'fw-classic-rules': hubWorld(
      'fw-classic-rules: the hub firewall has no policy; its classic network and application rule collections allow Front Door and MCR, and what compute-outbound checks.',
      (w) => {
        const fw = res(w, hub.firewall).properties;
        delete fw.firewallPolicy;
        const classicApp: Json[] = [];
        fw.networkRuleCollections = [
          {
            name: 'allow-aml-network',
            id: `${hub.firewall}/networkRuleCollections/allow-aml-network`,
            properties: {
              priority: 100,
              action: { type: 'Allow' },
              rules: [
                {
                  name: 'allow-frontdoor-firstparty',
                  protocols: ['TCP'],
                  sourceAddresses: ['10.20.0.0/16'],
                  destinationAddresses: ['AzureFrontDoor.FirstParty'],
                  destinationPorts: ['443'],
                },
              ],
            },
          },
        ];
        // The rest of what compute needs, as classic collections (`protocols`, where policies name `ipProtocols`).
        for (const c of computeEgressCollections()) {
          const classic = {
            name: c.name,
            id: `${hub.firewall}/${c.name === 'allow-aml-compute' ? 'network' : 'application'}RuleCollections/${c.name}`,
            properties: {
              priority: c.priority,
              action: c.action,
              rules: (c.rules as Json[]).map(({ ruleType, ipProtocols, ...r }) =>
                ruleType === 'NetworkRule' ? { ...r, protocols: ipProtocols } : r,
              ),
            },
          };
          (c.name === 'allow-aml-compute' ? fw.networkRuleCollections : classicApp).push(classic);
        }
        fw.applicationRuleCollections = [
          ...classicApp,
          {
            name: 'allow-aml-fqdns',
            id: `${hub.firewall}/applicationRuleCollections/allow-aml-fqdns`,
            properties: {
              priority: 200,
              action: { type: 'Allow' },
              rules: [
                {
                  name: 'allow-mcr',
                  protocols: [{ protocolType: 'Https', port: 443 }],
                  sourceAddresses: ['10.20.0.0/16'],
                  targetFqdns: ['mcr.microsoft.com', '*.data.mcr.microsoft.com'],
                },
              ],
            },
          },
        ];
      },
    ),
    'fw-dns-proxy-off': hubWorld(
      "fw-dns-proxy-off: MCR is allowed by a network rule's destinationFqdns, but the policy's DNS proxy is off, so the rule cannot be relied on.",
      (w) => {
        res(w, hub.policy).properties.dnsSettings = { enableProxy: false, servers: [] };
        const c = collections(w);
        c.find((x) => x.name === 'allow-aml-network')!.rules.push({
          ruleType: 'NetworkRule',
          name: 'allow-mcr-fqdns',
          ipProtocols: ['TCP'],
          sourceAddresses: ['10.20.0.0/16'],
          destinationFqdns: ['mcr.microsoft.com', '*.data.mcr.microsoft.com'],
          destinationPorts: ['443'],
        });
        res(w, hub.group).properties.ruleCollections = c.filter((x) => x.name !== 'allow-aml-fqdns');
      },
    ),
    'fw-ip-group-forbidden': hubWorld(
      'fw-ip-group-forbidden: the network rule for Front Door names IP group ipg-ml-spokes, which the audit identity may not read (403).',
      (w) => {
        w.faults = [{ match: 'GET .*/ipGroups/ipg-ml-spokes', status: 403 }];
      },
    ),
    'fw-hub-forbidden': hubWorld(
      'fw-hub-forbidden: the audit identity may not read the hub VNet in the connectivity subscription (403), so what owns 10.100.0.4 is unknown.',
      (w) => {
        w.faults = [{ match: 'GET .*/virtualNetworks/vnet-hub-weu', status: 403 }];
      },
    ),
    'fw-third-party-nva': hubWorld(
      'fw-third-party-nva: the route sends 0.0.0.0/0 to 10.100.1.4, the NIC of a third-party appliance VM (IP forwarding on) in the hub.',
      (w) => {
        res(w, ids.routeTable).properties.routes[0].properties.nextHopIpAddress = NVA_IP;
        const hubVnet = res(w, hub.vnet);
        hubVnet.properties.subnets[1].properties.ipConfigurations = [{ id: `${hub.nic}/ipConfigurations/ipconfig1` }];
        w.resources.push(
          asResource({
            name: 'nic-nva-fw01',
            id: hub.nic,
            type: 'Microsoft.Network/networkInterfaces',
            location: LOCATION,
            properties: {
              provisioningState: 'Succeeded',
              enableIPForwarding: true,
              enableAcceleratedNetworking: true,
              virtualMachine: { id: hub.vm },
              ipConfigurations: [
                {
                  name: 'ipconfig1',
                  id: `${hub.nic}/ipConfigurations/ipconfig1`,
                  properties: {
                    provisioningState: 'Succeeded',
                    privateIPAddress: NVA_IP,
                    privateIPAllocationMethod: 'Static',
                    subnet: { id: hub.nvaSubnet },
                    primary: true,
                  },
                },
              ],
            },
          }),
        );
      },
    ),
  };
}
