import { describe, expect, it } from 'vitest';
import { createArmHandler, type MockRequest } from '../../mocks/handler.js';
import { parseWorld } from '../../src/world/schema.js';
import { healthyPrivate, ids, secrets } from '../../mocks/worlds/generate.js';

const ORIGIN = 'https://127.0.0.1:9';
const auth = { authorization: 'Bearer t' };

function req(method: string, path: string, query = 'api-version=2024-10-01', headers: Record<string, string> = auth): MockRequest {
  return { method, url: `${path}?${query}`, headers };
}

function body(answer: { body?: string }): any {
  return JSON.parse(answer.body ?? 'null');
}

describe('mock ARM handler', () => {
  const world = parseWorld(healthyPrivate());

  it('requires a bearer token and api-version, with ARM error envelopes', async () => {
    const h = createArmHandler(world);
    const noAuth = await h.handle(req('GET', ids.vnet, 'api-version=1', {}), ORIGIN);
    expect(noAuth.status).toBe(401);
    expect(body(noAuth).error.code).toBe('AuthenticationFailed');
    const noVersion = await h.handle(req('GET', ids.vnet, ''), ORIGIN);
    expect(noVersion.status).toBe(400);
    expect(body(noVersion).error.code).toBe('MissingApiVersionParameter');
  });

  it('serves resources case-insensitively and children at their own ids', async () => {
    const h = createArmHandler(world);
    const vnet = await h.handle(req('GET', ids.vnet.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')), ORIGIN);
    expect(vnet.status).toBe(200);
    expect(body(vnet).name).toBe('vnet-mlops-prod-weu');
    const subnet = await h.handle(req('GET', ids.trainingSubnet.replace('virtualNetworks', 'VIRTUALNETWORKS')), ORIGIN);
    expect(body(subnet).properties.addressPrefix).toBe('10.20.1.0/24');
    const rule = await h.handle(req('GET', `${ids.nsg}/securityRules/AllowMcrOutbound`), ORIGIN);
    expect(body(rule).properties.priority).toBe(100);
    const defaultRule = await h.handle(req('GET', `${ids.nsg}/defaultSecurityRules/DenyAllOutBound`), ORIGIN);
    expect(body(defaultRule).properties.priority).toBe(65500);
  });

  it('answers 404 with the envelope for unknown ids, and ParentResourceNotFound for a list under a missing parent', async () => {
    const h = createArmHandler(world);
    const missing = await h.handle(req('GET', `${ids.vnet}-gone`), ORIGIN);
    expect(missing.status).toBe(404);
    expect(body(missing).error).toMatchObject({
      code: 'ResourceNotFound',
      message: expect.stringContaining("'Microsoft.Network/virtualNetworks/vnet-mlops-prod-weu-gone'"),
    });
    const orphan = await h.handle(req('GET', `${ids.workspace}-gone/computes`), ORIGIN);
    expect(orphan.status).toBe(404);
    expect(body(orphan).error.code).toBe('ParentResourceNotFound');
  });

  it('pages lists with nextLink until every item was served', async () => {
    const h = createArmHandler(world, { pageSize: 2 });
    const names: string[] = [];
    let url: string | undefined = `${ids.computes}?api-version=2024-10-01`;
    let pages = 0;
    while (url) {
      const answer = await h.handle({ method: 'GET', url, headers: auth }, ORIGIN);
      const page = body(answer);
      names.push(...page.value.map((c: { name: string }) => c.name));
      url = page.nextLink ? new URL(page.nextLink).pathname + new URL(page.nextLink).search : undefined;
      pages++;
    }
    expect(pages).toBe(2);
    expect(names.sort()).toEqual(['ci-analyst-ds', 'cpu-build-cluster', 'gpu-train-cluster']);
  });

  it('lists workspaces of a subscription and of a resource group', async () => {
    const h = createArmHandler(world);
    const sub = await h.handle(
      req('GET', `/subscriptions/${ids.workspace.split('/')[2]}/providers/Microsoft.MachineLearningServices/workspaces`),
      ORIGIN,
    );
    expect(body(sub).value.map((w: { id: string }) => w.id)).toEqual([ids.workspace]);
    const rg = await h.handle(req('GET', ids.workspace.replace(/\/mlw-mlops-prod-weu$/, '')), ORIGIN);
    expect(body(rg).value).toHaveLength(1);
  });

  it('answers actions from the responses map, case-insensitively', async () => {
    const h = createArmHandler(world);
    const keys = await h.handle(req('POST', `${ids.storage}/LISTKEYS`), ORIGIN);
    expect(body(keys).keys[0].keyName).toBe('key1');
  });

  it('applies faults in order, each for its number of times, then lets requests through', async () => {
    const w = parseWorld({
      ...healthyPrivate(),
      faults: [{ match: 'GET .*/virtualNetworks/.*', status: 429, headers: { 'Retry-After': '1' }, times: 2 }],
    });
    const h = createArmHandler(w);
    const first = await h.handle(req('GET', ids.vnet), ORIGIN);
    const second = await h.handle(req('GET', ids.vnet), ORIGIN);
    const third = await h.handle(req('GET', ids.vnet), ORIGIN);
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers['retry-after']).toBe('1');
    expect(body(first).error.code).toBe('TooManyRequests');
  });

  it("keeps ARM's token bucket per subscription: remaining count, 429 with Retry-After when spent, initialTokens to start drained", async () => {
    const full = createArmHandler(parseWorld({ ...healthyPrivate(), throttling: { reads: { capacity: 2, refillPerSecond: 0.001 } } }));
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await full.handle(req('GET', ids.vnet), ORIGIN));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers.map((a) => a.headers['x-ms-ratelimit-remaining-subscription-reads'])).toEqual(['1', '0', '0']);
    expect(Number(answers[2]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(full.throttled).toBe(1);
    const drained = createArmHandler(
      parseWorld({ ...healthyPrivate(), throttling: { reads: { capacity: 2, refillPerSecond: 0.001, initialTokens: 0 } } }),
    );
    expect((await drained.handle(req('GET', ids.vnet), ORIGIN)).status).toBe(429);
    // Writes have their own bucket: a drained reads bucket does not throttle them.
    expect((await drained.handle(req('POST', `${ids.workspace}/listKeys`), ORIGIN)).status).toBe(200);
    expect(() => parseWorld({ ...healthyPrivate(), throttling: { reads: { capacity: 2, refillPerSecond: 1, initialTokens: 3 } } })).toThrow(
      /initialTokens/,
    );
  });

  it('delays with latency faults, resets and truncates on request', async () => {
    const w = parseWorld({
      ...healthyPrivate(),
      faults: [
        { match: '.*', latencyMs: 40 },
        { match: 'GET .*/networkSecurityGroups/.*', reset: true, times: 1 },
        { match: 'GET .*/privateEndpoints/.*', truncate: true },
      ],
    });
    const h = createArmHandler(w);
    const t0 = performance.now();
    await h.handle(req('GET', ids.vnet), ORIGIN);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    expect((await h.handle(req('GET', ids.nsg), ORIGIN)).reset).toBe(true);
    expect((await h.handle(req('GET', ids.nsg), ORIGIN)).status).toBe(200);
    const truncated = await h.handle(req('GET', ids.peBlob), ORIGIN);
    expect(() => JSON.parse(truncated.body!)).toThrow();
  });

  it('runs resyncKeys as a long-running operation that brings listKeys up to date', async () => {
    const w = healthyPrivate();
    const rotated = 'R'.repeat(88);
    (w.responses![`POST ${ids.storage}/listKeys`]!.body as any).keys[0].value = rotated;
    const h = createArmHandler(parseWorld(w), { resyncPolls: 2 });
    const before = body(await h.handle(req('POST', `${ids.workspace}/listKeys`), ORIGIN));
    expect(before.userStorageKey).toBe(secrets.storageKey1);

    const started = await h.handle(req('POST', `${ids.workspace}/resyncKeys`), ORIGIN);
    expect(started.status).toBe(202);
    expect(h.resyncCalls).toBe(1);
    const location = new URL(started.headers.location!);
    const poll = () => h.handle({ method: 'GET', url: location.pathname + location.search, headers: auth }, ORIGIN);
    expect((await poll()).status).toBe(202);
    expect(body(await h.handle(req('POST', `${ids.workspace}/listKeys`), ORIGIN)).userStorageKey).toBe(secrets.storageKey1);
    expect((await poll()).status).toBe(202);
    expect((await poll()).status).toBe(200);
    const after = body(await h.handle(req('POST', `${ids.workspace}/listKeys`), ORIGIN));
    expect(after.userStorageKey).toBe(rotated);
  });

  it('never changes the world it was given', async () => {
    const w = parseWorld(healthyPrivate());
    const copy = structuredClone(w);
    const h = createArmHandler(w);
    const started = await h.handle(req('POST', `${ids.workspace}/resyncKeys`), ORIGIN);
    const location = new URL(started.headers.location!);
    for (let i = 0; i < 3; i++) await h.handle({ method: 'GET', url: location.pathname + location.search, headers: auth }, ORIGIN);
    expect(w).toEqual(copy);
  });
});
