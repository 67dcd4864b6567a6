import { describe, expect, it } from 'vitest';
import check from '../../checks/same-vnet-placement/index.js';
import { checkAuditor } from '../helpers.js';

const t = checkAuditor(check);
const audit = t.audit;

describe('same-vnet-placement', () => {
  it.each([
    ['healthy-private', 'pass', []],
    ['placement-service-endpoint-ok', 'pass', []],
    ['placement-peered-endpoint-vnet', 'pass', []],
    ['placement-mixed-case-ids', 'pass', []],
    ['ibc-peered-vnet', 'pass', []],
    [
      'placement-service-endpoint-other-subnet',
      'fail',
      [
        'Compute cluster cpu-build-cluster in subnet vnet-mlops-prod-weu/snet-training cannot reach storage account stmlopsprodweu (blob, file): it is exposed through service endpoint rules for vnet-mlops-prod-weu/snet-endpoints.',
        'Compute cluster gpu-train-cluster in subnet vnet-mlops-prod-weu/snet-training cannot reach storage account stmlopsprodweu (blob, file): it is exposed through service endpoint rules for vnet-mlops-prod-weu/snet-endpoints.',
      ],
    ],
    [
      'placement-service-endpoint-missing',
      'fail',
      [
        'Compute cluster cpu-build-cluster: storage account stmlopsprodweu admits subnet vnet-mlops-prod-weu/snet-training through a service endpoint rule, but the subnet has no Microsoft.Storage service endpoint.',
        'Compute cluster gpu-train-cluster: storage account stmlopsprodweu admits subnet vnet-mlops-prod-weu/snet-training through a service endpoint rule, but the subnet has no Microsoft.Storage service endpoint.',
      ],
    ],
  ] as const)('%s → %s', async (world, status, messages) => {
    const r = await audit(world);
    expect(r.status).toBe(status);
    expect(r.findings.map((f) => f.message)).toEqual(messages);
  });

  it('names the unpeered endpoint VNet and how storage is exposed today', async () => {
    const r = await audit('placement-unpeered-endpoint-vnet');
    expect(r.findings).toHaveLength(2);
    expect(r.findings[0]!.message).toBe(
      'Compute cluster cpu-build-cluster in subnet vnet-mlops-prod-weu/snet-training cannot reach storage account stmlopsprodweu (blob, file): its blob private endpoint pe-stmlopsprodweu-blob is in VNet vnet-mlops-data-weu, not peered with vnet-mlops-prod-weu; its file private endpoint pe-stmlopsprodweu-file is in VNet vnet-mlops-data-weu, not peered with vnet-mlops-prod-weu.',
    );
    expect(r.findings[0]!.remediation).toContain('az network private-endpoint create');
    expect(r.findings[0]!.remediation).toContain('or peer vnet-mlops-prod-weu with vnet-mlops-data-weu');
  });

  it('a peering Disconnected on one side does not carry traffic', async () => {
    const r = await audit('placement-peering-disconnected');
    expect(r.findings[0]!.message).toContain('peering not connected (peer-vnet-mlops-prod-weu on vnet-mlops-data-weu is Disconnected)');
  });

  it('a cluster outside any VNet cannot reach restricted resources', async () => {
    const r = await audit('ibc-outside-vnet');
    expect(r.findings.map((f) => f.message)).toEqual([
      'Compute cluster cpu-build-cluster is not in a virtual network, but storage account stmlopsprodweu is reachable only through private endpoints pe-stmlopsprodweu-blob in VNet vnet-mlops-prod-weu, pe-stmlopsprodweu-file in VNet vnet-mlops-prod-weu.',
      'Compute cluster cpu-build-cluster is not in a virtual network, but container registry crmlopsprodweu is reachable only through private endpoint pe-crmlopsprodweu-registry in VNet vnet-mlops-prod-weu.',
    ]);
  });
});
