/**
 * Microsoft's own ARM answers (azure-rest-api-specs examples, copied from shared/azure-examples)
 * served by the mock in place of the matching resource of healthy-private: every check gives a
 * verdict or a clear `error`, never a crash, whatever those payloads hold (placeholder ids like
 * "test-subnet-resource-id", `null` fields, display-name locations, ids of other subscriptions).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allChecks } from '../checks/index.js';
import { healthyPrivate, ids, LOCATION, SUB } from '../mocks/worlds/generate.js';
import { healthyManaged } from '../mocks/worlds/managed.js';
import { runAudit } from '../src/engine/run.js';
import { packageRoot } from '../src/base/paths.js';
import type { WorldInput } from '../src/world/schema.js';
import { startHarness, type MockHarness } from './helpers.js';

const dir = join(packageRoot, 'test', 'fixtures', 'azure-examples');
type Json = Record<string, any>;
const body = (file: string): Json => JSON.parse(readFileSync(join(dir, file), 'utf8')).responses['200'].body;

function replaceResource(w: WorldInput, id: string, payload: Json): void {
  const i = w.resources.findIndex((r) => r.id === id);
  w.resources[i] = { ...payload, id, name: id.split('/').pop()! };
}
function embedded(w: WorldInput, vnetId: string, subnetId: string, payload: Json): void {
  const vnet = w.resources.find((r) => r.id === vnetId) as Json;
  const i = vnet.properties.subnets.findIndex((s: Json) => s.id === subnetId);
  vnet.properties.subnets[i] = { ...payload, id: subnetId, name: subnetId.split('/').pop() };
}
const responses = (w: WorldInput) => w.responses as Record<string, { body: unknown }>;

/** How each Microsoft payload takes the place of a world resource or answer. */
const PLACEMENTS: Record<string, (w: WorldInput) => void> = {
  'machinelearning/Workspace-get.json': (w) => {
    replaceResource(w, ids.workspace, body('machinelearning/Workspace-get.json'));
  },
  'machinelearning/Compute-get-AmlCompute.json': (w) => {
    replaceResource(w, `${ids.computes}/cpu-build-cluster`, body('machinelearning/Compute-get-AmlCompute.json'));
  },
  'machinelearning/Compute-get-ComputeInstance.json': (w) => {
    replaceResource(w, `${ids.computes}/ci-analyst-ds`, body('machinelearning/Compute-get-ComputeInstance.json'));
  },
  'machinelearning/Compute-list.json': (w) => {
    w.resources = w.resources.filter((r) => !r.id.startsWith(`${ids.computes}/`));
    for (const c of body('machinelearning/Compute-list.json').value as Json[])
      w.resources.push({ ...c, id: `${ids.computes}/${c.name}` } as never);
  },
  'machinelearning/Workspace-listKeys.json': (w) => {
    responses(w)[`POST ${ids.workspace}/listKeys`] = { body: body('machinelearning/Workspace-listKeys.json') };
  },
  'containerregistry/RegistryGet.json': (w) => {
    replaceResource(w, ids.registry, body('containerregistry/RegistryGet.json'));
  },
  'containerregistry/RegistryListCredentials.json': (w) => {
    responses(w)[`POST ${ids.registry}/listCredentials`] = { body: body('containerregistry/RegistryListCredentials.json') };
  },
  'containerregistry/PrivateEndpointConnectionList.json': (w) => {
    (w.resources.find((r) => r.id === ids.registry) as Json).properties.privateEndpointConnections = body(
      'containerregistry/PrivateEndpointConnectionList.json',
    ).value;
  },
  'storage/StorageAccountGetProperties.json': (w) => {
    replaceResource(w, ids.storage, body('storage/StorageAccountGetProperties.json'));
  },
  'storage/StorageAccountListKeys.json': (w) => {
    responses(w)[`POST ${ids.storage}/listKeys`] = { body: body('storage/StorageAccountListKeys.json') };
  },
  'storage/StorageAccountRegenerateKey.json': (w) => {
    responses(w)[`POST ${ids.storage}/listKeys`] = { body: body('storage/StorageAccountRegenerateKey.json') };
  },
  'network/NetworkSecurityGroupGet.json': (w) => {
    replaceResource(w, ids.nsg, body('network/NetworkSecurityGroupGet.json'));
  },
  'network/VirtualNetworkGet.json': (w) => {
    replaceResource(w, ids.vnet, body('network/VirtualNetworkGet.json'));
  },
  'network/SubnetGet.json': (w) => {
    embedded(w, ids.vnet, ids.trainingSubnet, body('network/SubnetGet.json'));
  },
  'network/SubnetGetWithDelegation.json': (w) => {
    embedded(w, ids.vnet, ids.trainingSubnet, body('network/SubnetGetWithDelegation.json'));
  },
  'network/PrivateEndpointGet.json': (w) => {
    replaceResource(w, ids.peRegistry, body('network/PrivateEndpointGet.json'));
  },
  'network/PrivateEndpointGetForManualApproval.json': (w) => {
    replaceResource(w, ids.peRegistry, body('network/PrivateEndpointGetForManualApproval.json'));
  },
  'network/PrivateEndpointDnsZoneGroupGet.json': (w) => {
    replaceResource(w, `${ids.peRegistry}/privateDnsZoneGroups/default`, body('network/PrivateEndpointDnsZoneGroupGet.json'));
  },
  'network/RouteTableGet.json': (w) => {
    w.resources.push({ ...body('network/RouteTableGet.json'), id: ids.routeTable, name: 'rt-mlops-training-weu' });
    const vnet = w.resources.find((r) => r.id === ids.vnet) as Json;
    vnet.properties.subnets[0].properties.routeTable = { id: ids.routeTable };
  },
  'network/AvailablePrivateEndpointTypesGet.json': (w) => {
    responses(w)[`GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/availablePrivateEndpointTypes`] = {
      body: body('network/AvailablePrivateEndpointTypesGet.json'),
    };
  },
  // The managed network's payloads go into the healthy managed world (MANAGED_BASE below).
  'machinelearning/Workspace-get-managedNetwork.json': (w) => {
    replaceResource(w, ids.workspace, body('machinelearning/Workspace-get-managedNetwork.json'));
  },
  'machinelearning/ManagedNetwork-listRule.json': (w) => {
    const rules = Object.fromEntries(
      (body('machinelearning/ManagedNetwork-listRule.json').value as Json[]).map((r) => [r.name, r.properties]),
    );
    (w.resources.find((r) => r.id === ids.workspace) as Json).properties.managedNetwork.outboundRules = rules;
  },
  'machinelearning/Compute-createOrUpdate-BasicAmlCompute-no-subnet.json': (w) => {
    replaceResource(w, `${ids.computes}/cpu-build-cluster`, body('machinelearning/Compute-createOrUpdate-BasicAmlCompute-no-subnet.json'));
  },
  'network/ServiceTagsList.json': (w) => {
    responses(w)[`GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/serviceTags`] = {
      body: body('network/ServiceTagsList.json'),
    };
  },
};
/** Payloads no check reads (say why, so a new file is never silently ignored). */
const NOT_READ: Record<string, string> = {
  'network/NetworkInterfaceEffectiveNSGList.json':
    'effective NSGs of a NIC need a running VM; the NSG check evaluates subnet NSGs without one',
  ...Object.fromEntries(
    [
      'AzureFirewallGet',
      'FirewallPolicyGet',
      'FirewallPolicyRuleCollectionGroupGet',
      'FirewallPolicyRuleCollectionGroupWithIpGroupsGet',
      'FirewallPolicyRuleCollectionGroupWithWebCategoriesGet',
      'IpGroupsGet',
    ].map((f) => [`network/${f}.json`, 'evaluated by the Azure Firewall evaluator (test/network/firewall.test.ts), issue 21']),
  ),
  ...Object.fromEntries(
    ['VirtualHubGet', 'HubVirtualNetworkConnectionGet', 'RoutingIntentGet', 'HubRouteTableGet', 'AzureFirewallPutInHub'].map((f) => [
      `network/${f}.json`,
      'read by the Virtual WAN egress (test/network/virtual-wan.test.ts, mocks/worlds/virtual-wan.ts), issue 21',
    ]),
  ),
  'machinelearning/Workspace-resyncKeys.json': 'an LRO answer with no body; the mock implements resyncKeys itself (tested in keys.test.ts)',
  'machinelearning/Workspace-diagnose.json': 'workspace diagnose is issue 9 (not built yet)',
  'machinelearning/ManagedNetwork-provision.json':
    'the final answer of provisionManagedNetwork; the mock implements the operation itself (tested in managed-network-outbound.test.ts)',
  'machinelearning/ManagedNetwork-get-V2.json':
    'the V2 managedNetworks/default child resource; the tool reads the same settings from the workspace (GA since 2023-10-01) and the rules from …/outboundRules',
};

/** Payloads taken from Azure/azure-rest-api-specs because shared/azure-examples has none of their kind. */
const FROM_SPECS = new Set(['network/AzureFirewallPutInHub.json']);

/** Payloads placed into the healthy managed-network world instead of healthy-private. */
const MANAGED_BASE = new Set([
  'machinelearning/Workspace-get-managedNetwork.json',
  'machinelearning/ManagedNetwork-listRule.json',
  'machinelearning/Compute-createOrUpdate-BasicAmlCompute-no-subnet.json',
]);

const files = ['machinelearning', 'containerregistry', 'storage', 'network'].flatMap((d) =>
  readdirSync(join(dir, d)).map((f) => `${d}/${f}`),
);
let harness: MockHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('Microsoft payloads served in place of world resources', () => {
  it('every payload file is either placed or explained', () => {
    expect(files.filter((f) => !(f in PLACEMENTS) && !(f in NOT_READ))).toEqual([]);
  });

  it('the copies are byte-identical to shared/azure-examples when it is beside the repo', () => {
    const shared = join(packageRoot, '..', 'shared', 'azure-examples');
    if (!existsSync(shared)) return;
    for (const f of files) {
      // Copied from the REST API specs (SOURCES.md says from where), not from shared/.
      if (FROM_SPECS.has(f)) {
        expect(existsSync(join(shared, f)), `${f} is in shared/ now: drop it from FROM_SPECS`).toBe(false);
        continue;
      }
      expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(shared, f), 'utf8'));
    }
  });

  it.each(Object.keys(PLACEMENTS))('%s: every check decides or errors clearly', async (file) => {
    const w = MANAGED_BASE.has(file) ? healthyManaged() : healthyPrivate();
    PLACEMENTS[file]!(w);
    harness = await startHarness(w);
    const report = await runAudit({
      inventory: harness.inventory,
      checks: allChecks,
      workspaceIds: [ids.workspace],
      checkTimeoutInMs: 20_000,
    });
    const results = report.targets[0]!.results;
    if (process.env.SHOW)
      process.stderr.write(
        `\n## ${file}\n${results.map((r) => `  ${r.checkId}: ${r.status}${r.reason ? ` — ${r.reason}` : ''}${r.findings.map((f) => `\n      • ${f.message}`).join('')}`).join('\n')}\n`,
      );
    expect(results).toHaveLength(allChecks.length);
    for (const r of results) {
      expect(['pass', 'fail', 'warn', 'skip', 'error']).toContain(r.status);
      if (r.status === 'error' || r.status === 'skip') {
        expect(r.reason, r.checkId).toBeTruthy();
        expect(r.reason, `${r.checkId} crashed: ${r.reason}`).not.toMatch(/failed unexpectedly/);
        expect(r.reason).not.toContain('\n');
      }
      for (const f of r.findings) {
        expect(typeof f.message).toBe('string');
        expect(f.message).not.toMatch(/undefined|\{\{/);
        expect(f.remediation.length).toBeGreaterThan(10);
      }
    }
  });
});
