import { describe, expect, it } from 'vitest';
import { ids } from '../../mocks/worlds/generate.js';
import { HUB_SUB } from '../../mocks/worlds/firewall-hub.js';
import check, { allowRule } from '../../checks/nsg-outbound-service-tags/index.js';
import { checkAuditor, expectVerdict, startHarness } from '../helpers.js';
import { runAudit } from '../../src/engine/run.js';
import { describeTopology } from '../../src/network/gather/topology.js';
import { mermaid } from '../../src/report/markdown.js';

const t = checkAuditor(check);
const audit = t.audit;

const MCR = 'MicrosoftContainerRegistry.WestEurope';
const AFD = 'AzureFrontDoor.FirstParty';

describe('nsg-outbound-service-tags on its worlds', () => {
  it.each([
    ['healthy-private', 'pass', []],
    ['nsg-explicit-cidrs', 'pass', []],
    ['nsg-port-ranges', 'pass', []],
    ['nsg-deny-other-subnet', 'pass', []],
    ['nsg-no-nsg', 'pass', []],
    ['nsg-forced-tunnel-tag-routes', 'pass', []],
    [
      'nsg-deny-before-allow',
      'fail',
      [
        `${MCR} is denied for 3 of 3 prefixes by rule DenyHttpsInternetOutbound (priority 100)`,
        `${AFD} is denied for 42 of 42 prefixes by rule DenyHttpsInternetOutbound (priority 100)`,
      ],
    ],
    ['nsg-frontdoor-missing', 'fail', [`${AFD} is denied for 42 of 42 prefixes by rule DenyInternetOutbound (priority 4000)`]],
    ['nsg-explicit-cidrs-one-missing', 'fail', [`${MCR} is denied for 1 of 3 prefixes by rule DenyInternetOutbound (priority 4000)`]],
    ['nsg-udp-only', 'fail', [`${MCR} is denied for 3 of 3 prefixes by rule DenyInternetOutbound`]],
    ['nsg-wrong-port', 'fail', [`${MCR} is denied for 3 of 3 prefixes by rule DenyInternetOutbound`]],
    [
      'nsg-route-none',
      'fail',
      [`to ${MCR} (3 of 3 prefixes) is dropped: route drop-mcr (${MCR}) of rt-mlops-training-weu has next hop None`],
    ],
    [
      'nsg-asg-rule',
      'warn',
      [`${MCR} cannot be decided for 3 of 3 prefixes: rule AllowMcrOutbound (priority 100) uses application security groups`],
    ],
  ] as const)('%s → %s', async (world, status, messages) => {
    expectVerdict(await audit(world), status, messages);
  });

  it('names the exact prefix an explicit list misses, and the rule to add', async () => {
    const result = await audit('nsg-explicit-cidrs-one-missing');
    const f = result.findings[0]!;
    expect(f.evidence.deniedPrefixes).toEqual(['13.69.106.72/29']);
    expect(f.evidence.decidingRule).toMatchObject({ name: 'DenyInternetOutbound', priority: 4000, access: 'Deny', nsgId: ids.nsg });
    expect(f.resourceId).toBe(`${ids.nsg}/securityRules/DenyInternetOutbound`);
    expect(f.remediation).toBe(
      `az network nsg rule create --resource-group rg-mlops-prod-weu --nsg-name nsg-mlops-training-weu --name Allow-${MCR.replace('.', '-')}-443 --priority 3999 --direction Outbound --access Allow --protocol Tcp --source-address-prefixes VirtualNetwork --destination-address-prefixes ${MCR} --destination-port-ranges 443`,
    );
  });

  it('lists the FQDNs a firewall appliance must allow', async () => {
    const result = await audit('nsg-forced-tunnel');
    expect(result.findings[0]!.remediation).toContain('mcr.microsoft.com and *.data.mcr.microsoft.com');
    expect(result.findings[0]!.level).toBe('warning');
  });

  it('says when a subnet has no NSG', async () => {
    expect((await audit('nsg-no-nsg')).notes).toEqual([
      'subnet vnet-mlops-prod-weu/snet-training has no network security group: its egress is not filtered by an NSG',
    ]);
  });

  it('reads each subnet, NSG and the service tags once though three computes share them', async () => {
    await audit('healthy-private');
    const paths = t.harness.server.handler.log.map((e) => `${e.method} ${e.path}`);
    expect(paths.filter((p) => p.includes('networkSecurityGroups'))).toHaveLength(1);
    expect(paths.filter((p) => p.includes('serviceTags'))).toHaveLength(1);
    expect(paths.filter((p) => p.includes('virtualNetworks'))).toHaveLength(1);
  });
});

describe('nsg-outbound-service-tags through an Azure Firewall (issue 21)', () => {
  const HUB = `/subscriptions/${HUB_SUB}/resourceGroups/rg-connectivity-weu/providers/Microsoft.Network`;
  const via = 'goes through Azure Firewall afw-hub-weu (VirtualAppliance 10.100.0.4)';
  it.each([
    ['fw-hub-healthy', 'pass', []],
    ['fw-classic-rules', 'pass', []],
    [
      'fw-frontdoor-denied',
      'fail',
      [`to ${AFD} (42 of 42 prefixes on TCP 443) ${via}, which denies it: no rule matches: the firewall denies by default`],
    ],
    [
      'fw-mcr-data-missing',
      'fail',
      [`to ${MCR} (*.data.mcr.microsoft.com on HTTPS 443) ${via}, which denies it: no rule matches: the firewall denies by default`],
    ],
    [
      'fw-parent-policy-deny',
      'fail',
      [
        `to ${AFD} (42 of 42 prefixes on TCP 443) ${via}, which denies it: network rule deny-frontdoor of Deny collection deny-cdn-egress (priority 65000), in rule collection group rcg-org-guardrails (priority 60000) of parent policy fwp-org-base`,
      ],
    ],
    [
      'fw-dns-proxy-off',
      'warn',
      [
        `to ${MCR} (mcr.microsoft.com on HTTPS 443) ${via}, whose verdict cannot be decided: rule allow-mcr-fqdns: it names mcr.microsoft.com by FQDN, and FQDNs in network rules need the firewall's DNS proxy, which is off`,
      ],
    ],
    [
      'fw-ip-group-forbidden',
      'warn',
      [
        `to ${AFD} (42 of 42 prefixes on TCP 443) ${via}, whose verdict cannot be decided: rule allow-frontdoor-firstparty: source: IP group`,
      ],
    ],
    [
      'fw-hub-forbidden',
      'warn',
      [
        `to ${MCR} goes through VirtualAppliance 10.100.0.4 by route default-via-hub-firewall (0.0.0.0/0) of rt-mlops-training-weu, and what owns that address cannot be read: Microsoft.Network/virtualNetworks/read is missing in subscription ${HUB_SUB}`,
        `to ${AFD} goes through VirtualAppliance 10.100.0.4`,
      ],
    ],
    [
      'fw-third-party-nva',
      'warn',
      [
        `to ${MCR} (3 of 3 prefixes) goes through VirtualAppliance 10.100.1.4 by route default-via-hub-firewall (0.0.0.0/0) of rt-mlops-training-weu: NIC nic-nva-fw01 of VM vm-nva-fw01, a third-party appliance`,
        `to ${AFD} (42 of 42 prefixes) goes through VirtualAppliance 10.100.1.4`,
      ],
    ],
    [
      'nsg-forced-tunnel',
      'warn',
      [
        `to ${MCR} (3 of 3 prefixes) goes through VirtualAppliance 10.20.3.4 by route default-via-firewall (0.0.0.0/0) of rt-mlops-training-weu; no readable resource in the VNet or its peered VNets owns 10.20.3.4`,
        `to ${AFD} (42 of 42 prefixes) goes through VirtualAppliance 10.20.3.4`,
      ],
    ],
  ] as const)('%s → %s', async (world, status, messages) => {
    expectVerdict(await audit(world), status, messages);
  });

  it('a firewall that allows both says so, naming the deciding rules, and warns about nothing', async () => {
    const result = await audit('fw-hub-healthy');
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([
      `egress to ${MCR} from vnet-mlops-prod-weu/snet-training is allowed by Azure Firewall afw-hub-weu (application rule allow-mcr of Allow collection allow-aml-fqdns (priority 200), in rule collection group rcg-aml-egress (priority 200) of policy fwp-hub-weu)`,
      `egress to ${AFD} from vnet-mlops-prod-weu/snet-training is allowed by Azure Firewall afw-hub-weu (network rule allow-frontdoor-firstparty of Allow collection allow-aml-network (priority 100), in rule collection group rcg-aml-egress (priority 200) of policy fwp-hub-weu)`,
    ]);
  });

  it('a denial names the deciding group and the az command that adds the allow before it', async () => {
    const parent = (await audit('fw-parent-policy-deny')).findings[0]!;
    expect(parent.resourceId).toBe(`${HUB}/firewallPolicies/fwp-org-base/ruleCollectionGroups/rcg-org-guardrails`);
    expect(parent.evidence.firewallPolicyIds).toEqual([`${HUB}/firewallPolicies/fwp-hub-weu`, `${HUB}/firewallPolicies/fwp-org-base`]);
    expect(parent.remediation).toMatch(/^The deciding rule is in parent policy fwp-org-base, which is processed before fwp-hub-weu/);
    const data = (await audit('fw-mcr-data-missing')).findings[0]!;
    expect(data.resourceId).toBe(`${HUB}/azureFirewalls/afw-hub-weu`);
    expect(data.remediation).toBe(
      'az network firewall policy rule-collection-group collection add-filter-collection --resource-group rg-connectivity-weu --policy-name fwp-hub-weu --rule-collection-group-name rcg-aml-egress --name allow-aml-egress --collection-priority 64999 --action Allow --rule-name allow-mcr --rule-type ApplicationRule --protocols Https=443 --target-fqdns mcr.microsoft.com *.data.mcr.microsoft.com --source-addresses 10.20.1.0/24',
    );
    expect(data.evidence.decisions).toEqual([
      expect.objectContaining({ verdict: 'allow', fqdn: 'mcr.microsoft.com' }),
      expect.objectContaining({ verdict: 'deny', fqdn: '*.data.mcr.microsoft.com', rule: null }),
    ]);
  });

  it('reads the hub once: its VNet, the firewall, the policy and its groups, and the IP group', async () => {
    await audit('fw-hub-healthy');
    const paths = t.harness.server.handler.log.map((e) => `${e.method} ${e.path}`);
    for (const part of [
      'virtualNetworks/vnet-hub-weu',
      'azureFirewalls/afw-hub-weu',
      'firewallPolicies/fwp-hub-weu?',
      'ruleCollectionGroups',
      'ipGroups/ipg-ml-spokes',
    ])
      expect(
        paths.filter((p) => `${p}?`.includes(part)),
        part,
      ).toHaveLength(1);
  });
});

describe('the Markdown topology draws the hub firewall hop (issue 21)', () => {
  const draw = async (world: string) => {
    const h = await startHarness(world);
    try {
      const report = await runAudit({ inventory: h.inventory, checks: [check], workspaceIds: [ids.workspace], now: () => 0 });
      const topology = await describeTopology(h.inventory, ids.workspace);
      return mermaid(topology!, report.targets[0]!.results);
    } finally {
      await h.close();
    }
  };
  it('a denying firewall: the spoke, the hub, the firewall, and the deciding rule in red', async () => {
    const lines = await draw('fw-parent-policy-deny');
    const fw = lines.find((l) => l.includes('🔥 afw-hub-weu'))!;
    const fwNode = /^\s+(n\d+)\[\[/.exec(fw)![1]!;
    expect(lines.some((l) => l.includes('subgraph') && l.includes('hub VNet vnet-hub-weu'))).toBe(true);
    expect(lines).toContain(`  ${fwNode} -.->|"⛔ deny-frontdoor"| mcr`);
    expect(lines.find((l) => l.startsWith('  class '))).toContain(fwNode);
    // Every compute of the training subnet goes through it, none straight to MCR.
    expect(lines.filter((l) => l.endsWith(`-->|443| ${fwNode}`))).toHaveLength(3);
    expect(lines.filter((l) => l.endsWith(' -->|443| mcr'))).toEqual([]);
  });
  it('an allowing firewall leaves no finding, and the computes reach MCR as before', async () => {
    const lines = await draw('fw-hub-healthy');
    expect(lines.some((l) => l.includes('🔥'))).toBe(false);
    expect(lines.filter((l) => l.endsWith(' -->|443| mcr'))).toHaveLength(3);
  });
});

describe('allowRule priority', () => {
  const nsg = (priorities: number[]) => ({
    id: ids.nsg,
    securityRules: priorities.map((priority, i) => ({ name: `r${i}`, priority, direction: 'Outbound', access: 'Allow', protocol: '*' })),
  });
  it('takes the free priority just below the deny', () => {
    expect(allowRule(ids.nsg, nsg([3999]), 'X', 4000)).toContain('--priority 3998');
    expect(allowRule(ids.nsg, nsg([]), 'X', 65500)).toContain('--priority 4096');
  });
  it('asks to move the deny first when nothing is free below it', () => {
    expect(allowRule(ids.nsg, nsg([100, 101]), 'X', 100, 'DenyAll')).toMatch(
      /^No priority is free below DenyAll \(100\): move it first \(.*--priority 102\)/,
    );
  });
});
