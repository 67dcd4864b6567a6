/**
 * Egress and identity, as the egress (`compute-outbound`) and identity (`identity-access`) checks
 * read them: Azure Firewall, its policy and rule collection groups, IP groups, role assignments.
 * Attributes follow hashicorp/terraform-provider-azurerm: internal/services/firewall/,
 * internal/services/network/ip_group_resource.go and
 * internal/services/authorization/role_assignment_resource.go; ARM bodies follow
 * Microsoft.Network/azureFirewalls, firewallPolicies(/ruleCollectionGroups), ipGroups and
 * Microsoft.Authorization/roleAssignments.
 */
import { createHash } from 'node:crypto';
import { armId, childId, compact, isMarker, ref, strings, type Family, type Json, type MapContext } from './types.js';

const NET = 'Microsoft.Network';

function rg(c: MapContext): string | undefined {
  return c.str(['resource_group_name']);
}

function count(c: MapContext, path: readonly (string | number)[]): number[] {
  const v = c.get(path);
  return Array.isArray(v) ? v.map((_, i) => i) : [];
}

function applicationRule(c: MapContext, b: readonly (string | number)[]): Json {
  return compact({
    ruleType: 'ApplicationRule',
    name: c.str([...b, 'name']),
    description: c.str([...b, 'description']),
    protocols: count(c, [...b, 'protocols']).map((i) => ({
      protocolType: c.str([...b, 'protocols', i, 'type']),
      port: c.get([...b, 'protocols', i, 'port']),
    })),
    sourceAddresses: strings(c.get([...b, 'source_addresses'])),
    sourceIpGroups: strings(c.get([...b, 'source_ip_groups'])),
    destinationAddresses: strings(c.get([...b, 'destination_addresses'])),
    targetFqdns: strings(c.get([...b, 'destination_fqdns'])),
    targetUrls: strings(c.get([...b, 'destination_urls'])),
    fqdnTags: strings(c.get([...b, 'destination_fqdn_tags'])),
    terminateTLS: c.get([...b, 'terminate_tls']),
    webCategories: strings(c.get([...b, 'web_categories'])),
  });
}

function networkRule(c: MapContext, b: readonly (string | number)[]): Json {
  return compact({
    ruleType: 'NetworkRule',
    name: c.str([...b, 'name']),
    description: c.str([...b, 'description']),
    ipProtocols: strings(c.get([...b, 'protocols'])),
    sourceAddresses: strings(c.get([...b, 'source_addresses'])),
    sourceIpGroups: strings(c.get([...b, 'source_ip_groups'])),
    destinationAddresses: strings(c.get([...b, 'destination_addresses'])),
    destinationIpGroups: strings(c.get([...b, 'destination_ip_groups'])),
    destinationFqdns: strings(c.get([...b, 'destination_fqdns'])),
    destinationPorts: strings(c.get([...b, 'destination_ports'])),
  });
}

function collections(c: MapContext, block: string, rule: (c: MapContext, b: readonly (string | number)[]) => Json): Json[] {
  return (c.blocks(block) ?? []).map((i) =>
    compact({
      ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
      name: c.str([block, i, 'name']),
      priority: c.get([block, i, 'priority']),
      action: { type: c.str([block, i, 'action']) },
      rules: count(c, [block, i, 'rule']).map((r) => rule(c, [block, i, 'rule', r])),
    }),
  );
}

export const firewallIdentity: Family = {
  mappings: {
    azurerm_firewall: {
      source: 'internal/services/firewall/firewall_resource.go',
      armType: `${NET}/azureFirewalls`,
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/azureFirewalls`, c.str(['name'])),
      body: (c) =>
        compact({
          location: c.str(['location']),
          properties: compact({
            sku: compact({ name: c.str(['sku_name']), tier: c.str(['sku_tier']) }),
            firewallPolicy: ref(c.str(['firewall_policy_id'])),
            threatIntelMode: c.str(['threat_intel_mode']),
            virtualHub: ref(c.str(['virtual_hub', 0, 'virtual_hub_id'])),
            ipConfigurations: (c.blocks('ip_configuration') ?? []).map((i) =>
              compact({
                name: c.str(['ip_configuration', i, 'name']),
                properties: compact({
                  subnet: ref(c.str(['ip_configuration', i, 'subnet_id'])),
                  publicIPAddress: ref(c.str(['ip_configuration', i, 'public_ip_address_id'])),
                  privateIPAddress: c.str(['ip_configuration', i, 'private_ip_address']),
                }),
              }),
            ),
            // A hub firewall's private IP (routes point at it) is known only after apply.
            hubIPAddresses: c.blocks('virtual_hub')?.length
              ? { privateIPAddress: c.str(['virtual_hub', 0, 'private_ip_address']) }
              : undefined,
          }),
        }),
    },
    azurerm_firewall_policy: {
      source: 'internal/services/firewall/firewall_policy_resource.go',
      armType: `${NET}/firewallPolicies`,
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/firewallPolicies`, c.str(['name'])),
      body: (c) =>
        compact({
          location: c.str(['location']),
          properties: compact({
            sku: c.str(['sku']) ? { tier: c.str(['sku']) } : undefined,
            basePolicy: ref(c.str(['base_policy_id'])),
            threatIntelMode: c.str(['threat_intelligence_mode']),
            dnsSettings: c.blocks('dns')?.length
              ? compact({ enableProxy: c.get(['dns', 0, 'proxy_enabled']), servers: strings(c.get(['dns', 0, 'servers'])) })
              : undefined,
          }),
        }),
    },
    azurerm_firewall_policy_rule_collection_group: {
      source: 'internal/services/firewall/firewall_policy_rule_collection_group_resource.go',
      armType: `${NET}/firewallPolicies/ruleCollectionGroups`,
      id: (c) => childId(c.str(['firewall_policy_id']), 'ruleCollectionGroups', c.str(['name'])),
      body: (c) => ({
        properties: compact({
          priority: c.get(['priority']),
          ruleCollections: [
            ...collections(c, 'application_rule_collection', applicationRule),
            ...collections(c, 'network_rule_collection', networkRule),
          ],
        }),
      }),
    },
    azurerm_ip_group: {
      source: 'internal/services/network/ip_group_resource.go',
      armType: `${NET}/ipGroups`,
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/ipGroups`, c.str(['name'])),
      body: (c) => compact({ location: c.str(['location']), properties: compact({ ipAddresses: strings(c.get(['cidrs'])) }) }),
    },
    azurerm_role_assignment: {
      source: 'internal/services/authorization/role_assignment_resource.go',
      armType: 'Microsoft.Authorization/roleAssignments',
      id(c) {
        const scope = c.str(['scope']);
        if (!scope || isMarker(scope)) return undefined;
        // `name` is a GUID the provider makes up at apply when the configuration leaves it out; no
        // check decides on it, so a stable stand-in names the planned assignment.
        const name = c.str(['name']);
        const guid = name && !isMarker(name) ? name : standInGuid(c.address);
        return `${scope.replace(/\/$/, '')}/providers/Microsoft.Authorization/roleAssignments/${guid}`;
      },
      body: (c) => ({
        properties: compact({
          scope: c.str(['scope']),
          roleDefinitionId: c.str(['role_definition_id']),
          principalId: c.str(['principal_id']),
          principalType: c.str(['principal_type']),
          condition: c.str(['condition']),
          conditionVersion: c.str(['condition_version']),
        }),
      }),
    },
  },
  unmapped: {
    azurerm_firewall_network_rule_collection: {
      changes: "an Azure Firewall's classic network rules",
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/azureFirewalls`, c.str(['azure_firewall_name'])),
    },
    azurerm_firewall_application_rule_collection: {
      changes: "an Azure Firewall's classic application rules",
      id: (c) => armId(c.subscriptionId, rg(c), `${NET}/azureFirewalls`, c.str(['azure_firewall_name'])),
    },
    azurerm_role_definition: { changes: 'a custom role definition (the actions a role assignment grants)' },
  },
};

/** A GUID-shaped name derived from the Terraform address (stable across runs of the same plan). */
function standInGuid(address: string): string {
  const h = createHash('sha256').update(address).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
