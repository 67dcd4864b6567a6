/** The mock's Microsoft.Authorization, in-process: the filters ARM documents, paging that keeps the filter, definitions by id. */
import { describe, expect, it } from 'vitest';
import { createArmHandler } from '../../mocks/handler.js';
import { ids, SUB } from '../../mocks/worlds/generate.js';
import { COMPUTE_PRINCIPALS, healthyIdentity, WS_PRINCIPAL } from '../../mocks/worlds/identity.js';
import { BUILT_IN, roleAssignment } from '../../mocks/worlds/identity-roles.js';
import { parseWorld } from '../../src/world/schema.js';

const ORIGIN = 'https://mock.example';
const GROUP = '11111111-2222-4333-8444-555555555555';
const OUTER = '66666666-7777-4888-9999-000000000000';

function handler(pageSize = 50) {
  const w = healthyIdentity();
  const rg = `/subscriptions/${SUB}/resourceGroups/rg-mlops-prod-weu`;
  w.resources.push(
    roleAssignment(rg, BUILT_IN.Contributor!.guid, GROUP, {
      principalType: 'Group',
      name: 'b0000000-0000-4000-8000-000000000001',
    }) as never,
    roleAssignment(`/subscriptions/${SUB}`, BUILT_IN.AcrPull!.guid, OUTER, {
      principalType: 'Group',
      name: 'b0000000-0000-4000-8000-000000000002',
    }) as never,
  );
  // The workspace identity is in GROUP, which is in OUTER.
  w.groups = [
    { id: GROUP, members: [WS_PRINCIPAL] },
    { id: OUTER, members: [GROUP] },
  ];
  w.pageSize = pageSize;
  return createArmHandler(parseWorld(w));
}

async function list(
  h: ReturnType<typeof handler>,
  url: string,
): Promise<{ status: number; body: { value?: { properties: { principalId: string; scope: string } }[]; nextLink?: string } }> {
  const r = await h.handle({ method: 'GET', url, headers: { authorization: 'Bearer t' } }, ORIGIN);
  return { status: r.status, body: JSON.parse(r.body ?? '{}') as never };
}

const at = (scope: string, filter?: string): string =>
  `${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`;

describe('role assignments', () => {
  it('assignedTo: the principal and its groups, transitively, at, above and below the scope', async () => {
    const r = await list(handler(), at(`/subscriptions/${SUB}`, `assignedTo('${WS_PRINCIPAL}')`));
    expect(r.status).toBe(200);
    expect(r.body.value!.map((a) => a.properties.principalId).sort()).toEqual([GROUP, OUTER, WS_PRINCIPAL].sort());
  });

  it('principalId eq: only that principal, no groups', async () => {
    const r = await list(handler(), at(`/subscriptions/${SUB}`, `principalId eq '${WS_PRINCIPAL}'`));
    expect(r.body.value!.map((a) => a.properties.principalId)).toEqual([WS_PRINCIPAL]);
  });

  it('atScope(): at or above the scope, never below', async () => {
    const rg = `/subscriptions/${SUB}/resourceGroups/rg-mlops-prod-weu`;
    const r = await list(handler(), at(rg, 'atScope()'));
    expect(r.body.value!.map((a) => a.properties.scope).sort()).toEqual([rg, `/subscriptions/${SUB}`].sort());
    const both = await list(handler(), at(ids.registry, `atScope() and assignedTo('${COMPUTE_PRINCIPALS['cpu-build-cluster']!}')`));
    expect(both.body.value!.map((a) => a.properties.scope)).toEqual([ids.registry]);
  });

  it('no filter: at, above and below', async () => {
    const r = await list(handler(), at(`/subscriptions/${SUB}/resourceGroups/rg-mlops-prod-weu`));
    // 4 on the registry (below), 1 on the resource group, 1 on the subscription (above).
    expect(r.body.value).toHaveLength(6);
  });

  it('pages keep the filter in nextLink', async () => {
    const h = handler(2);
    const first = await list(h, at(`/subscriptions/${SUB}`, `assignedTo('${WS_PRINCIPAL}')`));
    expect(first.body.value).toHaveLength(2);
    const next = new URL(first.body.nextLink!);
    expect(next.searchParams.get('$filter')).toBe(`assignedTo('${WS_PRINCIPAL}')`);
    const second = await list(h, `${next.pathname}${next.search}`);
    expect(second.body.value).toHaveLength(1);
    expect(second.body.nextLink).toBeUndefined();
  });

  it('a filter ARM does not accept answers 400 InvalidFilter', async () => {
    const r = await list(handler(), at(`/subscriptions/${SUB}`, "roleName eq 'Owner'"));
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('InvalidFilter');
  });
});

describe('role definitions and deny assignments', () => {
  it('a built-in definition by id at any scope, and 404 for an unknown one', async () => {
    const h = handler();
    for (const scope of ['', `/subscriptions/${SUB}`, ids.registry]) {
      const r = await h.handle(
        {
          method: 'GET',
          url: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN.AcrPush!.guid}?api-version=2022-04-01`,
          headers: { authorization: 'Bearer t' },
        },
        ORIGIN,
      );
      expect(r.status).toBe(200);
      expect((JSON.parse(r.body!) as { properties: { roleName: string } }).properties.roleName).toBe('AcrPush');
    }
    const missing = await h.handle(
      {
        method: 'GET',
        url: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${GROUP}?api-version=2022-04-01`,
        headers: { authorization: 'Bearer t' },
      },
      ORIGIN,
    );
    expect(missing.status).toBe(404);
  });

  it('the definitions assignable at a scope, and an empty deny assignment list', async () => {
    const h = handler();
    const defs = await list(h, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01`);
    expect(defs.body.value).toHaveLength(Object.keys(BUILT_IN).length);
    const denies = await list(h, `/subscriptions/${SUB}/providers/Microsoft.Authorization/denyAssignments?api-version=2022-04-01`);
    expect(denies.body.value).toEqual([]);
  });
});
