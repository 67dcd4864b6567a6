import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  idKey,
  parentId,
  parseResourceId,
  parseWorkspaceId,
  resourceType,
  sameId,
  tryParseResourceId,
} from '../../src/base/resource-id.js';

const SUBNET =
  '/subscriptions/3f2e4d5c-6b7a-4988-9a1b-2c3d4e5f6a7b/resourceGroups/rg-mlops/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/snet-b';

describe('parseResourceId', () => {
  it('parses a child resource', () => {
    const rid = parseResourceId(SUBNET);
    expect(rid).toEqual({
      id: SUBNET,
      subscriptionId: '3f2e4d5c-6b7a-4988-9a1b-2c3d4e5f6a7b',
      resourceGroup: 'rg-mlops',
      provider: 'Microsoft.Network',
      types: ['virtualNetworks', 'subnets'],
      names: ['vnet-a', 'snet-b'],
    });
    expect(resourceType(rid)).toBe('Microsoft.Network/virtualNetworks/subnets');
    expect(parentId(rid)).toBe(SUBNET.replace('/subnets/snet-b', ''));
  });

  it('accepts ARM casing quirks and a trailing slash', () => {
    const rid = parseResourceId(`${SUBNET.replace('resourceGroups', 'resourcegroups').replace('/providers/', '/PROVIDERS/')}/`);
    expect(rid.resourceGroup).toBe('rg-mlops');
    expect(sameId(rid.id, SUBNET)).toBe(true);
  });

  it('parses a subscription-level resource', () => {
    const rid = parseResourceId('/subscriptions/sub1/providers/Microsoft.Network/serviceTags/Public');
    expect(rid.resourceGroup).toBeUndefined();
    expect(rid.types).toEqual(['serviceTags']);
  });

  it.each([
    ['', 'empty'],
    ['subscriptions/x/resourceGroups/rg/providers/A.B/t/n', 'must start'],
    ['/subscriptions//resourceGroups/rg/providers/A.B/t/n', 'empty segment'],
    ['/subscriptions/x/resourceGroups/rg/providers/A.B/t', 'pairs'],
    ['/subscriptions/x/resourceGroups/rg', 'providers'],
    ['/subscriptions/x/resourceGroups/rg/providers/NoDot/t/n', 'namespace'],
    ['/subscriptions/x/resourceGroups/ rg/providers/A.B/t/n', 'whitespace'],
    ['/subscriptions/x_y/resourceGroups/rg/providers/A.B/t/n', 'subscription id is malformed'],
    ['/tenants/x/providers/A.B/t/n', 'must start'],
  ])('rejects %j with a TypeError that says why (%s)', (input, why) => {
    expect(() => parseResourceId(input)).toThrow(TypeError);
    expect(() => parseResourceId(input)).toThrow(new RegExp(why));
    expect(tryParseResourceId(input)).toBeUndefined();
  });

  it('parseWorkspaceId rejects ids of other types', () => {
    expect(() => parseWorkspaceId(SUBNET)).toThrow(/not an Azure ML workspace id/);
    expect(parseWorkspaceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w').names).toEqual([
      'w',
    ]);
    expect(parseWorkspaceId('/subscriptions/s/resourcegroups/rg/providers/microsoft.machinelearningservices/WORKSPACES/w').names).toEqual([
      'w',
    ]);
  });
});

const segment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);

describe('resource ids, property-based', () => {
  it('round-trips every well-formed id, and compares case-insensitively', () => {
    fc.assert(
      fc.property(fc.uuid(), segment, fc.array(fc.tuple(segment, segment), { minLength: 1, maxLength: 4 }), (sub, rg, pairs) => {
        const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Test/${pairs.map(([t, n]) => `${t}/${n}`).join('/')}`;
        const rid = parseResourceId(id);
        expect(rid.names).toEqual(pairs.map(([, n]) => n));
        expect(sameId(id.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'), id)).toBe(true);
        expect(idKey(id)).toBe(id.toLowerCase());
      }),
    );
  });

  it('never crashes on arbitrary input: a ResourceId or a TypeError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\/subscriptions\/[a-z0-9/ .-]{0,60}$/)), (input) => {
        try {
          const rid = parseResourceId(input);
          expect(rid.types.length).toBe(rid.names.length);
        } catch (err) {
          expect(err).toBeInstanceOf(TypeError);
          expect((err as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
