/** The SDK clients of one run: what the pipeline of each keeps and drops. */
import { describe, expect, it } from 'vitest';
import { NetworkManagementClient } from '@azure/arm-network';
import { createClients } from '../../src/arm/clients.js';
import { mockCredential } from '../../src/arm/connection.js';

describe('createClients', () => {
  it("drops the SDK's form-data policy from every client (ARM takes JSON; its FormData test loads undici at start) and keeps our own", async () => {
    const names = (c: { pipeline: { getOrderedPolicies(): { name: string }[] } }) => c.pipeline.getOrderedPolicies().map((p) => p.name);
    // The SDK's default pipeline has it, under this name: the removal below is of something real.
    expect(names(new NetworkManagementClient(mockCredential, 'sub', { endpoint: 'https://127.0.0.1:1' }))).toContain('formDataPolicy');
    const clients = createClients({ endpoint: 'https://127.0.0.1:1', credential: mockCredential }, 'aml-preflight/test');
    const all = await Promise.all([
      clients.ml('sub'),
      clients.network('sub'),
      clients.storage('sub'),
      clients.registry('sub'),
      clients.privateDns('sub'),
      clients.resources('sub'),
      clients.resourceGraph(),
      clients.tenant(),
    ]);
    for (const client of all) {
      const policies = names(client);
      expect(policies).not.toContain('formDataPolicy');
      expect(policies).toContain('amlPreflightApiVersion');
      expect(policies).toContain('defaultRetryPolicy');
      expect(policies).toContain('bearerTokenAuthenticationPolicy');
    }
  });
});
