import { describe, expect, it } from 'vitest';
import { ids } from '../../mocks/worlds/generate.js';
import check, { allowRule } from '../../checks/nsg-outbound-service-tags/index.js';
import { checkAuditor } from '../helpers.js';

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
    [
      'nsg-forced-tunnel',
      'warn',
      [
        `to ${MCR} (3 of 3 prefixes) goes through VirtualAppliance 10.20.3.4 by route default-via-firewall (0.0.0.0/0)`,
        `to ${AFD} (42 of 42 prefixes) goes through VirtualAppliance 10.20.3.4`,
      ],
    ],
  ] as const)('%s → %s', async (world, status, messages) => {
    const result = await audit(world);
    expect(result.status, JSON.stringify(result.findings.map((f) => f.message))).toBe(status);
    expect(result.findings.map((f) => f.message)).toHaveLength(messages.length);
    messages.forEach((m, i) => {
      expect(result.findings[i]!.message).toContain(m);
    });
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
