import { describe, expect, it } from 'vitest';
import check from '../../checks/compute-outbound/index.js';
import { ids, LOCATION, res, SUB } from '../../mocks/worlds/generate.js';
import { hub, hubAndSpoke } from '../../mocks/worlds/firewall-hub.js';
import { mutate } from '../../mocks/worlds/healthy.js';
import type { WorldInput } from '../../src/world/schema.js';
import { checkAuditor, expectVerdict } from '../helpers.js';

const t = checkAuditor(check);
const audit = t.audit;
const SUBNET = 'vnet-mlops-prod-weu/snet-training';

describe('compute-outbound on its worlds', () => {
  it.each([
    ['healthy-private', 'pass', []],
    ['fw-hub-healthy', 'pass', []],
    ['fw-classic-rules', 'pass', []],
    ['nsg-no-nsg', 'pass', []],
    [
      'outbound-nsg-entra-denied',
      'fail',
      [
        `Outbound TCP 80, 443 from subnet ${SUBNET} to AzureActiveDirectory (203 of 203 prefixes of AzureActiveDirectory) is denied by rule DenyEntraIdOutbound (priority 105) of NSG nsg-mlops-training-weu`,
      ],
    ],
    [
      'outbound-fw-batch-denied',
      'fail',
      [
        `Outbound TCP 443 from subnet ${SUBNET} to BatchNodeManagement (37 of 37 prefixes of BatchNodeManagement.WestEurope) goes through Azure Firewall afw-hub-weu (VirtualAppliance 10.100.0.4), which denies it: network rule deny-batch-node-management of Deny collection deny-batch-egress (priority 140), in rule collection group rcg-aml-egress (priority 200) of policy fwp-hub-weu`,
      ],
    ],
    [
      'outbound-fw-registry-no-pe',
      'fail',
      [
        `Outbound TCP 443 from subnet ${SUBNET} to workspace registry (crmlopsprodweu.azurecr.io) goes through Azure Firewall afw-hub-weu (VirtualAppliance 10.100.0.4), which denies it: no rule matches: the firewall denies by default`,
      ],
    ],
    [
      'outbound-fw-package-denied',
      'warn',
      [
        `to PyPI (pypi.org) goes through Azure Firewall afw-hub-weu (VirtualAppliance 10.100.0.4), which denies it: no rule matches`,
        `to conda (conda.anaconda.org) goes through Azure Firewall afw-hub-weu (VirtualAppliance 10.100.0.4), which denies it: no rule matches`,
      ],
    ],
    [
      'public-registry',
      'fail',
      [
        `to workspace registry (crmlopsprodweu.azurecr.io, crmlopsprodweu.westeurope.data.azurecr.io) is denied by rule DenyInternetOutbound (priority 4000)`,
      ],
    ],
    [
      'fw-third-party-nva',
      'warn',
      [
        `goes through VirtualAppliance 10.100.1.4 by route default-via-hub-firewall (0.0.0.0/0) of rt-mlops-training-weu: NIC nic-nva-fw01 of VM vm-nva-fw01, a third-party appliance`,
      ],
    ],
    [
      'fw-hub-forbidden',
      'warn',
      ['what owns that address cannot be read: Microsoft.Network/virtualNetworks/read is missing in subscription'],
    ],
  ] as const)('%s → %s', async (world, status, messages) => {
    expectVerdict(await audit(world), status, messages);
  });

  it('healthy-private: package sources denied at the NSG are notes (Microsoft’s basic configuration), nothing else', async () => {
    const result = await audit('healthy-private');
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([
      expect.stringMatching(
        /^PyPI \(pypi\.org, files\.pythonhosted\.org\) from .* is denied by NSG rule DenyInternetOutbound \(priority 4000\)/,
      ),
      expect.stringMatching(/^conda \(conda\.anaconda\.org, repo\.anaconda\.com\) from .* denied by NSG rule DenyInternetOutbound/),
    ]);
  });

  it('a hub firewall that allows what Microsoft lists: no finding, and a note naming it', async () => {
    const result = await audit('fw-hub-healthy');
    expect(result.findings).toEqual([]);
    expect(result.notes).toContain(`egress from ${SUBNET} is allowed by Azure Firewall afw-hub-weu`);
  });

  it('an NSG denial names the rule, the prefixes and the allow to add before it', async () => {
    const f = (await audit('outbound-nsg-entra-denied')).findings[0]!;
    expect(f.level).toBe('error');
    expect(f.resourceId).toBe(`${ids.nsg}/securityRules/DenyEntraIdOutbound`);
    expect(f.evidence).toMatchObject({
      row: 'AzureActiveDirectory',
      tag: 'AzureActiveDirectory',
      portsBlocked: 'TCP 80, 443',
      decidingRule: { name: 'DenyEntraIdOutbound', priority: 105, access: 'Deny', nsgId: ids.nsg },
      subnetPrefixes: ['10.20.1.0/24'],
    });
    expect(f.remediation).toBe(
      'az network nsg rule create --resource-group rg-mlops-prod-weu --nsg-name nsg-mlops-training-weu --name Allow-azureactivedirectory-Outbound --priority 104 --direction Outbound --access Allow --protocol Tcp --source-address-prefixes VirtualNetwork --destination-address-prefixes AzureActiveDirectory --destination-port-ranges 80 443',
    );
  });

  it('a firewall denial names the collection, group and policy, and adds an Allow collection before it', async () => {
    const f = (await audit('outbound-fw-batch-denied')).findings[0]!;
    expect(f.resourceId).toBe(hub.group);
    expect(f.evidence).toMatchObject({ firewallId: hub.firewall, firewallPolicyIds: [hub.policy], hubVnetId: hub.vnet });
    expect(f.remediation).toBe(
      'az network firewall policy rule-collection-group collection add-filter-collection --resource-group rg-connectivity-weu --policy-name fwp-hub-weu --rule-collection-group-name rcg-aml-egress --name allow-aml-compute-egress --collection-priority 139 --action Allow --rule-name allow-batchnodemanagement --rule-type NetworkRule --ip-protocols TCP --destination-addresses BatchNodeManagement.WestEurope --destination-ports 443 --source-addresses 10.20.1.0/24',
    );
  });

  it('registry hosts go to the firewall as names: an application rule is the fix', async () => {
    const f = (await audit('outbound-fw-registry-no-pe')).findings[0]!;
    expect(f.evidence).toMatchObject({ hosts: ['crmlopsprodweu.azurecr.io', 'crmlopsprodweu.westeurope.data.azurecr.io'] });
    expect(f.remediation).toContain(
      '--rule-type ApplicationRule --protocols Https=443 --target-fqdns crmlopsprodweu.azurecr.io crmlopsprodweu.westeurope.data.azurecr.io',
    );
  });

  it.each(['healthy-managed', 'managed-internet-outbound', 'healthy-managed-v2', 'managed-hub-project'])(
    '%s: skips for managed-network-outbound',
    async (world) => {
      const result = await audit(world);
      expect(result.status).toBe('skip');
      expect(result.reason).toMatch(/managed virtual network .* managed-network-outbound decides/);
    },
  );
});

/** The hub world with one change. */
const hubWorld = (change: (w: WorldInput) => void): WorldInput =>
  mutate('edge case', (w) => {
    hubAndSpoke(w);
    change(w);
  });
const rule = (w: WorldInput, name: string) =>
  (res(w, hub.group).properties.ruleCollections as { name: string; rules: { name: string; ipProtocols?: string[] }[] }[])
    .flatMap((c) => c.rules)
    .find((r) => r.name === name)!;

describe('compute-outbound edge cases', () => {
  it('UDP 5831 through a firewall network rule for TCP only: denied by default, for the compute instance only', async () => {
    const world = hubWorld((w) => {
      rule(w, 'allow-azureml-udp').ipProtocols = ['TCP'];
    });
    const result = await audit(world);
    expect(result.status).toBe('fail');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toContain(`Outbound UDP 5831 from subnet ${SUBNET} to AzureMachineLearning`);
    expect(result.findings[0]!.message).toContain('no network rule matches, and application rules only see HTTP, HTTPS and MSSQL');
    // Without a compute instance in the subnet, UDP 5831 is not asked.
    const noInstance = hubWorld((w) => {
      rule(w, 'allow-azureml-udp').ipProtocols = ['TCP'];
      w.resources = w.resources.filter((r) => !r.id.endsWith('/computes/ci-analyst-ds'));
    });
    expect((await audit(noInstance)).status).toBe('pass');
  });

  it('a regional tag missing from the serviceTags answer is a warning naming it, and nothing is guessed', async () => {
    const world = mutate('edge case', (w) => {
      const key = `GET /subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/serviceTags`;
      const body = w.responses![key]!.body as { values: { name: string }[] };
      body.values = body.values.filter((v) => v.name !== 'BatchNodeManagement.WestEurope');
    });
    const result = await audit(world);
    expect(result.status).toBe('warn');
    const [missing, ...rest] = result.findings.map((f) => f.message);
    expect(missing).toBe(
      'The serviceTags answer for westeurope has no BatchNodeManagement.westeurope tag, so outbound access to BatchNodeManagement cannot be checked by address.',
    );
    // The NSG's allow names the missing tag: what reaches that rule is undecidable, never guessed allowed.
    expect(rest.map((m) => /to (.+?) \(/.exec(m)![1])).toEqual([
      'AzureResourceManager',
      'Storage',
      'AzureFrontDoor.FrontEnd',
      'AzureMonitor',
    ]);
    for (const m of rest) expect(m).toContain('cannot be decided: rule AllowBatchNodeManagementOutbound (priority 140)');
    expect(result.findings.every((f) => f.level === 'warning')).toBe(true);
  });

  it('an NSG with no rule for Azure Monitor: its DenyInternetOutbound decides, at warning level', async () => {
    const world = mutate('edge case', (w) => {
      const nsg = res(w, ids.nsg).properties;
      nsg.securityRules = (nsg.securityRules as { name: string }[]).filter((r) => r.name !== 'AllowAzureMonitorOutbound');
    });
    const result = await audit(world);
    expect(result.status).toBe('warn');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.level).toBe('warning');
    expect(result.findings[0]!.message).toContain(
      'to AzureMonitor (1865 of 1865 prefixes of AzureMonitor) is denied by rule DenyInternetOutbound (priority 4000)',
    );
  });

  it('reads the hub once however many rows cross it', async () => {
    await audit('fw-hub-healthy');
    const paths = t.harness.server.handler.log.map((e) => `${e.method} ${e.path}`);
    for (const part of ['virtualNetworks/vnet-hub-weu?', 'azureFirewalls/afw-hub-weu?', 'firewallPolicies/fwp-hub-weu?'])
      expect(
        paths.filter((p) => `${p}?`.includes(part)),
        part,
      ).toHaveLength(1);
  });
});
