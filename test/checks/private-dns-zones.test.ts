import { describe, expect, it } from 'vitest';
import { ids, SUB, zoneLink } from '../../mocks/worlds/generate.js';
import check from '../../checks/private-dns-zones/index.js';
import { checkAuditor, loadWorldByName } from '../helpers.js';

const t = checkAuditor(check);
const audit = t.audit;

describe('private-dns-zones', () => {
  it.each([
    ['healthy-private', 'pass', []],
    ['placement-mixed-case-ids', 'pass', []],
    [
      'dns-missing-zone-group',
      'fail',
      [
        'Private endpoint pe-crmlopsprodweu-registry (registry of crmlopsprodweu) has no private DNS zone group: crmlopsprodweu.azurecr.io will not resolve to it.',
      ],
    ],
    [
      'dns-zone-not-linked',
      'fail',
      [
        'Private DNS zone privatelink.azurecr.io is not linked to VNet vnet-mlops-prod-weu of ci-analyst-ds, cpu-build-cluster, gpu-train-cluster: crmlopsprodweu will resolve to its public address there.',
      ],
    ],
    [
      'dns-missing-data-record',
      'fail',
      [
        'The DNS zone group of private endpoint pe-crmlopsprodweu-registry has no A record crmlopsprodweu.westeurope.data in privatelink.azurecr.io.',
      ],
    ],
    [
      'dns-custom-servers',
      'warn',
      [
        'VNet vnet-mlops-prod-weu uses custom DNS servers (10.20.0.4, 10.20.0.5): they must forward privatelink.azurecr.io, privatelink.blob.core.windows.net, privatelink.file.core.windows.net, privatelink.api.azureml.ms, privatelink.notebooks.azure.net to Azure DNS (168.63.129.16), or the private endpoints will not resolve.',
      ],
    ],
    [
      'dns-custom-servers-unlinked',
      'warn',
      [
        'VNet vnet-mlops-prod-weu uses custom DNS servers (10.20.0.4, 10.20.0.5): they must forward privatelink.azurecr.io, privatelink.blob.core.windows.net, privatelink.file.core.windows.net, privatelink.api.azureml.ms, privatelink.notebooks.azure.net to Azure DNS (168.63.129.16), or the private endpoints will not resolve.',
        'VNet vnet-mlops-prod-weu uses custom DNS servers (10.20.0.4, 10.20.0.5) and private DNS zone privatelink.notebooks.azure.net is not linked to it: whether mlw-mlops-prod-weu resolves privately from ci-analyst-ds, cpu-build-cluster, gpu-train-cluster depends on those servers, which ARM does not show. Not decided.',
      ],
    ],
    [
      'dns-workspace-zone-not-linked',
      'fail',
      [
        'Private DNS zone privatelink.api.azureml.ms is not linked to VNet vnet-mlops-prod-weu of ci-analyst-ds, cpu-build-cluster, gpu-train-cluster: mlw-mlops-prod-weu will resolve to its public address there.',
      ],
    ],
    // Microsoft's machine-learning-end-to-end-secure quickstart, as deployed and with the right zone.
    [
      'quickstart-e2e-secure-vault-zone',
      'fail',
      [
        'Private endpoint ple-mlops-prod-weu-kv (vault of kv-mlops-prod-weu) registers its records in privatelink.vault.azure.net, likely a mistake for privatelink.vaultcore.azure.net: kv-mlops-prod-weu.vault.azure.net resolves to its public address from the computes.',
      ],
    ],
    ['quickstart-e2e-secure', 'pass', []],
    ['quickstart-attached-kubernetes', 'pass', []],
  ] as const)('%s → %s', async (world, status, messages) => {
    const r = await audit(world);
    expect(r.status).toBe(status);
    expect(r.findings.map((f) => f.message)).toEqual(messages);
  });

  it('gives the az command to link the zone', async () => {
    const r = await audit('dns-zone-not-linked');
    expect(r.findings[0]!.remediation).toBe(
      `az network private-dns link vnet create --resource-group rg-mlops-prod-weu --zone-name privatelink.azurecr.io --name link-vnet-mlops-prod-weu --virtual-network ${ids.vnet} --registration-enabled false`,
    );
  });

  it('evidence counts the links to other VNets instead of listing them (a shared zone links every workspace of a subscription)', async () => {
    const world = loadWorldByName('dns-zone-not-linked');
    for (let i = 0; i < 25; i++) {
      world.resources.push(
        zoneLink(
          ids.zoneAcr,
          `/subscriptions/${SUB}/resourceGroups/rg-other/providers/Microsoft.Network/virtualNetworks/vnet-team${i}`,
        ) as never,
      );
    }
    const r = await audit(world);
    expect(r.findings[0]!.evidence).toEqual({ zoneId: ids.zoneAcr, vnetId: ids.vnet, linkState: null, otherLinkedVnets: 25 });
  });

  it("reads each zone's links once for all endpoints and VNets", async () => {
    await audit('healthy-private');
    const links = t.harness.server.handler.log.filter((e) => e.path.endsWith('virtualNetworkLinks'));
    // registry, blob, file, and the workspace's two zones
    expect(links).toHaveLength(5);
  });
});
