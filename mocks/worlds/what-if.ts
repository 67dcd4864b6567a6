/**
 * Deployments to preflight (`audit --what-if`): each case is a world (the live state, plus ARM's
 * what-if answer for the deployment) and the template a pull request would deploy. One change per
 * case: a deny rule above the MCR allow, a fix, a deleted build cluster, a registry endpoint moved
 * to an unpeered VNet, a value ARM cannot evaluate, and a template ARM rejects. The cases that turn
 * on what Azure does on its own are what-if-effects.ts.
 */
import { createHash } from 'node:crypto';
import type { WorldInput } from '../../src/world/schema.js';
import { computeOf, ids, LOCATION, res, RG, subnet, SUB, type Json } from './base.js';
import { buildWorlds } from './generate.js';
import { hubId, managedWorlds } from './managed.js';
import { managedNetworkV2Id, managedV2Worlds } from './managed-v2.js';
import { hub } from './firewall-hub.js';
import { vwan } from './virtual-wan.js';

export const DEPLOYMENT = 'aml-preflight-what-if';
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

export interface WhatIfCase {
  readonly name: string;
  readonly description: string;
  readonly world: WorldInput;
  readonly template: Json;
}

export function template(resources: Json[], parameters: Json = {}): Json {
  return { $schema: SCHEMA, contentVersion: '1.0.0.0', parameters, resources };
}

/** The `sha256:` key the mock also finds a what-if answer by: the template as the SDK sends it. */
export function templateDigest(t: Json): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(t)).digest('hex')}`;
}

const denyRule = {
  protocol: 'Tcp',
  sourcePortRange: '*',
  destinationPortRange: '443',
  sourceAddressPrefix: '*',
  destinationAddressPrefix: 'Internet',
  access: 'Deny',
  priority: 90,
  direction: 'Outbound',
};
const frontDoorRule = {
  protocol: 'Tcp',
  sourcePortRange: '*',
  destinationPortRange: '443',
  sourceAddressPrefix: 'VirtualNetwork',
  destinationAddressPrefix: 'AzureFrontDoor.FirstParty',
  access: 'Allow',
  priority: 110,
  direction: 'Outbound',
};

export function withWhatIf(
  base: string | WorldInput,
  description: string,
  key: string | ((t: Json) => string),
  t: Json,
  changes: Json[] | { error: Json },
): WhatIfCase {
  const world = structuredClone(
    typeof base === 'string' ? (buildWorlds()[base] ?? managedWorlds()[base] ?? managedV2Worlds()[base]!) : base,
  );
  world.description = description;
  const k = typeof key === 'string' ? key : key(t);
  world.whatIf = { [k]: Array.isArray(changes) ? { changes: changes as never } : { error: changes.error as never } };
  return { name: description.split(':')[0]!, description, world, template: t };
}

export function whatIfCases(): WhatIfCase[] {
  const ruleId = (name: string) => `${ids.nsg}/securityRules/${name}`;
  const ruleResource = (name: string, properties: Json): Json => ({
    type: 'Microsoft.Network/networkSecurityGroups/securityRules',
    apiVersion: '2024-05-01',
    name: `nsg-mlops-training-weu/${name}`,
    properties,
  });
  const ruleBody = (name: string, properties: Json): Json => ({
    id: ruleId(name),
    name,
    type: 'Microsoft.Network/networkSecurityGroups/securityRules',
    properties: { provisioningState: 'Succeeded', ...properties },
  });

  const healthy = buildWorlds()['healthy-private']!;
  const livePe = structuredClone(res(healthy, ids.peRegistry));
  const isolatedVnet = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet-mlops-isolated-weu`;
  const isolatedSubnet = `${isolatedVnet}/subnets/snet-endpoints`;
  const movedPe = structuredClone(livePe);
  movedPe.properties.subnet = { id: isolatedSubnet };
  const unevaluatedPe = structuredClone(livePe);
  unevaluatedPe.properties.subnet = {
    id: "[reference(resourceId('Microsoft.Network/virtualNetworks', parameters('endpointVnet'))).subnets[0].id]",
  };
  const peResource = (subnetId: string): Json => ({
    type: 'Microsoft.Network/privateEndpoints',
    apiVersion: '2024-05-01',
    name: 'pe-crmlopsprodweu-registry',
    location: LOCATION,
    properties: {
      subnet: { id: subnetId },
      privateLinkServiceConnections: [{ name: 'registry', properties: { privateLinkServiceId: ids.registry, groupIds: ['registry'] } }],
    },
  });
  const build = computeOf(healthy, 'cpu-build-cluster');

  return [
    withWhatIf(
      'healthy-private',
      'whatif-deny-above-mcr: the template adds a Deny for HTTPS to the Internet at priority 90, above the MicrosoftContainerRegistry (100) and Front Door (110) allows.',
      DEPLOYMENT,
      template([ruleResource('DenyHttpsInternetOutbound', denyRule)]),
      [{ resourceId: ruleId('DenyHttpsInternetOutbound'), changeType: 'Create', after: ruleBody('DenyHttpsInternetOutbound', denyRule) }],
    ),
    withWhatIf(
      'nsg-frontdoor-missing',
      'whatif-fixes-frontdoor: the template adds the missing AzureFrontDoor.FirstParty allow; the answer is keyed by the template digest.',
      templateDigest,
      template([ruleResource('AllowFrontDoorFirstPartyOutbound', frontDoorRule)]),
      [
        {
          resourceId: ruleId('AllowFrontDoorFirstPartyOutbound'),
          changeType: 'Create',
          after: ruleBody('AllowFrontDoorFirstPartyOutbound', frontDoorRule),
        },
      ],
    ),
    withWhatIf(
      'healthy-private',
      'whatif-deletes-build-cluster: a complete-mode deployment deletes the image build cluster cpu-build-cluster (imageBuildCompute still names it).',
      DEPLOYMENT,
      template([]),
      [{ resourceId: String(build.id), changeType: 'Delete', before: build }],
    ),
    withWhatIf(
      'healthy-private',
      'whatif-moves-registry-endpoint: the registry private endpoint moves to a new VNet that is not peered with the computes.',
      DEPLOYMENT,
      template([
        {
          type: 'Microsoft.Network/virtualNetworks',
          apiVersion: '2024-05-01',
          name: 'vnet-mlops-isolated-weu',
          location: LOCATION,
          properties: {
            addressSpace: { addressPrefixes: ['10.50.0.0/16'] },
            subnets: [{ name: 'snet-endpoints', properties: { addressPrefix: '10.50.1.0/24' } }],
          },
        },
        peResource(isolatedSubnet),
      ]),
      [
        {
          resourceId: isolatedVnet,
          changeType: 'Create',
          after: {
            id: isolatedVnet,
            name: 'vnet-mlops-isolated-weu',
            type: 'Microsoft.Network/virtualNetworks',
            location: LOCATION,
            properties: {
              provisioningState: 'Succeeded',
              addressSpace: { addressPrefixes: ['10.50.0.0/16'] },
              subnets: [subnet(isolatedSubnet, '10.50.1.0/24')],
              virtualNetworkPeerings: [],
            },
          },
        },
        { resourceId: ids.peRegistry, changeType: 'Modify', before: livePe, after: movedPe },
      ],
    ),
    withWhatIf(
      'healthy-private',
      "whatif-unevaluated-reference: the registry endpoint's subnet comes from a reference() ARM's what-if cannot evaluate before deployment.",
      DEPLOYMENT,
      template([peResource("[reference(resourceId('Microsoft.Network/virtualNetworks', parameters('endpointVnet'))).subnets[0].id]")], {
        endpointVnet: { type: 'string' },
      }),
      [{ resourceId: ids.peRegistry, changeType: 'Modify', before: livePe, after: unevaluatedPe }],
    ),
    withWhatIf(
      'managed-hub-project',
      "whatif-hub-drops-registry-rule: the hub's managed network loses the private-endpoint outbound rule to the registry its project pulls images from.",
      DEPLOYMENT,
      template([]),
      [{ resourceId: `${hubId}/outboundRules/__SYS_PE_crmlopsprodweu_registry`, changeType: 'Delete' }],
    ),
    withWhatIf(
      'healthy-private',
      'whatif-rejected: ARM rejects the template (a resource without an apiVersion).',
      DEPLOYMENT,
      template([
        { type: 'Microsoft.Network/networkSecurityGroups/securityRules', name: 'nsg-mlops-training-weu/AllowSsh', properties: {} },
      ]),
      {
        error: {
          code: 'InvalidTemplate',
          message:
            "Deployment template validation failed: 'The template resource 'nsg-mlops-training-weu/AllowSsh' at line '1' and column '120' is not valid: the 'apiVersion' property is missing.'",
        },
      },
    ),
  ];
}

/** A world whose what-if answer is Microsoft's own example (mocks/fixtures/what-if): identities only, no workspace touched. */
export function microsoftExampleCase(example: Json): WhatIfCase {
  const changes = (example.responses['200'].body.properties.changes as Json[]).map(
    (c) =>
      JSON.parse(JSON.stringify(c).replaceAll('00000000-0000-0000-0000-000000000001', SUB).replaceAll('my-resource-group', RG)) as Json,
  );
  return withWhatIf(
    'healthy-private',
    "whatif-microsoft-example: the what-if answer is Microsoft's published example (two managed identities).",
    DEPLOYMENT,
    template([]),
    changes,
  );
}

/**
 * One deployment per child type the checks read, at every depth, each deleting one child of a
 * resource the workspace depends on (what a pull request that removes it from a complete-mode
 * template does): each must select the workspace, though it names none of its resources.
 */
export function whatIfChildCases(): (WhatIfCase & { readonly child: string })[] {
  const zoneLink = `${ids.zoneAcr}/virtualNetworkLinks/link-vnet-mlops-prod-weu`;
  const cases: [string, string, string][] = [
    ['subnet', 'healthy-private', ids.endpointsSubnet],
    ['security rule', 'healthy-private', `${ids.nsg}/securityRules/AllowMcrOutbound`],
    ['route', 'nsg-forced-tunnel', `${ids.routeTable}/routes/default-via-firewall`],
    ['peering', 'ibc-peered-vnet', `${ids.vnet}/virtualNetworkPeerings/peer-vnet-mlops-build-weu`],
    ['private DNS zone link', 'healthy-private', zoneLink],
    ['private DNS zone group', 'healthy-private', `${ids.peRegistry}/privateDnsZoneGroups/default`],
    ['V1 outbound rule', 'healthy-managed', `${ids.workspace}/outboundRules/allow-pypi`],
    ['V2 outbound rule', 'healthy-managed-v2', `${managedNetworkV2Id}/outboundRules/allow-pypi`],
    ['V2 managed network', 'healthy-managed-v2', managedNetworkV2Id],
    // Issue 21: what the spoke's egress crosses in the hub.
    ['firewall rule collection group', 'fw-hub-healthy', hub.group],
    ['firewall IP group', 'fw-hub-healthy', hub.ipGroup],
    ['hub firewall', 'fw-hub-healthy', hub.firewall],
    // A Virtual WAN secured hub: its routing intent, the spoke's connection, the connection's route table, the hub firewall.
    ['routing intent', 'vwan-hub-healthy', vwan.routingIntent],
    ['hub virtual network connection', 'vwan-hub-healthy', vwan.connection],
    ['hub route table', 'vwan-route-table-default', vwan.spokesRouteTable],
    ['secured hub firewall', 'vwan-hub-healthy', vwan.firewall],
  ];
  return cases.map(([child, base, id]) => {
    const world = buildWorlds()[base] ?? managedWorlds()[base] ?? managedV2Worlds()[base]!;
    const before = world.resources.find((r) => r.id.toLowerCase() === id.toLowerCase()) as Json | undefined;
    const name = `whatif-child-${child.replaceAll(' ', '-').toLowerCase()}`;
    return {
      ...withWhatIf(base, `${name}: the deployment deletes the ${child} ${id.split('/').pop()}.`, DEPLOYMENT, template([]), [
        { resourceId: id, changeType: 'Delete', ...(before ? { before } : {}) },
      ]),
      child,
    };
  });
}
