import { describe, expect, it } from 'vitest';
import check from '../../checks/acr-workspace-access/index.js';
import { checkAuditor, loadWorldByName } from '../helpers.js';
import { ids, subnet } from '../../mocks/worlds/generate.js';

const t = checkAuditor(check);
const audit = t.audit;

describe('acr-workspace-access', () => {
  it('passes with trusted services, and says so', async () => {
    const r = await audit('healthy-private');
    expect(r.status).toBe('pass');
    expect(r.notes).toEqual([
      'trusted Azure services, Azure ML among them, may bypass the network rules of crmlopsprodweu (networkRuleBypassOptions: AzureServices)',
    ]);
  });

  it('passes without trusted services when the workspace VNet holds an approved registry endpoint', async () => {
    expect((await audit('acr-trusted-services-off-ws-endpoint')).status).toBe('pass');
  });

  it('a storage account it never reads cannot make it error (the network model keeps that failure apart)', async () => {
    // The workspace's own endpoint sits in a VNet no other check reads, so the check reads it in.
    const w = loadWorldByName('acr-trusted-services-off-ws-endpoint');
    const wsVnet = ids.vnet.replace('vnet-mlops-prod-weu', 'vnet-mlops-ws-weu');
    w.resources.push({
      id: wsVnet,
      name: 'vnet-mlops-ws-weu',
      type: 'Microsoft.Network/virtualNetworks',
      location: 'westeurope',
      properties: {
        addressSpace: { addressPrefixes: ['10.50.0.0/16'] },
        subnets: [subnet(`${wsVnet}/subnets/snet-ws`, '10.50.1.0/24')],
        virtualNetworkPeerings: [],
      },
    });
    (w.resources.find((r) => r.id === ids.peWorkspace)!.properties as { subnet: { id: string } }).subnet = {
      id: `${wsVnet}/subnets/snet-ws`,
    };
    w.faults = [{ match: 'GET .*/storageAccounts/stmlopsprodweu$', status: 403 }];
    const r = await audit(w);
    expect(r.status, r.reason).toBe('fail');
    expect(r.findings[0]!.message).toContain("reachable from the workspace's VNet vnet-mlops-ws-weu");
  });

  it('fails when trusted services are off and the workspace has no network path', async () => {
    const r = await audit('acr-trusted-services-off');
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      'Registry crmlopsprodweu is network-restricted (publicNetworkAccess: Disabled, 1 approved private endpoint) and does not let trusted Azure services through (networkRuleBypassOptions: None), and the workspace has no approved private endpoint, so it has no virtual network of its own: the workspace cannot reach it.',
    ]);
    expect(r.findings[0]!.remediation).toContain('az acr update --name crmlopsprodweu --allow-trusted-services true');
  });

  it('admin user off and no managed identity: nothing to authenticate with', async () => {
    const r = await audit('acr-admin-disabled-no-identity');
    expect(r.findings.map((f) => f.message)).toEqual([
      'Registry crmlopsprodweu has the admin user disabled, and workspace mlw-mlops-prod-weu has no managed identity to authenticate with instead.',
    ]);
  });

  it('admin user off with an identity is a note, not a finding', async () => {
    const r = await audit('keys-identity-based');
    expect(r.status).toBe('pass');
    expect(r.notes?.[0]).toMatch(/admin user is disabled: Azure ML authenticates with the workspace's SystemAssigned identity/);
  });

  it('skips when the registry is public', async () => {
    expect((await audit('public-registry')).reason).toBe('registry crmlopsprodweu is not network-restricted');
  });
});
