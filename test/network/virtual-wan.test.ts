/**
 * Virtual WAN secured hubs and the owner of a next hop no peering leads to (issue 21), through the
 * real SDK against the mock over HTTPS: the routes a hub injects into the spoke's egress, the hub
 * firewall they lead to, the verdicts of nsg-outbound-service-tags, and the same in Resource Graph
 * mode. Pure parts over Microsoft's payloads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AzureFirewall, HubRouteTable, HubVirtualNetworkConnection, RoutingIntent, VirtualNetworkPeering } from '@azure/arm-network';
import { allChecks } from '../../checks/index.js';
import { runAudit } from '../../src/engine/run.js';
import { packageRoot } from '../../src/base/paths.js';
import { subnetEgress } from '../../src/network/gather/egress.js';
import { findAppliance } from '../../src/network/gather/firewall.js';
import { indexServiceTags } from '../../src/network/service-tags.js';
import { hubNameOf, hubRoutes, isHubPeering, PRIVATE_TRAFFIC_PREFIXES } from '../../src/network/gather/virtual-wan.js';
import { Inventory } from '../../src/inventory/index.js';
import { ids } from '../../mocks/worlds/generate.js';
import { HUB_SUB } from '../../mocks/worlds/firewall-hub.js';
import { HUB_FIREWALL_IP, vwan } from '../../mocks/worlds/virtual-wan.js';
import { expectVerdict, loadWorldByName, startHarness, type MockHarness } from '../helpers.js';

/** A Microsoft example's 200 body, `properties` flattened as the SDK flattens them (cast by the caller). */
function example(name: string): Record<string, unknown> {
  const file = join(packageRoot, 'test', 'fixtures', 'azure-examples', 'network', name);
  const body = (JSON.parse(readFileSync(file, 'utf8')) as { responses: { 200: { body: { properties?: object } } } }).responses[200].body;
  const { properties, ...rest } = body;
  return { ...rest, ...properties };
}

const harnesses: MockHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    h.inventory.dispose();
    await h.close();
  }
});
async function harness(world: string): Promise<MockHarness> {
  const h = await startHarness(world);
  harnesses.push(h);
  return h;
}
const nsgCheck = allChecks.filter((c) => c.meta.id === 'nsg-outbound-service-tags');

async function egressOf(h: MockHarness) {
  const tags = indexServiceTags(await h.inventory.serviceTags(ids.workspace.split('/')[2]!, 'westeurope'));
  return subnetEgress(h.inventory, ids.trainingSubnet, tags, {});
}

describe('the spoke side of a hub connection', () => {
  it("recognises Azure's peering to the hub's managed VNet and reads the hub's full name from its resource group", () => {
    // As Azure names them: the VNet's own name truncates the hub's (HV_bcgov-managed-lz-liv_…).
    const peering: VirtualNetworkPeering = {
      name: 'RemoteVnetToHubPeering_248fea99-6c92-49fe-9f94-e804706a4074',
      remoteVirtualNetwork: {
        id: '/subscriptions/e8d8ef98-c03d-4606-9854-e365453d88f3/resourceGroups/RG_bcgov-managed-lz-live-hub-canadacentral_a76c722f-6cc3-4220-aeaa-ed3824da42ff/providers/Microsoft.Network/virtualNetworks/HV_bcgov-managed-lz-liv_d3392fd0-0782-45c9-8989-87d98fbfcaef',
      },
    };
    expect(isHubPeering(peering)).toBe(true);
    expect(hubNameOf(peering)).toBe('bcgov-managed-lz-live-hub-canadacentral');
    expect(isHubPeering({ name: 'peer-vnet-hub-weu', remoteVirtualNetwork: { id: ids.vnet } })).toBe(false);
  });
});

describe('the routes a hub injects (Microsoft payloads)', () => {
  const connection = example('HubVirtualNetworkConnectionGet.json') as HubVirtualNetworkConnection;
  const intent = example('RoutingIntentGet.json') as RoutingIntent;
  const table = example('HubRouteTableGet.json') as HubRouteTable;
  const hubId = '/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualHubs/virtualHub1';
  // AzureFirewallPutInHub's firewall, under the id RoutingIntentGet and HubRouteTableGet name.
  const firewall = (id: string): AzureFirewall => ({ ...(example('AzureFirewallPutInHub.json') as AzureFirewall), id });
  const azfw1 = firewall('/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/azureFirewalls/azfw1');

  it('an Internet routing policy sends 0.0.0.0/0 to the hub firewall only where the connection propagates the default route', () => {
    const on = hubRoutes(hubId, { ...connection, enableInternetSecurity: true }, intent, [], azfw1);
    expect(on.map((r) => [r.name, r.addressPrefix, r.nextHopType, r.nextHopIpAddress])).toEqual([
      ['InternetTraffic', '0.0.0.0/0', 'VirtualAppliance', '10.0.0.0'],
      ...PRIVATE_TRAFFIC_PREFIXES.map((p) => ['PrivateTrafficPolicy', p, 'VirtualAppliance', '10.0.0.0']),
    ]);
    expect(new Set(on.map((r) => r.sourceId))).toEqual(new Set([intent.id]));
    // Microsoft's example connection has enableInternetSecurity false: private traffic only.
    expect(hubRoutes(hubId, connection, intent, [], azfw1).map((r) => r.addressPrefix)).toEqual([...PRIVATE_TRAFFIC_PREFIXES]);
  });

  it("a next hop that is not the hub's firewall is a gateway ARM says nothing past", () => {
    const other = firewall('/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/azureFirewalls/elsewhere');
    expect(new Set(hubRoutes(hubId, connection, intent, [], other).map((r) => r.nextHopType))).toEqual(new Set(['VirtualNetworkGateway']));
  });

  it("without routing intent, the connection's associated route table: CIDR routes to the firewall's resource id", () => {
    const azureFirewall1 = firewall('/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/azureFirewalls/azureFirewall1');
    // Microsoft's two examples name the table under different subscription ids: the same table here.
    const associated = {
      ...connection,
      routingConfiguration: { ...connection.routingConfiguration, associatedRouteTable: { id: table.id } },
    };
    const routes = hubRoutes(hubId, associated, undefined, [table], azureFirewall1);
    expect(routes.map((r) => [r.name, r.addressPrefix, r.nextHopIpAddress, r.sourceId])).toEqual(
      ['10.0.0.0/8', '20.0.0.0/8', '30.0.0.0/8'].map((p) => ['route1', p, '10.0.0.0', table.id]),
    );
    // A table the connection is not associated with injects nothing.
    expect(hubRoutes(hubId, associated, undefined, [{ ...table, id: `${hubId}/hubRouteTables/other` }], azureFirewall1)).toEqual([]);
  });
});

describe('a spoke of a secured hub, through the mock', () => {
  it('routing intent: the hub route enters the egress and leads to the hub firewall, read from the cache', async () => {
    const h = await harness('vwan-hub-healthy');
    const egress = await egressOf(h);
    expect(egress.routeTableId).toBe(vwan.routingIntent);
    expect(egress.routes.find((r) => r.addressPrefix === '0.0.0.0/0')).toMatchObject({
      name: 'InternetTraffic',
      nextHopType: 'VirtualAppliance',
      nextHopIpAddress: HUB_FIREWALL_IP,
    });
    expect(egress.hub).toMatchObject({ kind: 'hub', hubId: vwan.hub, connectionId: vwan.connection, routingIntentId: vwan.routingIntent });
    const before = h.inventory.requestCount;
    const appliance = await findAppliance(h.inventory, ids.vnet, HUB_FIREWALL_IP, {});
    expect(appliance).toMatchObject({
      kind: 'firewall',
      firewallId: vwan.firewall,
      vnetId: vwan.hub,
      virtualHubId: vwan.hub,
      policyIds: [vwan.policy],
    });
    // The firewall came with the hub: only its policy and rule collection groups are new reads.
    expect(h.inventory.requestCount - before).toBe(2);
    // The hub's managed VNet (Microsoft's subscription) is never asked for.
    expect(h.server.handler.log.some((e) => /\/virtualNetworks\/HV_/i.test(e.path))).toBe(false);
  });

  it('a healthy customer VNet reads nothing of Virtual WAN', async () => {
    const h = await harness('healthy-private');
    await egressOf(h);
    expect(h.server.handler.log.filter((e) => /virtualHubs|^\/subscriptions$/i.test(e.path))).toEqual([]);
  });

  it.each([
    ['vwan-hub-healthy', 'pass', []],
    ['vwan-route-table-default', 'pass', []],
    [
      'vwan-mcr-data-denied',
      'fail',
      [
        'goes through Azure Firewall afw-vhub-weu (VirtualAppliance 10.110.0.132), which denies it: application rule deny-mcr-data of Deny collection deny-mcr-data (priority 150), in rule collection group rcg-aml-egress (priority 200) of policy fwp-vhub-weu',
      ],
    ],
    [
      'vwan-routing-intent-forbidden',
      'warn',
      [
        `what owns that address cannot be read: Microsoft.Network/virtualHubs/routingIntent/read is missing in subscription ${HUB_SUB}`,
        `what owns that address cannot be read: Microsoft.Network/virtualHubs/routingIntent/read is missing in subscription ${HUB_SUB}`,
      ],
    ],
    ['fw-owner-outside-peerings', 'pass', []],
  ] as const)('%s: nsg-outbound-service-tags %s', async (world, status, messages) => {
    const h = await harness(world);
    const report = await runAudit({ inventory: h.inventory, checks: nsgCheck, workspaceIds: [ids.workspace] });
    const result = report.targets[0]!.results[0]!;
    expectVerdict(result, status, messages);
  });

  it('the connection route table: routes come from rt-ml-spokes, named as where they come from', async () => {
    const h = await harness('vwan-route-table-default');
    const egress = await egressOf(h);
    expect(egress.routes.map((r) => r.addressPrefix)).toEqual(['0.0.0.0/0', ...PRIVATE_TRAFFIC_PREFIXES]);
    expect(egress.routeTableId).toBe(vwan.spokesRouteTable);
    expect(egress.hub).toMatchObject({ kind: 'hub', routingIntentId: undefined, routeTableIds: [vwan.spokesRouteTable] });
  });

  it('the hub readable, its routing intent 403: the hub is unreadable, naming the subscription and the action', async () => {
    const h = await harness('vwan-routing-intent-forbidden');
    const egress = await egressOf(h);
    expect(egress.hub).toMatchObject({
      kind: 'unreadable',
      hubId: vwan.hub,
      subscriptionId: HUB_SUB,
      action: 'Microsoft.Network/virtualHubs/routingIntent/read',
      ip: HUB_FIREWALL_IP,
    });
    expect(await findAppliance(h.inventory, ids.vnet, HUB_FIREWALL_IP, {})).toMatchObject({ kind: 'unreadable', subscriptionId: HUB_SUB });
  });

  it('a hub no readable subscription holds: the route is a gateway ARM says nothing past, never a pass', async () => {
    const world = loadWorldByName('vwan-hub-healthy');
    const h = await startHarness({ ...world, resources: world.resources.filter((r) => !r.id.startsWith(vwan.hub)) });
    harnesses.push(h);
    const egress = await egressOf(h);
    expect(egress.hub).toMatchObject({ kind: 'not-found', hubName: 'vhub-weu' });
    const report = await runAudit({ inventory: h.inventory, checks: nsgCheck, workspaceIds: [ids.workspace] });
    expect(report.targets[0]!.results[0]!.status).not.toBe('pass');
  });
});

describe('an appliance no peering leads to', () => {
  it('ARM mode lists the firewalls and NICs of the readable subscriptions; Resource Graph mode asks one query; the same verdicts', async () => {
    const h = await harness('fw-owner-outside-peerings');
    const direct = await runAudit({ inventory: h.inventory, checks: nsgCheck, workspaceIds: [ids.workspace] });
    const lists = h.server.handler.log.filter((e) => /\/providers\/Microsoft\.Network\/(azureFirewalls|networkInterfaces)$/i.test(e.path));
    expect(lists.length).toBeGreaterThanOrEqual(2);

    const graph = new Inventory(h.connection);
    try {
      await graph.useResourceGraph([ids.workspace.split('/')[2]!]);
      const loaded = graph.resourceGraphRequestCount;
      const before = h.server.handler.log.length;
      const report = await runAudit({ inventory: graph, checks: nsgCheck, workspaceIds: [ids.workspace] });
      expect(graph.resourceGraphRequestCount - loaded).toBe(1);
      const after = h.server.handler.log.slice(before);
      expect(after.filter((e) => /\/providers\/Microsoft\.Network\/(azureFirewalls|networkInterfaces)$/i.test(e.path))).toEqual([]);
      const strip = (r: typeof report) => r.targets[0]!.results.map(({ durationMs: _d, ...rest }) => rest);
      expect(strip(report)).toEqual(strip(direct));
      expect(report.targets[0]!.results[0]!.status).toBe('pass');
    } finally {
      graph.dispose();
    }
  });
});
