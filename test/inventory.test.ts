import { afterEach, describe, expect, it } from 'vitest';
import { healthyPrivate, ids, secrets } from '../mocks/worlds/generate.js';
import { ArmRequestError } from '../src/arm/errors.js';
import { Inventory } from '../src/inventory/index.js';
import { startHarness, type MockHarness } from './helpers.js';

let harness: MockHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const count = (h: MockHarness, re: RegExp) => h.server.handler.log.filter((e) => re.test(`${e.method} ${e.path}`)).length;

describe('inventory over HTTPS through the SDK clients', () => {
  it('reads each resource once, even when asked concurrently (single flight)', async () => {
    harness = await startHarness('healthy-private');
    const inv = harness.inventory;
    const results = await Promise.all(Array.from({ length: 10 }, () => inv.workspace(ids.workspace.toLowerCase())));
    expect(new Set(results.map((w) => w.name))).toEqual(new Set(['mlw-mlops-prod-weu']));
    await inv.workspace(ids.workspace);
    expect(count(harness, /GET .*\/workspaces\/mlw-mlops-prod-weu$/i)).toBe(1);
    expect(inv.requestCount).toBe(1);
  });

  it('follows nextLink through every page', async () => {
    harness = await startHarness('healthy-private', { pageSize: 1 });
    const computes = await harness.inventory.computes(ids.workspace);
    expect(computes.map((c) => c.name).sort()).toEqual(['ci-analyst-ds', 'cpu-build-cluster', 'gpu-train-cluster']);
    expect(count(harness, /GET .*\/computes$/)).toBe(3);
    const cluster = computes.find((c) => c.name === 'cpu-build-cluster')!;
    expect(cluster).toMatchObject({
      computeType: 'AmlCompute',
      provisioningState: 'Succeeded',
      vmSize: 'Standard_DS3_v2',
      subnetId: ids.trainingSubnet,
    });
  });

  it('reads a subnet from its VNet without a request of its own', async () => {
    harness = await startHarness('healthy-private');
    const s = await harness.inventory.subnet(ids.trainingSubnet.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'));
    expect(s.addressPrefix).toBe('10.20.1.0/24');
    expect(s.networkSecurityGroup?.id).toBe(ids.nsg);
    expect(harness.server.handler.log).toHaveLength(1);
  });

  it('retries 429 after Retry-After and answers as if nothing happened', async () => {
    harness = await startHarness({
      ...healthyPrivate(),
      faults: [{ match: 'GET .*/networkSecurityGroups/.*', status: 429, headers: { 'Retry-After': '1' }, times: 1 }],
    });
    const t0 = performance.now();
    const nsg = await harness.inventory.networkSecurityGroup(ids.nsg);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
    // healthy-private's NSG: the compute subnet's allows Microsoft lists, then the Internet deny.
    expect(nsg.securityRules).toHaveLength(13);
    expect(harness.server.handler.log.map((e) => e.status)).toEqual([429, 200]);
    expect(harness.inventory.requestCount).toBe(2);
  });

  it('retries 503 and connection resets within the budget', async () => {
    harness = await startHarness({
      ...healthyPrivate(),
      faults: [
        { match: 'GET .*/registries/.*', status: 503, times: 2 },
        { match: 'GET .*/storageAccounts/.*', reset: true, times: 1 },
      ],
    });
    expect((await harness.inventory.registry(ids.registry)).sku.name).toBe('Premium');
    expect((await harness.inventory.storageAccount(ids.storage)).kind).toBe('StorageV2');
  });

  it('turns a 403 into an error naming the resource, the status and the missing RBAC action', async () => {
    harness = await startHarness({
      ...healthyPrivate(),
      faults: [
        { match: 'POST .*/storageAccounts/.*/listKeys', status: 403 },
        { match: 'GET .*/routeTables/.*', status: 403 },
      ],
    });
    const keys = harness.inventory.storageKeys(ids.storage);
    await expect(keys).rejects.toBeInstanceOf(ArmRequestError);
    await expect(keys).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
      requiredAction: 'Microsoft.Storage/storageAccounts/listKeys/action',
      resourceId: ids.storage,
    });
    await expect(keys).rejects.toThrow(/grant Microsoft\.Storage\/storageAccounts\/listKeys\/action/);
    const rt = ids.routeTable;
    await expect(harness.inventory.routeTable(rt)).rejects.toMatchObject({ requiredAction: 'Microsoft.Network/routeTables/read' });
  });

  it('caches a failure: a second reader gets the same answer without another request', async () => {
    harness = await startHarness('healthy-private');
    const missing = `${ids.vnet}-deleted`;
    await expect(harness.inventory.virtualNetwork(missing)).rejects.toMatchObject({ statusCode: 404 });
    await expect(harness.inventory.virtualNetwork(missing)).rejects.toMatchObject({ statusCode: 404 });
    expect(count(harness, /vnet-mlops-prod-weu-deleted/)).toBe(1);
  });

  it('hands out digests of keys, never the keys', async () => {
    harness = await startHarness('healthy-private');
    const ws = await harness.inventory.workspaceKeys(ids.workspace);
    const st = await harness.inventory.storageKeys(ids.storage);
    const cr = await harness.inventory.registryCredentials(ids.registry);
    const all = JSON.stringify([ws, st, cr]);
    for (const s of Object.values(secrets)) expect(all).not.toContain(s);
    expect(ws.storageKey).toBe(st.keys[0]!.digest);
    expect(ws.storageKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ws.storageAccountId).toBe(ids.storage);
    expect(ws.registry!.passwords.map((p) => p.digest)).toEqual(cr.passwords.map((p) => p.digest));
  });

  it('runs resyncKeys through the SDK poller and reads fresh keys afterwards', async () => {
    const w = healthyPrivate();
    (w.responses![`POST ${ids.storage}/listKeys`]!.body as any).keys[0].value = 'N'.repeat(88);
    harness = await startHarness(w, { resyncPolls: 2 });
    const before = await harness.inventory.workspaceKeys(ids.workspace);
    await harness.inventory.resyncKeys(ids.workspace, { pollIntervalInMs: 10 });
    const after = await harness.inventory.workspaceKeys(ids.workspace);
    const storage = await harness.inventory.storageKeys(ids.storage);
    expect(before.storageKey).not.toBe(storage.keys[0]!.digest);
    expect(after.storageKey).toBe(storage.keys[0]!.digest);
    expect(harness.server.handler.resyncCalls).toBe(1);
    expect(count(harness, /workspaceOperationsStatus/i)).toBe(3);
  });

  it('stops its requests when aborted', async () => {
    // The answer never comes within the test: only the abort can end the read.
    harness = await startHarness({ ...healthyPrivate(), faults: [{ match: '.*', latencyMs: 600_000 }] });
    const controller = new AbortController();
    const inv = new Inventory(harness.connection, { abortSignal: controller.signal });
    const read = inv.workspace(ids.workspace);
    // Aborted on the event: once the request is in flight at the mock (logged on arrival), not after a delay.
    const log = harness.server.handler.log;
    while (!log.some((e) => e.method === 'GET' && e.path.toLowerCase() === ids.workspace.toLowerCase())) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    controller.abort();
    await expect(read).rejects.toMatchObject({ code: 'AbortError' });
    expect(log.find((e) => e.path.toLowerCase() === ids.workspace.toLowerCase())!.status).toBe(0);
  });
});

describe('inventory lifetime', () => {
  it('a caller that stops waiting does not fail the shared read for others, and dispose() stops what is left', async () => {
    harness = await startHarness({ ...healthyPrivate(), faults: [{ match: 'GET .*/virtualNetworks/.*', latencyMs: 400 }] });
    const inv = harness.inventory;
    const impatient = new AbortController();
    const first = inv.virtualNetwork(ids.vnet, { abortSignal: impatient.signal });
    const second = inv.virtualNetwork(ids.vnet);
    impatient.abort();
    await expect(first).rejects.toMatchObject({ code: 'AbortError' });
    expect((await second).name).toBe('vnet-mlops-prod-weu');
    const slow = inv.networkSecurityGroup(ids.nsg.replace('training', 'gone'));
    inv.dispose();
    await expect(slow).rejects.toMatchObject({ code: 'AbortError' });
  });
});

describe('forgetKeys', () => {
  it('forgets the key answers after a resync, and nothing else (the diagnosis stays cached)', async () => {
    harness = await startHarness('keys-storage-rotated');
    await harness.inventory.diagnose(ids.workspace, { pollIntervalInMs: 10 });
    await harness.inventory.workspaceKeys(ids.workspace);
    await harness.inventory.resyncKeys(ids.workspace, { pollIntervalInMs: 10 });
    await harness.inventory.workspaceKeys(ids.workspace);
    await harness.inventory.diagnose(ids.workspace, { pollIntervalInMs: 10 });
    const posts = (re: RegExp) => harness!.server.handler.log.filter((e) => e.method === 'POST' && re.test(e.path)).length;
    expect(posts(/workspaces\/mlw-mlops-prod-weu\/listKeys$/)).toBe(2);
    expect(posts(/\/diagnose$/)).toBe(1);
  });
});
