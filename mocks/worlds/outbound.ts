/**
 * compute-outbound worlds (issue 21): one missing outbound dependency of Microsoft's "Configure
 * inbound and outbound network traffic" page each, in the NSG or in the hub firewall the spoke's
 * route leads to (`firewall.ts`). The managed-network skip is decided on the managed worlds
 * (`managed.ts`, `managed-v2.ts`): no world of its own is needed for it.
 */
import type { WorldInput } from '../../src/world/schema.js';
import { ids, type Json, LOCATION, res, rule } from './base.js';
import { hub, hubAndSpoke } from './firewall-hub.js';
import { mutate } from './healthy.js';
import { nsgRules } from './nsg.js';

function collections(w: WorldInput): Json[] {
  return res(w, hub.group).properties.ruleCollections as Json[];
}

/** Hub and spoke whose NSG leaves Internet egress to the firewall (the usual landing-zone split). */
function filteredByFirewall(w: WorldInput): void {
  hubAndSpoke(w);
  res(w, ids.nsg).properties.securityRules = nsgRules(w).filter((r) => r.name !== 'DenyInternetOutbound');
}

/** Every world of the family, by file name (without `.json`). */
export function outboundWorlds(): Record<string, WorldInput> {
  return {
    'outbound-nsg-entra-denied': mutate(
      'outbound-nsg-entra-denied: an NSG rule at priority 105 denies AzureActiveDirectory outbound, before the allow at 130, so the nodes cannot sign in to Microsoft Entra ID.',
      (w) => {
        nsgRules(w).push(
          rule(ids.nsg, 'DenyEntraIdOutbound', {
            protocol: '*',
            destinationPortRange: '*',
            sourceAddressPrefix: '*',
            destinationAddressPrefix: 'AzureActiveDirectory',
            access: 'Deny',
            priority: 105,
            direction: 'Outbound',
          }),
        );
      },
    ),
    'outbound-fw-batch-denied': mutate(
      `outbound-fw-batch-denied: hub and spoke; a Deny network rule collection of the hub firewall policy blocks BatchNodeManagement.${LOCATION} on TCP 443 before the allows, so the compute nodes never reach Azure Batch.`,
      (w) => {
        hubAndSpoke(w);
        collections(w).push({
          ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
          name: 'deny-batch-egress',
          priority: 140,
          action: { type: 'Deny' },
          rules: [
            {
              ruleType: 'NetworkRule',
              name: 'deny-batch-node-management',
              ipProtocols: ['TCP'],
              sourceAddresses: ['*'],
              destinationAddresses: [`BatchNodeManagement.${LOCATION}`],
              destinationPorts: ['443'],
            },
          ],
        });
      },
    ),
    'outbound-fw-registry-no-pe': mutate(
      'outbound-fw-registry-no-pe: the workspace registry is public, with no private endpoint; the NSG leaves the Internet to the hub firewall, whose application rules do not name the registry hosts, so it denies them by default.',
      (w) => {
        filteredByFirewall(w);
        const r = res(w, ids.registry);
        r.properties.publicNetworkAccess = 'Enabled';
        r.properties.networkRuleSet.defaultAction = 'Allow';
        r.properties.privateEndpointConnections = [];
        w.resources = w.resources.filter((x) => x.id !== ids.peRegistry);
        delete res(w, ids.workspace).properties.imageBuildCompute;
        const hosts = collections(w).find((c) => c.name === 'allow-aml-hosts')!;
        hosts.rules = (hosts.rules as Json[]).filter((x) => x.name !== 'allow-workspace-registry');
      },
    ),
    'outbound-fw-package-denied': mutate(
      'outbound-fw-package-denied: the NSG leaves the Internet to the hub firewall, whose policy allows no package source (PyPI, conda), so pip and conda fail in image builds.',
      (w) => {
        filteredByFirewall(w);
        const hosts = collections(w).find((c) => c.name === 'allow-aml-hosts')!;
        hosts.rules = (hosts.rules as Json[]).filter((x) => x.name === 'allow-workspace-registry');
      },
    ),
  };
}
