/**
 * The mock's core as a new service sees it (CONTRIBUTING.md, "Add a service to the mock"): a toy
 * service registers child resources, a gated route, a long-running operation and a route after the
 * world's canned answers, and the core runs them behind ARM's rules.
 */
import { describe, expect, it } from 'vitest';
import { createApp, json, type MockRequest, type MockResponse, type MockService } from '../../mocks/core/index.js';
import { parseWorld } from '../../src/world/schema.js';

const ORIGIN = 'https://127.0.0.1:9';
const SUB = '5f3c1a2e-8d4b-4c6a-9e7f-1b2c3d4e5f60';
const VAULT = `/subscriptions/${SUB}/resourceGroups/rg-secrets-weu/providers/Microsoft.KeyVault/vaults/kv-secrets-weu`;

function req(
  method: string,
  path: string,
  apiVersion = '2024-11-01',
  headers: Record<string, string> = { authorization: 'Bearer t' },
): MockRequest {
  return { method, url: `${path}?api-version=${apiVersion}`, headers };
}

function body(answer: MockResponse): { [k: string]: unknown; error?: { code: string; message: string } } {
  return JSON.parse(answer.body ?? 'null') as { error?: { code: string; message: string } };
}

/** Key Vault, as a service of the mock might serve it: secrets from the vault's `secretNames`, a purge, a legacy fallback. */
const vaults: MockService<{ readonly purges: number }> = {
  name: 'key-vault',
  childResources: {
    'microsoft.keyvault/vaults': (vault, id) =>
      ((vault.properties as { secretNames?: string[] }).secretNames ?? []).map((name) => ({
        id: `${id}/secrets/${name}`,
        name,
        type: 'Microsoft.KeyVault/vaults/secrets',
        properties: {},
      })),
  },
  register(app) {
    let purges = 0;
    app.operations.statusSegment('vaultOperations');
    app.route({
      method: 'POST',
      path: /\/providers\/microsoft\.keyvault\/vaults\/[^/]+\/purge$/i,
      since: { apiVersion: '2023-07-01', feature: 'Purging' },
      handle: (r) => {
        const vault = app.resources.get(r.key.replace(/\/purge$/, ''));
        if (!vault) return undefined;
        return app.operations.start({
          location: (opId) => `${r.origin}/subscriptions/${SUB}/providers/Microsoft.KeyVault/vaultOperations/${opId}`,
          retryAfter: '0',
          complete: () => {
            purges++;
            (vault.properties as Record<string, unknown>).purged = true;
            return { status: 'Succeeded' };
          },
        });
      },
    });
    app.route({
      method: 'GET',
      path: /^\/subscriptions\/[^/]+\/providers\/microsoft\.keyvault\/deletedvaults$/i,
      afterCanned: true,
      handle: () => json(200, { value: [], from: 'service' }),
    });
    return {
      get purges() {
        return purges;
      },
    };
  },
};

function world(responses: Record<string, unknown> = {}) {
  return parseWorld({
    schemaVersion: 1,
    description: 'one key vault with two secrets',
    resources: [
      {
        id: VAULT,
        name: 'kv-secrets-weu',
        type: 'Microsoft.KeyVault/vaults',
        location: 'westeurope',
        properties: { secretNames: ['storage-key', 'registry-password'] },
      },
    ],
    responses,
  });
}

function started(w = world()) {
  const app = createApp(w, { resyncPolls: 1 });
  const state = app.use(vaults);
  app.start();
  return { app, state };
}

describe('the mock core and a service registered on it', () => {
  it('serves the child resources the service declares at their ids and in their list', async () => {
    const { app } = started();
    const secret = await app.handle(req('GET', `${VAULT}/SECRETS/storage-key`), ORIGIN);
    expect(body(secret).name).toBe('storage-key');
    const list = await app.handle(req('GET', `${VAULT}/secrets`), ORIGIN);
    expect((body(list).value as { name: string }[]).map((s) => s.name)).toEqual(['registry-password', 'storage-key']);
  });

  it("refuses an api-version before the gate with ARM's message, and runs the route as a long-running operation after it", async () => {
    const { app, state } = started();
    const old = await app.handle(req('POST', `${VAULT}/purge`, '2022-07-01'), ORIGIN);
    expect(old.status).toBe(400);
    expect(body(old).error).toEqual({
      code: 'NoRegisteredProviderFound',
      message:
        "No registered resource provider found for location and API version '2022-07-01' for 'purge'. Purging is defined from api-version 2023-07-01.",
    });
    const start = await app.handle(req('POST', `${VAULT}/purge`), ORIGIN);
    expect(start.status).toBe(202);
    const location = new URL(start.headers.location!);
    const poll = () => app.handle(req('GET', location.pathname), ORIGIN);
    expect((await poll()).status).toBe(202);
    expect(state.purges).toBe(0);
    const done = await poll();
    expect([done.status, body(done).status, state.purges]).toEqual([200, 'Succeeded', 1]);
    expect(app.world.resources[0]!.properties).toMatchObject({ purged: true });
    expect(body(await poll()).error?.code).toBe('OperationNotFound');
  });

  it("answers an afterCanned route after the world's canned answers and before the store, and 404 when a route declines", async () => {
    const deleted = `/subscriptions/${SUB}/providers/Microsoft.KeyVault/deletedVaults`;
    const canned = started(world({ [`GET ${deleted}`]: { body: { value: [], from: 'world' } } })).app;
    expect(body(await canned.handle(req('GET', deleted), ORIGIN)).from).toBe('world');
    const { app } = started();
    // Without the route, the store would answer this subscription-wide list (empty, no `from`).
    expect(body(await app.handle(req('GET', deleted), ORIGIN)).from).toBe('service');
    const missing = await app.handle(req('POST', `${VAULT.replace('kv-secrets-weu', 'kv-gone')}/purge`), ORIGIN);
    expect([missing.status, body(missing).error?.code]).toEqual([404, 'ResourceNotFound']);
  });

  it("keeps ARM's rules in front of every arm route: bearer token, subscription access", async () => {
    const { app } = started();
    expect((await app.handle(req('POST', `${VAULT}/purge`, '2024-11-01', {}), ORIGIN)).status).toBe(401);
    const elsewhere = await app.handle(req('POST', VAULT.replace(SUB, '00000000-0000-0000-0000-00000000beef') + '/purge'), ORIGIN);
    expect([elsewhere.status, body(elsewhere).error?.code]).toEqual([403, 'AuthorizationFailed']);
  });

  it('refuses a service added after the start, and a second service for the same child resources', () => {
    const { app } = started();
    expect(() => app.use(vaults)).toThrow(/after the mock started/);
    const fresh = createApp(world());
    fresh.use(vaults);
    expect(() => fresh.use({ ...vaults, name: 'key-vault-2' })).toThrow(/already served/);
  });
});
