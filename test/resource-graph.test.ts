/**
 * `--inventory resource-graph`: verdicts equal direct ARM mode on every world, paging, Resource
 * Graph's quota, the fall-back to ARM when Resource Graph fails, and what the mock's query engine
 * accepts. Everything goes through the real SDK clients over HTTPS to the mock.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../checks/index.js';
import { runAudit, selectChecks } from '../src/engine/run.js';
import { packageRoot } from '../src/base/paths.js';
import { Inventory } from '../src/inventory/index.js';
import { createArmHandler } from '../mocks/handler.js';
import { compileQuery, resourceGraphRows } from '../mocks/services/resource-graph/query.js';
import { ids, SUB } from '../mocks/worlds/generate.js';
import { subscriptionWorld } from '../mocks/worlds/subscription.js';
import {
  armBodyOf,
  armTypeOf,
  inventoryQuery,
  parseTimeSpan,
  ResourceGraphInventory,
  ResourceGraphQuota,
  type ResourceGraphRow,
} from '../src/arm/resource-graph.js';
import { parseWorld, type World, type WorldInput } from '../src/world/schema.js';
import type { AuditReport } from '../src/report/types.js';
import { loadWorldByName, runCli, startHarness } from './helpers.js';

const worldNames = readdirSync(join(packageRoot, 'mocks', 'worlds'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

/** A report without timings: what a user acts on. */
function verdicts(report: AuditReport): unknown {
  return report.targets.map((t) => ({
    workspaceId: t.workspaceId,
    results: t.results.map(({ durationMs: _d, ...rest }) => rest),
  }));
}

function workspaceIds(world: World): string[] {
  return world.resources.filter((r) => r.type?.toLowerCase() === 'microsoft.machinelearningservices/workspaces').map((r) => r.id);
}

const IMAGES = ['mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest', 'crmlopsprodweu.azurecr.io/train/base:1.4'];

describe('verdicts equal direct mode', () => {
  it.each(worldNames)(
    '%s',
    async (name) => {
      const world = loadWorldByName(name);
      const h = await startHarness(world);
      try {
        const targets = workspaceIds(world);
        const run = async (graph: boolean) => {
          const inventory = new Inventory(h.connection);
          if (graph) await inventory.useResourceGraph(targets.map((id) => id.split('/')[2]!));
          const report = await runAudit({
            inventory,
            checks: allChecks,
            workspaceIds: targets,
            checkOptions: { images: IMAGES },
            checkTimeoutInMs: 20_000,
          });
          inventory.dispose();
          return { report, inventory };
        };
        const direct = await run(false);
        const graph = await run(true);
        expect(graph.inventory.mode).toBe('resource-graph');
        expect(graph.report.stats.inventory).toBe('resource-graph');
        expect(graph.inventory.resourceGraphRequestCount).toBeGreaterThanOrEqual(1);
        expect(verdicts(graph.report)).toEqual(verdicts(direct.report));
        // Resource Graph really answered: fewer ARM requests than reading one by one.
        expect(graph.inventory.requestCount).toBeLessThan(direct.inventory.requestCount);
      } finally {
        await h.close();
      }
    },
    60_000,
  );
});

describe('what stays with ARM', () => {
  it('keys, computes, zone groups, service tags and endpoint types; no resource Resource Graph returned', async () => {
    const h = await startHarness('healthy-private');
    await h.inventory.useResourceGraph([SUB]);
    await runAudit({ inventory: h.inventory, checks: selectChecks(allChecks), workspaceIds: [ids.workspace] });
    const armPaths = h.server.handler.log
      .filter((e) => !/resourcegraph/i.test(e.path))
      .map((e) => `${e.method} ${e.path.replace(/^.*\/providers\//, '')}`);
    expect(armPaths.sort()).toEqual(
      [
        'GET Microsoft.MachineLearningServices/workspaces/mlw-mlops-prod-weu/computes',
        // The key vault is read from ARM (this world has none: 404), once for private-dns-zones and identity-access.
        'GET Microsoft.KeyVault/vaults/kv-mlops-prod-weu',
        'GET Microsoft.Network/locations/westeurope/availablePrivateEndpointTypes',
        'GET Microsoft.Network/locations/westeurope/serviceTags',
        'GET Microsoft.Network/privateEndpoints/pe-crmlopsprodweu-registry/privateDnsZoneGroups',
        'GET Microsoft.Network/privateEndpoints/pe-mlw-mlops-prod-weu/privateDnsZoneGroups',
        'GET Microsoft.Network/privateEndpoints/pe-stmlopsprodweu-blob/privateDnsZoneGroups',
        'GET Microsoft.Network/privateEndpoints/pe-stmlopsprodweu-file/privateDnsZoneGroups',
        'POST Microsoft.ContainerRegistry/registries/crmlopsprodweu/listCredentials',
        'POST Microsoft.MachineLearningServices/workspaces/mlw-mlops-prod-weu/listKeys',
        'POST Microsoft.Storage/storageAccounts/stmlopsprodweu/listKeys',
      ].sort(),
    );
    h.inventory.dispose();
    await h.close();
  });

  it('a resource Resource Graph has not indexed yet is read from ARM, with the same verdict', async () => {
    const world = loadWorldByName('healthy-private');
    const vnet = world.resources.find((r) => r.type === 'Microsoft.Network/virtualNetworks')!.id;
    const h = await startHarness({ ...world, resourceGraph: { notIndexed: [vnet] } });
    await h.inventory.useResourceGraph([SUB]);
    const report = await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    expect(report.summary.error).toBe(0);
    expect(report.summary.fail).toBe(0);
    expect(h.server.handler.log.filter((e) => e.method === 'GET' && e.path.toLowerCase() === vnet.toLowerCase())).toHaveLength(1);
    h.inventory.dispose();
    await h.close();
  });
});

describe('several subscriptions', () => {
  it('one query covers every --subscription; verdicts equal direct mode', async () => {
    const other = '0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5';
    const a = loadWorldByName('demo');
    const b = JSON.parse(JSON.stringify(loadWorldByName('healthy-private')).replaceAll(SUB, other)) as World;
    const world: WorldInput = {
      ...a,
      description: 'two subscriptions',
      resources: [...a.resources, ...b.resources],
      responses: { ...a.responses, ...b.responses },
    };
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-graph-'));
    const f = join(dir, 'two-subs.json');
    await writeFile(f, JSON.stringify(world));
    const args = ['audit', '--subscription', SUB, '--subscription', other, '--mock', f, '--format', 'json', '--fail-on', 'never'];
    const direct: AuditReport = JSON.parse((await runCli(args)).stdout);
    const graph: AuditReport = JSON.parse((await runCli([...args, '--inventory', 'resource-graph'])).stdout);
    expect(graph.targets).toHaveLength(2);
    expect(graph.stats).toMatchObject({ inventory: 'resource-graph', resourceGraphRequests: 1 });
    expect(verdicts(graph)).toEqual(verdicts(direct));
  }, 30_000);

  it('more than 1,000 subscriptions go in batches of 1,000, as Resource Graph requires', async () => {
    const h = await startHarness('healthy-private');
    const many = Array.from({ length: 1001 }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
    await h.inventory.useResourceGraph([SUB, ...many]);
    expect(h.inventory.resourceGraphRequestCount).toBe(2);
    // The workspace is found whichever batch its subscription fell in.
    expect((await h.inventory.workspaces(SUB)).map((w) => w.id)).toEqual([ids.workspace]);
    expect(h.server.handler.log.filter((e) => /workspaces$/i.test(e.path))).toHaveLength(0);
    h.inventory.dispose();
    await h.close();
  });
});

describe('a subscription in Resource Graph mode', () => {
  let dir: string;
  let generated: ReturnType<typeof subscriptionWorld>;
  let direct: AuditReport;

  const write = async (name: string, w: WorldInput): Promise<string> => {
    const f = join(dir, name);
    await writeFile(f, JSON.stringify(w));
    return f;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aml-preflight-graph-'));
    generated = subscriptionWorld(24, { groupSize: 3 });
    const r = await runCli([
      'audit',
      '--subscription',
      SUB,
      '--mock',
      await write('plain.json', generated.world),
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    direct = JSON.parse(r.stdout);
  });

  it('pages with skip tokens, keeps within the quota it is told, and decides as direct mode does', async () => {
    // 20 rows a page: the subscription's resources take several pages; 3 queries per second of quota.
    const f = await write('paged.json', { ...generated.world, resourceGraph: { pageSize: 20, quota: { requests: 3, windowSeconds: 1 } } });
    const r = await runCli([
      'audit',
      '--subscription',
      SUB,
      '--mock',
      f,
      '--inventory',
      'resource-graph',
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    expect(r.stderr).toBe('');
    const report: AuditReport = JSON.parse(r.stdout);
    expect(report.stats.inventory).toBe('resource-graph');
    const rows = resourceGraphRows(parseWorld(generated.world).resources as Record<string, unknown>[]).filter((row) =>
      inventoryQuery().includes(`'${String(row.type)}'`),
    ).length;
    expect(rows).toBeGreaterThan(3 * 20);
    expect(report.stats.resourceGraphRequests).toBe(Math.ceil(rows / 20));
    expect(report.targets).toHaveLength(24);
    expect(verdicts(report)).toEqual(verdicts(direct));
    expect(report.stats.armRequests).toBeLessThan(direct.stats.armRequests);
  }, 60_000);

  it("a 429 that carries only Resource Graph's quota headers is waited out and retried, and the quota kept from then on", async () => {
    const world = parseWorld({ ...generated.world, resourceGraph: { pageSize: 150, quota: { requests: 1, windowSeconds: 2 } } });
    const h = await startHarness(world);
    // Another client spends the window's only query just before; this one has not seen any quota
    // header. The window lasts 2 s, far longer than this client takes to send, so its 429 is certain.
    const spent = await h.server.handler.handle(
      {
        method: 'POST',
        url: '/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01',
        headers: { authorization: 'Bearer other', 'content-type': 'application/json' },
        body: JSON.stringify({ subscriptions: [SUB], query: 'Resources | take 1' }),
      },
      'https://127.0.0.1',
    );
    expect(spent.status).toBe(200);
    const { rows } = await h.inventory.useResourceGraph([SUB]);
    // One 429, then no more: from its headers on, the client waits for each window to reset.
    expect(h.server.handler.resourceGraph.throttled, 'the quota really answered 429, once').toBe(1);
    expect(rows, 'two pages, so the second waits for the next window').toBeGreaterThan(150);
    expect(h.inventory.mode).toBe('resource-graph');
    h.inventory.dispose();
    await h.close();
  }, 30_000);

  it.each([
    [
      '403',
      { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no access' } } },
      /403 AuthorizationFailed.*Microsoft\.ResourceGraph\/resources\/read/,
    ],
    ['a connection reset', { reset: true }, /REQUEST_SEND_ERROR|ECONNRESET|socket/i],
    ['truncated JSON', { truncate: true }, /PARSE_ERROR|JSON/],
    ['an HTML error page', { status: 200, rawBody: '<html>gateway</html>' }, /PARSE_ERROR|JSON/],
  ])(
    'Resource Graph failing with %s: one line, then every resource from ARM, same verdicts',
    async (_name, fault, reason) => {
      const f = await write(`fault-${_name.replace(/\W+/g, '-')}.json`, {
        ...generated.world,
        faults: [{ match: '^POST /providers/Microsoft\\.ResourceGraph/resources$', ...fault }],
      });
      const r = await runCli([
        'audit',
        '--subscription',
        SUB,
        '--mock',
        f,
        '--inventory',
        'resource-graph',
        '--format',
        'json',
        '--fail-on',
        'never',
      ]);
      expect(r.code).toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^aml-preflight: Resource Graph inventory unavailable, reading every resource from ARM instead: /);
      expect(lines[0]).toMatch(reason);
      const report: AuditReport = JSON.parse(r.stdout);
      expect(report.stats.inventory).toBe('arm');
      expect(report.stats.inventoryFallback).toMatch(reason);
      expect(verdicts(report)).toEqual(verdicts(direct));
    },
    60_000,
  );

  it('a later page failing discards the earlier ones: a partial inventory would drop workspaces', async () => {
    const world = parseWorld(generated.world);
    const firstWorkspace = resourceGraphRows(world.resources as Record<string, unknown>[]).find(
      (row) => row.type === 'microsoft.machinelearningservices/workspaces',
    )!;
    const page1 = JSON.stringify({ totalRecords: 500, count: 1, resultTruncated: 'false', $skipToken: 'bmV4dA', data: [firstWorkspace] });
    const f = await write('page2-fails.json', {
      ...generated.world,
      faults: [
        { match: '^POST /providers/Microsoft\\.ResourceGraph/resources$', status: 200, rawBody: page1, times: 1 },
        { match: '^POST /providers/Microsoft\\.ResourceGraph/resources$', status: 500 },
      ],
    });
    const r = await runCli([
      'audit',
      '--subscription',
      SUB,
      '--mock',
      f,
      '--inventory',
      'resource-graph',
      '--format',
      'json',
      '--fail-on',
      'never',
    ]);
    const report: AuditReport = JSON.parse(r.stdout);
    expect(report.stats.inventory).toBe('arm');
    expect(report.stats.inventoryFallback).toMatch(/500/);
    expect(report.targets).toHaveLength(24);
    expect(verdicts(report)).toEqual(verdicts(direct));
  }, 60_000);

  it('--resource-group lists only that group, from the same query', async () => {
    const rg = ids.workspace.split('/')[4]!;
    const f = await write('rg.json', generated.world);
    const [graph, arm] = await Promise.all([
      runCli([
        'audit',
        '--subscription',
        SUB,
        '--resource-group',
        rg,
        '--mock',
        f,
        '--inventory',
        'resource-graph',
        '--format',
        'json',
        '--fail-on',
        'never',
      ]),
      runCli(['audit', '--subscription', SUB, '--resource-group', rg, '--mock', f, '--format', 'json', '--fail-on', 'never']),
    ]);
    const g: AuditReport = JSON.parse(graph.stdout);
    expect(g.targets.length).toBeGreaterThan(0);
    expect(g.stats.resourceGraphRequests).toBe(1);
    expect(verdicts(g)).toEqual(verdicts(JSON.parse(arm.stdout)));
  }, 60_000);

  it('merge keeps the inventory figures of sharded runs', async () => {
    const f = await write('merge.json', generated.world);
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await runCli([
      'audit',
      '--subscription',
      SUB,
      '--mock',
      f,
      '--inventory',
      'resource-graph',
      '--format',
      'json',
      '--fail-on',
      'never',
      '-o',
      a,
    ]);
    await runCli(['audit', '--subscription', SUB, '--mock', f, '--format', 'json', '--fail-on', 'never', '-o', b]);
    const onlyGraph: AuditReport = JSON.parse((await runCli(['merge', a, a, '--format', 'json'])).stdout);
    expect(onlyGraph.stats).toMatchObject({ inventory: 'resource-graph', resourceGraphRequests: 2 });
    const mixed: AuditReport = JSON.parse((await runCli(['merge', a, b, '--format', 'json'])).stdout);
    expect(mixed.stats).toMatchObject({ inventory: 'resource-graph', resourceGraphRequests: 1 });
  }, 60_000);
});

describe('the CLI', () => {
  it('--inventory takes arm or resource-graph; anything else is exit 2 on one line', async () => {
    const r = await runCli(['audit', '--mock', join(packageRoot, 'mocks', 'worlds', 'healthy-private.json'), '--inventory', 'graph']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--inventory.*arm, resource-graph/);
  });

  it("--workspace scopes the query to the workspace's subscription", async () => {
    const r = await runCli([
      'audit',
      '--workspace',
      ids.workspace,
      '--mock',
      join(packageRoot, 'mocks', 'worlds', 'demo.json'),
      '--inventory',
      'resource-graph',
      '--format',
      'json',
    ]);
    const report: AuditReport = JSON.parse(r.stdout);
    expect(report.stats).toMatchObject({ inventory: 'resource-graph', resourceGraphRequests: 1 });
    expect(report.targets.map((t) => t.workspaceId)).toEqual([ids.workspace]);
    expect(report.summary.fail).toBeGreaterThan(0);
  });

  it('a direct-mode report keeps its shape: no inventory fields', async () => {
    const r = await runCli(['audit', '--mock', join(packageRoot, 'mocks', 'worlds', 'healthy-private.json'), '--format', 'json']);
    expect(Object.keys(JSON.parse(r.stdout).stats).sort()).toEqual(['armRequests', 'durationMs']);
  });

  it('the table says where resources came from', async () => {
    const r = await runCli([
      'audit',
      '--mock',
      join(packageRoot, 'mocks', 'worlds', 'healthy-private.json'),
      '--inventory',
      'resource-graph',
      '--format',
      'table',
    ]);
    expect(r.stdout).toMatch(/1 Resource Graph query/);
  });
});

describe('ResourceGraphInventory answers only what it can answer exactly', () => {
  const sub = '11111111-1111-1111-1111-111111111111';
  const rg = `/subscriptions/${sub}/resourceGroups/rg-a`;
  const vnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-a`;
  const zoneId = `${rg}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
  const rows: ResourceGraphRow[] = [
    {
      id: vnetId,
      name: 'vnet-a',
      type: 'microsoft.network/virtualnetworks',
      location: 'westeurope',
      resourceGroup: 'rg-a',
      subscriptionId: sub,
      tenantId: 't',
      sku: null,
      properties: { subnets: [{ id: `${vnetId}/subnets/training`, name: 'training', properties: { addressPrefix: '10.0.0.0/24' } }] },
    },
    { id: zoneId, name: 'privatelink.azurecr.io', type: 'microsoft.network/privatednszones', location: 'global', properties: {} },
    {
      id: `${zoneId}/virtualNetworkLinks/link-a`,
      name: 'link-a',
      type: 'microsoft.network/privatednszones/virtualnetworklinks',
      location: 'global',
      properties: {},
    },
  ];
  const inv = new ResourceGraphInventory(rows, [sub]);
  const get = (path: string) => inv.answer('GET', `https://management.azure.com${path}?api-version=2024-05-01`);

  it('a resource by id, in any case, as ARM would answer it', () => {
    const a = get(vnetId.toUpperCase());
    expect(a?.status).toBe(200);
    const body = a!.body as Record<string, unknown>;
    expect(body.type).toBe('Microsoft.Network/virtualNetworks');
    expect(body).not.toHaveProperty('tenantId');
    expect(body).not.toHaveProperty('sku');
  });

  it('collections of queried types: subscription, resource group, and under a returned parent', () => {
    expect((get(`/subscriptions/${sub}/providers/Microsoft.Network/virtualNetworks`)?.body as { value: unknown[] }).value).toHaveLength(1);
    expect((get(`${rg}/providers/Microsoft.Network/virtualNetworks`)?.body as { value: unknown[] }).value).toHaveLength(1);
    expect(
      (get(`/subscriptions/${sub}/resourceGroups/rg-b/providers/Microsoft.Network/virtualNetworks`)?.body as { value: unknown[] }).value,
    ).toHaveLength(0);
    expect((get(`${zoneId}/virtualNetworkLinks`)?.body as { value: unknown[] }).value).toHaveLength(1);
  });

  it('leaves to ARM: other subscriptions, types it did not query, parents it did not see, missing ids, children, writes', () => {
    expect(get('/subscriptions/22222222-2222-2222-2222-222222222222/providers/Microsoft.Network/virtualNetworks')).toBeUndefined();
    expect(get(`${rg}/providers/Microsoft.MachineLearningServices/workspaces/ws/computes`)).toBeUndefined();
    expect(get(`${rg}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net/virtualNetworkLinks`)).toBeUndefined();
    expect(get(`${rg}/providers/Microsoft.Network/virtualNetworks/vnet-gone`)).toBeUndefined();
    // The inventory reads subnets from their VNet; one asked for by id is one the VNet lacked.
    expect(get(`${vnetId}/subnets/training`)).toBeUndefined();
    expect(get(`/subscriptions/${sub}/providers/Microsoft.Network/locations/westeurope/serviceTags`)).toBeUndefined();
    expect(inv.answer('POST', `https://management.azure.com${vnetId}/listKeys?api-version=1`)).toBeUndefined();
    expect(
      inv.answer('GET', `https://management.azure.com${rg}/providers/Microsoft.Network/virtualNetworks/%E0%A4%A?api-version=1`),
    ).toBeUndefined();
    expect(inv.answer('GET', 'not a url')).toBeUndefined();
  });

  it('armTypeOf and armBodyOf', () => {
    expect(armTypeOf(`${vnetId}/subnets/x`)).toBe('Microsoft.Network/virtualNetworks/subnets');
    expect(armTypeOf('/subscriptions/x')).toBeUndefined();
    expect(armBodyOf({ id: `${rg}/providers/A.B/c/d`, kind: '', managedBy: '', zones: null, tags: { a: '1' } })).toEqual({
      id: `${rg}/providers/A.B/c/d`,
      name: 'd',
      type: 'A.B/c',
      tags: { a: '1' },
    });
  });
});

describe('ResourceGraphQuota', () => {
  it('sends freely while the quota lasts, then waits for the window to reset', () => {
    const q = new ResourceGraphQuota();
    expect(q.beforeSend(0)).toBe(0);
    q.observe(200, '1', '00:00:04', 0);
    expect(q.beforeSend(100)).toBe(0);
    expect(q.beforeSend(200)).toBe(3800);
    q.observe(200, '14', '00:00:05', 4000);
    expect(q.beforeSend(4000)).toBe(0);
  });

  it('gives a 429 without Retry-After the wait its quota headers say', () => {
    const q = new ResourceGraphQuota();
    expect(q.observe(429, '0', '00:00:03', 0)).toBe('3');
    expect(q.beforeSend(1000)).toBe(2000);
    expect(q.observe(429, undefined, undefined, 5000)).toBe('1');
    expect(q.observe(200, '3', '00:00:01', 7000)).toBeUndefined();
  });

  it('parses time spans', () => {
    expect(parseTimeSpan('00:00:04')).toBe(4000);
    expect(parseTimeSpan('01:02:03.5')).toBe(3_723_500);
    expect(parseTimeSpan('1.00:00:00')).toBe(86_400_000);
    expect(parseTimeSpan('4 seconds')).toBeUndefined();
    expect(parseTimeSpan(undefined)).toBeUndefined();
  });
});

describe("the mock's Resource Graph", () => {
  const world = loadWorldByName('healthy-private');
  const post = async (body: unknown, w: World = world) => {
    const handler = createArmHandler(w);
    const res = await handler.handle(
      {
        method: 'POST',
        url: '/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01',
        headers: { authorization: 'Bearer t' },
        body: JSON.stringify(body),
      },
      'https://mock',
    );
    return { status: res.status, headers: res.headers, body: JSON.parse(res.body ?? 'null') };
  };

  it("answers the tool's query with Resource Graph rows", async () => {
    const r = await post({ subscriptions: [SUB], query: inventoryQuery(), options: { resultFormat: 'objectArray' } });
    expect(r.status).toBe(200);
    expect(r.headers['x-ms-user-quota-remaining']).toBe('14');
    expect(r.headers['x-ms-user-quota-resets-after']).toMatch(/^00:00:0[0-5]$/);
    const types = new Set(r.body.data.map((row: { type: string }) => row.type));
    expect(types).not.toContain('microsoft.machinelearningservices/workspaces/computes');
    expect(types).toContain('microsoft.network/privatednszones/virtualnetworklinks');
    for (const row of r.body.data) {
      expect(row.type).toBe(row.type.toLowerCase());
      expect(row.subscriptionId).toBe(SUB);
    }
    expect(r.body.data.map((row: { id: string }) => row.id)).toEqual(
      [...r.body.data.map((row: { id: string }) => row.id)].sort((a: string, b: string) => a.localeCompare(b)),
    );
  });

  it('scopes to the subscriptions asked for', async () => {
    const r = await post({ subscriptions: ['00000000-0000-0000-0000-000000000000'], query: 'Resources' });
    expect(r.body.totalRecords).toBe(0);
  });

  it('filters with where, =~ and ==, and honours limit', async () => {
    const rg = ids.workspace.split('/')[4]!;
    const eq = await post({
      query: `Resources | where resourceGroup =~ '${rg.toUpperCase()}' and type == 'microsoft.network/virtualnetworks'`,
    });
    expect(eq.body.data.map((row: { name: string }) => row.name)).toEqual(['vnet-mlops-prod-weu']);
    const strict = await post({ query: `Resources | where type == 'Microsoft.Network/virtualNetworks'` });
    expect(strict.body.count).toBe(0);
    expect((await post({ query: 'Resources | take 2' })).body.count).toBe(2);
  });

  it.each([
    ['Resources | project id'],
    ['ResourceContainers'],
    ["Resources | where type contains 'x'"],
    ["Resources | where color == 'red'"],
    ["Resources | where type in~ ('unterminated)"],
  ])('says 400 InvalidQuery to %s', async (query) => {
    const r = await post({ query });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].code).toBe('InvalidQuery');
  });

  it('rejects a skip token from another query', async () => {
    const first = await post({ query: 'Resources | order by id asc', options: { $top: 2 } });
    expect(first.body.$skipToken).toBeTruthy();
    const other = await post({ query: 'Resources', options: { $skipToken: first.body.$skipToken } });
    expect(other.status).toBe(400);
  });

  it('answers 429 with only its quota headers once the window is spent', async () => {
    const handler = createArmHandler(parseWorld({ ...world, resourceGraph: { quota: { requests: 1, windowSeconds: 60 } } }));
    const send = () =>
      handler.handle(
        {
          method: 'POST',
          url: '/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01',
          headers: { authorization: 'Bearer t' },
          body: '{"query":"Resources"}',
        },
        'https://mock',
      );
    expect((await send()).status).toBe(200);
    const throttled = await send();
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBeUndefined();
    expect(throttled.headers['x-ms-user-quota-remaining']).toBe('0');
    expect(throttled.headers['x-ms-user-quota-resets-after']).toMatch(/^00:0[01]:\d\d$/);
    expect(handler.resourceGraph).toEqual({ requests: 2, throttled: 1 });
  });

  it('compiles the query language subset, and nothing more', () => {
    expect(compileQuery(inventoryQuery())).toHaveLength(2);
    expect(() => compileQuery('Resources | where type in~ ()')).toThrow(/quoted string/);
  });
});
