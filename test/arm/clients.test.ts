/** The SDK clients of one run: what the pipeline of each keeps and drops, and what the shape policy hands on. */
import { describe, expect, it } from 'vitest';
import { NetworkManagementClient } from '@azure/arm-network';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { createClients } from '../../src/arm/clients.js';
import { mockCredential } from '../../src/arm/connection.js';
import { shapePolicy, validatedBody } from '../../src/arm/shapes.js';

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

describe('the shape policy and raw reads', () => {
  it('hands a raw read the body it parsed and validated, once, unless a later policy changed the text', async () => {
    const request = createPipelineRequest({
      url: 'https://127.0.0.1/subscriptions/s/providers/Microsoft.Network/locations/westeurope/serviceTags?api-version=2025-05-01',
      method: 'GET',
    });
    const text = JSON.stringify({ changeNumber: '1', values: [{ name: 'AzureCloud', properties: { addressPrefixes: ['10.0.0.0/8'] } }] });
    const response = await shapePolicy.sendRequest(request, () =>
      Promise.resolve({ request, status: 200, headers: createHttpHeaders(), bodyAsText: text }),
    );
    const parsed = validatedBody(response);
    expect(parsed?.body).toEqual(JSON.parse(text));
    expect(validatedBody(response)?.body).toBe(parsed?.body);
    expect(validatedBody({ ...response, bodyAsText: `${text} ` })).toBeUndefined();
    // A path with no shape is not parsed here at all.
    const other = createPipelineRequest({ url: 'https://127.0.0.1/subscriptions/s/providers/Microsoft.Foo/bars/b', method: 'GET' });
    const untouched = await shapePolicy.sendRequest(other, () =>
      Promise.resolve({ request: other, status: 200, headers: createHttpHeaders(), bodyAsText: '{}' }),
    );
    expect(validatedBody(untouched)).toBeUndefined();
  });
});
