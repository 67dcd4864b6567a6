import { describe, expect, it } from 'vitest';
import imageBuildCompute from '../../checks/image-build-compute/index.js';
import { checkAuditor, expectVerdict } from '../helpers.js';

const t = checkAuditor(imageBuildCompute);
const audit = t.audit;

describe('image-build-compute on every world', () => {
  it.each([
    ['healthy-private', 'pass', []],
    ['ibc-peered-vnet', 'pass', []],
    ['ibc-mixed-case-ids', 'pass', []],
    ['public-registry', 'skip', []],
    ['ibc-missing', 'fail', [/has no imageBuildCompute: ACR Tasks cannot build/]],
    ['ibc-not-found', 'fail', [/names "cpu-build-cluster-old", but workspace mlw-mlops-prod-weu has no compute of that name/]],
    ['ibc-compute-instance', 'fail', [/"ci-analyst-ds" is a ComputeInstance, not an AmlCompute cluster/]],
    ['ibc-gpu-cluster', 'fail', [/GPU size Standard_NC6s_v3/]],
    ['ibc-failed-cluster', 'fail', [/provisioning state Failed/]],
    ['ibc-outside-vnet', 'fail', [/is not in a virtual network/]],
    ['ibc-unpeered-vnet', 'fail', [/VNet vnet-mlops-build-weu, which cannot reach registry crmlopsprodweu: .*not peered/]],
    ['ibc-peering-disconnected', 'fail', [/peering not connected \(peer-vnet-mlops-build-weu on vnet-mlops-prod-weu is Disconnected\)/]],
  ] as const)('%s → %s', async (world, status, messages) => {
    const result = await audit(world);
    expectVerdict(result, status, messages);
    for (const f of result.findings) {
      expect(f.resourceId).toMatch(/^\/subscriptions\//);
      expect(f.remediation.length).toBeGreaterThan(20);
      expect(Object.keys(f.evidence).length).toBeGreaterThan(0);
    }
  });

  it('names the fix with the real az command', async () => {
    const result = await audit('ibc-missing');
    expect(result.findings[0]!.remediation).toContain(
      'az ml workspace update --name mlw-mlops-prod-weu --resource-group rg-mlops-prod-weu --image-build-compute cpu-build-cluster',
    );
  });

  it('skips with the reason when the registry is public', async () => {
    const result = await audit('public-registry');
    expect(result.reason).toMatch(/registry crmlopsprodweu is not behind a virtual network .*ACR Tasks can build/);
  });
});
