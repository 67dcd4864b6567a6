import { describe, expect, it } from 'vitest';
import { ids, SUB, zoneLink } from '../../mocks/worlds/generate.js';
import { peKeyVault, zoneVault } from '../../mocks/worlds/quickstart.js';
import check from '../../checks/private-dns-zones/index.js';
import { cloudOf, isNearMiss, ZONES } from '../../checks/private-dns-zones/zones.js';
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

  it('an endpoint without a zone group resolves through an A record put in the zone by hand', async () => {
    const world = loadWorldByName('quickstart-e2e-secure');
    world.resources = world.resources.filter((r) => !r.id.startsWith(`${peKeyVault}/privateDnsZoneGroups/`));
    const without = await audit(world);
    expect(without.status).toBe('fail');
    expect(without.findings.map((f) => f.message)).toEqual([
      'Private endpoint ple-mlops-prod-weu-kv (vault of kv-mlops-prod-weu) has no private DNS zone group: kv-mlops-prod-weu.vault.azure.net will not resolve to it.',
    ]);
    world.resources.push({
      id: `${zoneVault}/A/kv-mlops-prod-weu`,
      name: 'kv-mlops-prod-weu',
      type: 'Microsoft.Network/privateDnsZones/A',
      etag: '00000000-0000-0000-0000-000000000000',
      properties: {
        fqdn: 'kv-mlops-prod-weu.privatelink.vaultcore.azure.net.',
        ttl: 3600,
        isAutoRegistered: false,
        aRecords: [{ ipv4Address: '192.168.0.12' }],
      },
    });
    const by = await audit(world);
    expect(by.status).toBe('pass');
    expect(by.findings).toEqual([]);
  });

  it('a zone group that names a zone which does not exist', async () => {
    const world = loadWorldByName('quickstart-e2e-secure');
    world.resources = world.resources.filter((r) => r.id !== zoneVault && !r.id.startsWith(`${zoneVault}/`));
    const r = await audit(world);
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      'Private endpoint ple-mlops-prod-weu-kv (vault of kv-mlops-prod-weu) registers its records in private DNS zone privatelink.vaultcore.azure.net, which does not exist.',
    ]);
  });

  it('the vault finding names the zone that should be there and the az commands to make it', async () => {
    const r = await audit('quickstart-e2e-secure-vault-zone');
    expect(r.findings[0]!.evidence).toMatchObject({ expectedZone: 'privatelink.vaultcore.azure.net', via: 'zone group' });
    expect(r.findings[0]!.remediation).toContain(
      'az network private-dns zone create --resource-group <rg> --name privatelink.vaultcore.azure.net',
    );
  });
});

describe("zone names (Microsoft's private endpoint DNS table)", () => {
  it.each([
    ['AzureCloud', 'vault', ['privatelink.vaultcore.azure.net']],
    ['AzureCloud', 'amlworkspace', ['privatelink.api.azureml.ms', 'privatelink.notebooks.azure.net']],
    ['AzureCloud', 'dfs', ['privatelink.dfs.core.windows.net']],
    ['AzureUSGovernment', 'vault', ['privatelink.vaultcore.usgovcloudapi.net']],
    ['AzureUSGovernment', 'amlworkspace', ['privatelink.api.ml.azure.us', 'privatelink.notebooks.usgovcloudapi.net']],
    ['AzureUSGovernment', 'blob', ['privatelink.blob.core.usgovcloudapi.net']],
    ['AzureChinaCloud', 'vault', ['privatelink.vaultcore.azure.cn']],
    ['AzureChinaCloud', 'amlworkspace', ['privatelink.api.ml.azure.cn', 'privatelink.notebooks.chinacloudapi.cn']],
    ['AzureChinaCloud', 'file', ['privatelink.file.core.chinacloudapi.cn']],
  ] as const)('%s %s → %j', (cloud, group, zones) => {
    expect(ZONES[cloud][group]).toEqual(zones);
  });

  it.each([
    ['privatelink.vault.azure.net', 'privatelink.vaultcore.azure.net', 'vault', true],
    ['privatelink.vault.usgovcloudapi.net', 'privatelink.vaultcore.usgovcloudapi.net', 'vault', true],
    ['vaultcore.azure.net', 'privatelink.vaultcore.azure.net', 'vault', true],
    // Another cloud's name for the same zone.
    ['privatelink.vaultcore.usgovcloudapi.net', 'privatelink.vaultcore.azure.net', 'vault', true],
    ['privatelink.api.ml.azure.us', 'privatelink.api.azureml.ms', 'amlworkspace', true],
    ['privatelink.vaultcore.azure.net', 'privatelink.vaultcore.azure.net', 'vault', false],
    ['privatelink.blob.core.windows.net', 'privatelink.vaultcore.azure.net', 'vault', false],
    ['privatelink.notebooks.azure.net', 'privatelink.api.azureml.ms', 'amlworkspace', false],
  ] as const)('%s for %s (%s): near miss %s', (zone, expected, group, near) => {
    expect(isNearMiss(zone, expected, group)).toBe(near);
  });

  it.each([
    [['crmlops.azurecr.us', undefined], 'https://management.usgovcloudapi.net', 'AzureUSGovernment'],
    [[undefined, 'https://st.blob.core.chinacloudapi.cn/'], 'https://management.chinacloudapi.cn', 'AzureChinaCloud'],
    [['crmlops.azurecr.io', 'https://st.blob.core.windows.net/'], 'https://127.0.0.1:8443', 'AzureCloud'],
    // Nothing said by the resources: the ARM endpoint decides.
    [[undefined], 'https://management.usgovcloudapi.net', 'AzureUSGovernment'],
    [[undefined], 'https://127.0.0.1:8443', 'AzureCloud'],
  ] as const)('%j at %s → %s', (hosts, endpoint, cloud) => {
    expect(cloudOf(hosts, endpoint)).toBe(cloud);
  });
});
