/**
 * Which computes sit in a customer VNet, or why none does (src/network/gather/customer-computes.ts):
 * the answer both egress checks skip on. Through worlds, the mock over HTTPS and the real SDK.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { computeOf } from '../../mocks/worlds/base.js';
import { ids } from '../../mocks/worlds/generate.js';
import { mutate } from '../../mocks/worlds/healthy.js';
import { customerComputes } from '../../src/network/gather/customer-computes.js';
import type { WorldInput } from '../../src/world/schema.js';
import { startHarness, type MockHarness } from '../helpers.js';

let h: MockHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const answer = async (world: string | WorldInput) => {
  h = await startHarness(world);
  const placed = await customerComputes(h.inventory, ids.workspace);
  return placed.kind === 'subnets' ? { kind: placed.kind, computes: placed.computes.map((c) => c.name) } : placed;
};
const outOfVnet = (w: WorldInput, ...names: string[]): void => {
  for (const name of names) (computeOf(w, name).properties as { properties: { subnet: unknown } }).properties.subnet = null;
};

describe('customerComputes', () => {
  it('names the clusters and instances in a subnet', async () => {
    expect(await answer('healthy-private')).toEqual({
      kind: 'subnets',
      computes: ['ci-analyst-ds', 'cpu-build-cluster', 'gpu-train-cluster'],
    });
  });

  it('only clusters and instances count: not an AKS compute in a subnet, nor an attached Kubernetes one', async () => {
    expect(await answer('quickstart-attached-kubernetes')).toEqual({ kind: 'subnets', computes: ['cluster001', 'mlops-ci001'] });
  });

  it('leaves out a compute with no subnet', async () => {
    const world = mutate('two clusters outside any VNet', (w) => {
      outOfVnet(w, 'cpu-build-cluster', 'gpu-train-cluster');
    });
    expect(await answer(world)).toEqual({ kind: 'subnets', computes: ['ci-analyst-ds'] });
  });

  it('none in a subnet and no managed network: none in a customer VNet', async () => {
    const world = mutate('every compute outside any VNet', (w) => {
      outOfVnet(w, 'cpu-build-cluster', 'gpu-train-cluster', 'ci-analyst-ds');
    });
    expect(await answer(world)).toEqual({ kind: 'none' });
  });

  it.each([
    ['healthy-managed', 'AllowOnlyApprovedOutbound'],
    ['managed-internet-outbound', 'AllowInternetOutbound'],
    ['healthy-managed-v2', 'AllowOnlyApprovedOutbound'],
    ['managed-hub-project', 'AllowOnlyApprovedOutbound'],
  ])('%s: the managed network, with its isolation mode', async (world, isolationMode) => {
    expect(await answer(world)).toEqual({ kind: 'managed', isolationMode });
  });
});
