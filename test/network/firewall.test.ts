import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contains, overlaps, size, union } from '../../src/network/cidr.js';
import { evaluateFirewall, type FirewallContext, type FirewallDestination, type FirewallFlow } from '../../src/network/firewall.js';
import { fqdnMatches, fqdnRelation, portCovers, resolveAddress } from '../../src/network/firewall-match.js';
import {
  classicRules,
  policyRules,
  type ArmAzureFirewall,
  type ArmFirewallPolicy,
  type ArmRuleCollectionGroup,
  type FirewallRules,
} from '../../src/network/firewall-rules.js';
import { indexServiceTags } from '../../src/network/service-tags.js';
import { packageRoot } from '../../src/base/paths.js';

/** Microsoft's public tag data (mocks/fixtures/SOURCES.md), as serviceTags.list answers it. */
const tags = indexServiceTags({
  values: readdirSync(join(packageRoot, 'mocks', 'fixtures', 'service-tags')).map((f) =>
    JSON.parse(readFileSync(join(packageRoot, 'mocks', 'fixtures', 'service-tags', f), 'utf8')),
  ),
});
/** Microsoft's REST examples (test/fixtures/azure-examples/SOURCES.md), typed by the caller. */
function example(name: string): unknown {
  const file = join(packageRoot, 'test', 'fixtures', 'azure-examples', 'network', name);
  return (JSON.parse(readFileSync(file, 'utf8')) as { responses: { 200: { body: unknown } } }).responses[200].body;
}

const MCR = tags.get('MicrosoftContainerRegistry')!.prefixes;
const MCR_WEU = tags.get('MicrosoftContainerRegistry.WestEurope')!.prefixes;
const AFD = tags.get('AzureFrontDoor.FirstParty')!.prefixes;
const SUBNET = ['10.62.8.0/24'];
const POLICY =
  '/subscriptions/5e1c7a3b-0000-4000-8000-00000000c0de/resourceGroups/rg-connectivity-weu/providers/Microsoft.Network/firewallPolicies/fwp-hub-weu';
const BASE =
  '/subscriptions/5e1c7a3b-0000-4000-8000-00000000c0de/resourceGroups/rg-connectivity-weu/providers/Microsoft.Network/firewallPolicies/fwp-org-base';
const FIREWALL =
  '/subscriptions/5e1c7a3b-0000-4000-8000-00000000c0de/resourceGroups/rg-connectivity-weu/providers/Microsoft.Network/azureFirewalls/afw-hub-weu';
const IPG =
  '/subscriptions/5e1c7a3b-0000-4000-8000-00000000c0de/resourceGroups/rg-connectivity-weu/providers/Microsoft.Network/ipGroups/ipg-ml-spokes';
const ctx: FirewallContext = { tags, ipGroups: new Map([[IPG.toLowerCase(), ['10.62.0.0/16']]]) };

const https: FirewallFlow = { source: SUBNET, protocol: 'TCP', port: 443, application: 'Https' };
const mcr: FirewallDestination = { addresses: MCR, fqdns: ['mcr.microsoft.com', '*.data.mcr.microsoft.com'] };
const afd: FirewallDestination = { addresses: AFD };

type Rule = Record<string, unknown>;
const net = (name: string, p: Rule = {}): Rule => ({
  ruleType: 'NetworkRule',
  name,
  sourceAddresses: ['*'],
  destinationAddresses: ['*'],
  destinationPorts: ['443'],
  ipProtocols: ['TCP'],
  ...p,
});
const app = (name: string, p: Rule = {}): Rule => ({
  ruleType: 'ApplicationRule',
  name,
  sourceAddresses: ['*'],
  protocols: [{ protocolType: 'Https', port: 443 }],
  targetFqdns: ['*'],
  ...p,
});
const collection = (name: string, priority: number, act: 'Allow' | 'Deny', ...rules: Rule[]) => ({
  ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
  name,
  priority,
  action: { type: act },
  rules,
});
const group = (name: string, priority: number, ...ruleCollections: ReturnType<typeof collection>[]): ArmRuleCollectionGroup => ({
  id: `${POLICY}/ruleCollectionGroups/${name}`,
  name,
  properties: { priority, ruleCollections: ruleCollections as never },
});
const policy = (id = POLICY, dnsProxy = true): ArmFirewallPolicy => ({ id, properties: { dnsSettings: { enableProxy: dnsProxy } } });
const rulesOf = (...groups: ArmRuleCollectionGroup[]): FirewallRules => policyRules(FIREWALL, [{ policy: policy(), groups }]);
const evaluate = (rules: FirewallRules, d: FirewallDestination, flow: FirewallFlow = https, c: FirewallContext = ctx) =>
  evaluateFirewall(rules, d, flow, c);
const decider = (rules: FirewallRules, d: FirewallDestination, flow: FirewallFlow = https) => {
  const e = evaluate(rules, d, flow);
  return [e.verdict, e.deciding?.rule?.collection.name ?? 'default', e.deciding?.rule?.rule ?? null];
};

describe('name patterns: Azure Firewall wildcard semantics', () => {
  it.each([
    ['*', 'mcr.microsoft.com', true],
    ['*.data.mcr.microsoft.com', 'westeurope.data.mcr.microsoft.com', true],
    ['*.data.mcr.microsoft.com', 'data.mcr.microsoft.com', false],
    ['*.microsoft.com', 'a.b.microsoft.com', true],
    ['*.microsoft.com', 'microsoft.com', false],
    ['MCR.Microsoft.com', 'mcr.microsoft.com', true],
    ['mcr.microsoft.com', 'westeurope.data.mcr.microsoft.com', false],
    ['*.data.mcr.microsoft.com', 'evil-data.mcr.microsoft.com', false],
  ])('%s matches %s: %s', (pattern, name, want) => {
    expect(fqdnMatches(pattern, name)).toBe(want);
  });

  it.each([
    ['*', '*.data.mcr.microsoft.com', 'cover'],
    ['*.mcr.microsoft.com', '*.data.mcr.microsoft.com', 'cover'],
    ['*.data.mcr.microsoft.com', '*.data.mcr.microsoft.com', 'cover'],
    ['mcr.microsoft.com', '*.data.mcr.microsoft.com', 'none'],
    ['westeurope.data.mcr.microsoft.com', '*.data.mcr.microsoft.com', 'overlap'],
    ['*.westeurope.data.mcr.microsoft.com', '*.data.mcr.microsoft.com', 'overlap'],
    ['*.azurecr.io', '*.data.mcr.microsoft.com', 'none'],
    ['mcr.microsoft.com', 'mcr.microsoft.com', 'cover'],
  ])('%s against %s: %s', (pattern, destination, want) => {
    expect(fqdnRelation(pattern, destination)).toBe(want);
  });
});

describe('rule fields', () => {
  it.each([
    ['443', 443, true],
    ['443', 444, false],
    ['8000-8999', 8787, true],
    ['*', 18881, true],
    ['x', 443, false],
  ])('port %s covers %d: %s', (entry, port, want) => {
    expect(portCovers(entry, port)).toBe(want);
  });

  it('resolves ranges, CIDRs, addresses, * and tags, and nothing else', () => {
    expect(resolveAddress('10.1.4.12-10.1.4.255', tags)).toEqual([
      '10.1.4.12/30',
      '10.1.4.16/28',
      '10.1.4.32/27',
      '10.1.4.64/26',
      '10.1.4.128/25',
    ]);
    expect(resolveAddress('216.58.216.164', tags)).toEqual(['216.58.216.164/32']);
    expect(resolveAddress('*', tags)).toEqual(['0.0.0.0/0', '::/0']);
    expect(resolveAddress('microsoftcontainerregistry.westeurope', tags)).toEqual(MCR_WEU);
    expect(resolveAddress('AzureMachineLearningNotATag', tags)).toBeUndefined();
    expect(resolveAddress('10.0.0.9-10.0.0.1', tags)).toBeUndefined();
  });
});

describe('processing order (rule-processing, policy-rule-sets)', () => {
  it('network rules before application rules, whatever their priorities', () => {
    const rules = rulesOf(
      group(
        'rcg-apps',
        100,
        collection('allow-mcr-app', 100, 'Allow', app('mcr', { targetFqdns: ['mcr.microsoft.com', '*.data.mcr.microsoft.com'] })),
      ),
      group('rcg-net', 65000, collection('deny-all-net', 65000, 'Deny', net('everything'))),
    );
    expect(decider(rules, mcr)).toEqual(['deny', 'deny-all-net', 'everything']);
  });

  it("the parent policy's groups come before the child's, whatever their priorities", () => {
    const base = {
      policy: policy(BASE),
      groups: [
        group(
          'rcg-org',
          60000,
          collection('org-deny', 65000, 'Deny', net('no-mcr', { destinationAddresses: ['MicrosoftContainerRegistry'] })),
        ),
      ],
    };
    const child = {
      policy: policy(),
      groups: [
        group('rcg-ml', 100, collection('ml-allow', 100, 'Allow', net('mcr', { destinationAddresses: ['MicrosoftContainerRegistry'] }))),
      ],
    };
    const e = evaluate(policyRules(FIREWALL, [child, base]), mcr);
    expect(e.verdict).toBe('deny');
    expect(e.deciding?.rule).toMatchObject({
      ownerId: BASE,
      inheritance: 1,
      group: { name: 'rcg-org', priority: 60000 },
      collection: { name: 'org-deny', priority: 65000 },
    });
  });

  it('group priority before collection priority', () => {
    const rules = rulesOf(
      group('rcg-late', 300, collection('allow-first', 100, 'Allow', net('mcr', { destinationAddresses: ['MicrosoftContainerRegistry'] }))),
      group(
        'rcg-early',
        200,
        collection('deny-later', 60000, 'Deny', net('mcr-deny', { destinationAddresses: ['MicrosoftContainerRegistry'] })),
      ),
    );
    expect(decider(rules, mcr)).toEqual(['deny', 'deny-later', 'mcr-deny']);
  });

  it('collection priority inside a group, 100 before 65,000, whatever their order in the answer', () => {
    const rules = rulesOf(
      group(
        'rcg-ml',
        200,
        collection('deny-65000', 65000, 'Deny', net('all')),
        collection('allow-100', 100, 'Allow', net('mcr', { destinationAddresses: ['MicrosoftContainerRegistry'] })),
      ),
    );
    expect(decider(rules, mcr)).toEqual(['allow', 'allow-100', 'mcr']);
  });

  it('rules in order inside a collection; the first match ends processing', () => {
    const allowThenDeny = rulesOf(
      group('g', 100, collection('c', 100, 'Allow', net('first', { destinationAddresses: ['MicrosoftContainerRegistry'] }), net('second'))),
    );
    expect(decider(allowThenDeny, mcr)).toEqual(['allow', 'c', 'first']);
  });

  it('nothing matches: denied by default', () => {
    const rules = rulesOf(group('g', 100, collection('c', 100, 'Allow', net('ssh', { destinationPorts: ['22'] }))));
    const e = evaluate(rules, afd);
    expect(e.verdict).toBe('deny');
    expect(e.deciding?.rule).toBeUndefined();
    expect(e.deciding?.why).toMatch(/denies by default/);
  });

  it('DNAT collections never decide egress', () => {
    const nat = {
      ruleCollectionType: 'FirewallPolicyNatRuleCollection',
      name: 'dnat',
      priority: 100,
      action: { type: 'DNAT' },
      rules: [
        {
          ruleType: 'NatRule',
          name: 'in',
          sourceAddresses: ['*'],
          destinationAddresses: ['*'],
          destinationPorts: ['443'],
          ipProtocols: ['TCP'],
        },
      ],
    };
    expect(decider(rulesOf(group('g', 100, nat as never)), afd)).toEqual(['deny', 'default', null]);
  });
});

describe('network rules over address sets', () => {
  it('allows every address of both tags when rules name them', () => {
    const rules = rulesOf(
      group(
        'g',
        100,
        collection('c', 100, 'Allow', net('tags', { destinationAddresses: ['MicrosoftContainerRegistry', 'AzureFrontDoor.FirstParty'] })),
      ),
    );
    expect(evaluate(rules, mcr).verdict).toBe('allow');
    expect(evaluate(rules, afd).verdict).toBe('allow');
  });

  it('a regional tag leaves the rest of the global tag to later rules, exactly', () => {
    const rules = rulesOf(
      group('g', 100, collection('c', 100, 'Allow', net('weu', { destinationAddresses: ['MicrosoftContainerRegistry.WestEurope'] }))),
    );
    const e = evaluate(rules, { addresses: MCR });
    expect(e.verdict).toBe('deny');
    const allowed = union(...e.decisions.filter((d) => d.verdict === 'allow').map((d) => d.destination!));
    expect(allowed).toEqual(union([...MCR_WEU]));
    const denied = union(...e.decisions.filter((d) => d.verdict === 'deny').map((d) => d.source));
    expect(denied).toEqual(SUBNET);
  });

  it('a source that is another spoke does not apply; a range covering half the subnet decides that half', () => {
    const other = rulesOf(group('g', 100, collection('c', 100, 'Allow', net('other', { sourceAddresses: ['10.63.0.0/16'] }))));
    expect(evaluate(other, afd).verdict).toBe('deny');
    const half = rulesOf(group('g', 100, collection('c', 100, 'Allow', net('half', { sourceAddresses: ['10.62.8.0-10.62.8.127'] }))));
    const e = evaluate(half, afd);
    expect(e.verdict).toBe('deny');
    expect(e.decisions.find((d) => d.verdict === 'allow')?.source).toEqual(['10.62.8.0/25']);
    expect(e.decisions.find((d) => d.verdict === 'deny')?.source).toEqual(['10.62.8.128/25']);
  });

  it('IP groups as sources and destinations; an unreadable group is undecidable', () => {
    const src = rulesOf(group('g', 100, collection('c', 100, 'Allow', net('ipg', { sourceAddresses: undefined, sourceIpGroups: [IPG] }))));
    expect(evaluate(src, afd).verdict).toBe('allow');
    const dst = rulesOf(
      group('g', 100, collection('c', 100, 'Allow', net('ipg', { destinationAddresses: undefined, destinationIpGroups: [IPG] }))),
    );
    expect(evaluate(dst, { addresses: ['10.62.200.0/24'] }).verdict).toBe('allow');
    expect(evaluate(dst, afd).verdict).toBe('deny');
    const forbidden: FirewallContext = {
      tags,
      ipGroups: new Map([[IPG.toLowerCase(), { unreadable: '403 AuthorizationFailed: Microsoft.Network/ipGroups/read' }]]),
    };
    const e = evaluate(src, afd, https, forbidden);
    expect(e.verdict).toBe('undecidable');
    expect(e.deciding?.why).toMatch(/ipGroups\/read/);
  });

  it('ports: a range and *; protocols: TCP, UDP, ICMP, Any', () => {
    const rules = rulesOf(
      group(
        'g',
        100,
        collection(
          'c',
          100,
          'Allow',
          net('aml', { destinationAddresses: ['AzureMachineLearning'], destinationPorts: ['8787', '18881-18881'], ipProtocols: ['TCP'] }),
          net('udp', { destinationAddresses: ['AzureMachineLearning'], destinationPorts: ['*'], ipProtocols: ['UDP'] }),
        ),
      ),
    );
    const aml: FirewallDestination = { addresses: tags.get('AzureMachineLearning')!.prefixes };
    expect(evaluate(rules, aml, { source: SUBNET, protocol: 'TCP', port: 18881 }).verdict).toBe('allow');
    expect(evaluate(rules, aml, { source: SUBNET, protocol: 'TCP', port: 443, application: 'Https' }).verdict).toBe('deny');
    expect(evaluate(rules, aml, { source: SUBNET, protocol: 'UDP', port: 5831 }).verdict).toBe('allow');
    expect(evaluate(rules, aml, { source: SUBNET, protocol: 'ICMP', port: 0 }).verdict).toBe('deny');
    const any = rulesOf(group('g', 100, collection('c', 100, 'Allow', net('any', { ipProtocols: ['Any'], destinationPorts: ['*'] }))));
    expect(evaluate(any, aml, { source: SUBNET, protocol: 'UDP', port: 5831 }).verdict).toBe('allow');
  });

  it('an unknown tag in a rule is undecidable, not guessed', () => {
    const rules = rulesOf(
      group('g', 100, collection('c', 100, 'Allow', net('typo', { destinationAddresses: ['MicrosoftContainerRegistery'] }))),
    );
    const e = evaluate(rules, afd);
    expect(e.verdict).toBe('undecidable');
    expect(e.deciding?.why).toMatch(/MicrosoftContainerRegistery/);
  });

  it('FQDNs in network rules decide a name with the DNS proxy, and are undecidable without it', () => {
    const group1 = group(
      'g',
      100,
      collection('c', 100, 'Allow', net('mcr-fqdn', { destinationAddresses: undefined, destinationFqdns: ['mcr.microsoft.com'] })),
    );
    const on = policyRules(FIREWALL, [{ policy: policy(POLICY, true), groups: [group1] }]);
    const off = policyRules(FIREWALL, [{ policy: policy(POLICY, false), groups: [group1] }]);
    expect(evaluate(on, { fqdns: ['mcr.microsoft.com'] }).verdict).toBe('allow');
    const e = evaluate(off, { fqdns: ['mcr.microsoft.com'] });
    expect(e.verdict).toBe('undecidable');
    expect(e.deciding?.why).toMatch(/DNS proxy/);
    // The proxy matters only for names the rule names.
    expect(evaluate(off, { fqdns: ['pypi.org'] }).verdict).toBe('deny');
  });

  it('a destination known by name only is decided by address only by a rule for every address', () => {
    const some = rulesOf(group('g', 100, collection('c', 100, 'Allow', net('azure', { destinationAddresses: ['AzureCloud.westeurope'] }))));
    expect(evaluate(some, { fqdns: ['pypi.org'] }, { source: SUBNET, protocol: 'TCP', port: 443 }).verdict).toBe('deny');
    const every = rulesOf(group('g', 100, collection('c', 100, 'Allow', net('all', { destinationAddresses: ['0.0.0.0/0'] }))));
    expect(evaluate(every, { fqdns: ['pypi.org'] }).verdict).toBe('allow');
  });
});

describe('application rules per name', () => {
  it('an allow that covers mcr.microsoft.com but not *.data.mcr.microsoft.com denies the data endpoints', () => {
    const rules = rulesOf(group('g', 100, collection('apps', 200, 'Allow', app('mcr', { targetFqdns: ['mcr.microsoft.com'] }))));
    const e = evaluate(rules, mcr);
    expect(e.verdict).toBe('deny');
    expect(e.decisions.map((d) => [d.fqdn, d.verdict])).toEqual([
      ['mcr.microsoft.com', 'allow'],
      ['*.data.mcr.microsoft.com', 'deny'],
    ]);
  });

  it('both names allowed: allow; *.mcr.microsoft.com covers the data endpoints but not the apex', () => {
    const both = rulesOf(
      group('g', 100, collection('apps', 200, 'Allow', app('mcr', { targetFqdns: ['mcr.microsoft.com', '*.data.mcr.microsoft.com'] }))),
    );
    expect(evaluate(both, mcr).verdict).toBe('allow');
    const wild = rulesOf(group('g', 100, collection('apps', 200, 'Allow', app('mcr', { targetFqdns: ['*.mcr.microsoft.com'] }))));
    expect(evaluate(wild, mcr).decisions.map((d) => d.verdict)).toEqual(['deny', 'allow']);
  });

  it('HTTPS is matched by protocol type and port: an Http:80 allow does not carry HTTPS 443', () => {
    const rules = rulesOf(
      group('g', 100, collection('apps', 200, 'Allow', app('web', { protocols: [{ protocolType: 'Http', port: 80 }] }))),
    );
    expect(evaluate(rules, mcr).verdict).toBe('deny');
    expect(evaluate(rules, mcr, { source: SUBNET, protocol: 'TCP', port: 80, application: 'Http' }).verdict).toBe('allow');
  });

  it('application rules never see traffic that is not HTTP, HTTPS or MSSQL', () => {
    const rules = rulesOf(
      group('g', 100, collection('apps', 200, 'Allow', app('all', { protocols: [{ protocolType: 'Https', port: 5831 }] }))),
    );
    expect(evaluate(rules, { fqdns: ['x.api.azureml.ms'] }, { source: SUBNET, protocol: 'UDP', port: 5831 }).verdict).toBe('deny');
  });

  it('a deny for one name under a pattern denies the pattern; an allow for one does not allow it', () => {
    const deny = rulesOf(
      group(
        'g',
        100,
        collection('deny-eus', 100, 'Deny', app('eus', { targetFqdns: ['eastus.data.mcr.microsoft.com'] })),
        collection('allow', 200, 'Allow', app('all')),
      ),
    );
    expect(decider(deny, { fqdns: ['*.data.mcr.microsoft.com'] })).toEqual(['deny', 'deny-eus', 'eus']);
    const allow = rulesOf(
      group('g', 100, collection('allow-weu', 100, 'Allow', app('weu', { targetFqdns: ['westeurope.data.mcr.microsoft.com'] }))),
    );
    expect(evaluate(allow, { fqdns: ['*.data.mcr.microsoft.com'] }).verdict).toBe('deny');
  });

  it('FQDN tags, web categories and target URLs are undecidable where they could match', () => {
    for (const p of [
      { targetFqdns: undefined, fqdnTags: ['WindowsUpdate'] },
      { targetFqdns: undefined, webCategories: ['ComputersAndTechnology'] },
      { targetFqdns: undefined, targetUrls: ['mcr.microsoft.com/v2/'] },
    ]) {
      const rules = rulesOf(group('g', 100, collection('apps', 200, 'Allow', app('x', p))));
      expect(evaluate(rules, { fqdns: ['mcr.microsoft.com'] }).verdict).toBe('undecidable');
    }
  });

  it('a destination known by address only meets application rules through * alone', () => {
    const star = rulesOf(group('g', 100, collection('apps', 200, 'Allow', app('any'))));
    expect(evaluate(star, afd).verdict).toBe('allow');
    const named = rulesOf(group('g', 100, collection('apps', 200, 'Allow', app('afd', { targetFqdns: ['*.azurefd.net'] }))));
    expect(evaluate(named, afd).verdict).toBe('deny');
  });

  it('network rules deciding the addresses leave application rules out', () => {
    const rules = rulesOf(
      group(
        'g',
        100,
        collection('net-allow', 100, 'Allow', net('mcr', { destinationAddresses: ['MicrosoftContainerRegistry'] })),
        collection('app-deny', 200, 'Deny', app('all')),
      ),
    );
    expect(evaluate(rules, mcr).verdict).toBe('allow');
  });
});

describe("Microsoft's payloads", () => {
  it('classic rules: FirewallGet (network rules name `protocols`, ranges as sources)', () => {
    const fw = example('AzureFirewallGet.json') as ArmAzureFirewall;
    const rules = classicRules(fw);
    expect(rules.network.map((c) => [c.ref.collection.name, c.ref.action, c.rules[0]!.ipProtocols])).toEqual([
      ['netrulecoll', 'Deny', ['TCP']],
    ]);
    expect(rules.dnsProxy).toBe(false);
    // L4-traffic denies 10.1.4.12-10.1.4.255 everything on 443.
    expect(decider(rules, afd, { ...https, source: ['10.1.4.16/28'] })).toEqual(['deny', 'netrulecoll', 'L4-traffic']);
    // apprulecoll denies www.test.com; anything else falls to the default deny.
    expect(decider(rules, { fqdns: ['www.test.com'] }, { ...https, source: ['10.0.0.0/24'] })).toEqual(['deny', 'apprulecoll', 'rule1']);
    // L4-traffic-with-FQDN names www.amazon.com without the DNS proxy: undecidable.
    expect(evaluate(rules, { fqdns: ['www.amazon.com'] }, { ...https, source: ['10.2.4.16/28'] }).verdict).toBe('undecidable');
  });

  it('classic DNS proxy from additionalProperties', () => {
    const fw = example('AzureFirewallGet.json') as ArmAzureFirewall;
    const on = { ...fw, properties: { ...fw.properties, additionalProperties: { 'Network.DNS.EnableProxy': 'true' } } };
    expect(decider(classicRules(on), { fqdns: ['www.amazon.com'] }, { ...https, source: ['10.2.4.16/28'] })).toEqual([
      'deny',
      'netrulecoll',
      'L4-traffic-with-FQDN',
    ]);
  });

  it('FirewallPolicyGet + RuleCollectionGroupGet: the Deny of 10.1.25.0/24; requireProxyForNetworkRules false turns the proxy off', () => {
    const p = example('FirewallPolicyGet.json') as ArmFirewallPolicy;
    const g = example('FirewallPolicyRuleCollectionGroupGet.json') as ArmRuleCollectionGroup;
    const rules = policyRules(FIREWALL, [{ policy: p, groups: [g] }]);
    expect(rules.dnsProxy).toBe(false);
    expect(decider(rules, afd, { ...https, source: ['10.1.25.0/24'] })).toEqual([
      'deny',
      'Example-Filter-Rule-Collection',
      'network-rule1',
    ]);
    expect(evaluate(rules, afd, { ...https, source: ['10.1.25.0/24'] }).deciding?.rule?.group).toEqual({
      name: 'ruleCollectionGroup1',
      priority: 110,
    });
  });

  it('IpGroupsGet with its malformed id still resolves by the id the rule names', () => {
    const ipg = example('IpGroupsGet.json') as { id: string; properties: { ipAddresses: string[] } };
    const g = example('FirewallPolicyRuleCollectionGroupWithIpGroupsGet.json') as ArmRuleCollectionGroup;
    const c: FirewallContext = {
      tags,
      ipGroups: new Map([
        ['/subscriptions/subid/providers/microsoft.network/resourcegroup/rg1/ipgroups/ipgroups1', ['10.62.8.0/24']],
        ['/subscriptions/subid/providers/microsoft.network/resourcegroup/rg1/ipgroups/ipgroups2', ipg.properties.ipAddresses],
      ]),
    };
    const rules = policyRules(FIREWALL, [{ policy: policy(), groups: [g] }]);
    const e = evaluate(rules, { addresses: ['13.64.39.16/32', '8.8.8.8/32'] }, { ...https, application: undefined }, c);
    expect(e.decisions.map((d) => [d.verdict, d.rule?.rule ?? 'default', d.destination])).toEqual([
      ['deny', 'network-rule1', ['13.64.39.16/32']],
      ['deny', 'default', undefined],
    ]);
  });

  it('web categories (RuleCollectionGroupWithWebCategoriesGet) are undecidable for names they could hold', () => {
    const g = example('FirewallPolicyRuleCollectionGroupWithWebCategoriesGet.json') as ArmRuleCollectionGroup;
    const rules = policyRules(FIREWALL, [{ policy: policy(), groups: [g] }]);
    expect(evaluate(rules, { fqdns: ['pypi.org'] }, { ...https, source: ['10.0.0.0/24'] }).verdict).toBe('undecidable');
  });
});

/** A point-wise first-match evaluator, written independently, for the property tests. */
function pointVerdict(rules: FirewallRules, address: string, source: string, port: number): 'allow' | 'deny' | 'undecidable' {
  for (const c of rules.network)
    for (const r of c.rules) {
      if (!(r.destinationPorts ?? []).some((p) => portCovers(p, port))) continue;
      const src = union(...(r.sourceAddresses ?? []).map((a) => resolveAddress(a, tags) ?? []));
      const dst = union(...(r.destinationAddresses ?? []).map((a) => resolveAddress(a, tags) ?? []));
      if (contains(src, [source]) && contains(dst, [address])) return c.ref.action === 'Allow' ? 'allow' : 'deny';
    }
  return 'deny';
}

describe('properties', () => {
  const destination = union([...MCR, ...AFD].filter((c) => !c.includes(':')));
  const cidr = fc.constantFrom(...destination.filter((_, i) => i % 7 === 0));
  const ruleArb = fc.record({
    src: fc.oneof(fc.constant('*'), fc.constant('10.62.8.0/25'), fc.constant('10.62.8.128-10.62.8.255'), fc.constant('10.63.0.0/16')),
    dst: fc.oneof(fc.constant('*'), fc.constant('MicrosoftContainerRegistry.WestEurope'), fc.constant('AzureFrontDoor.FirstParty'), cidr),
    port: fc.oneof(fc.constant('443'), fc.constant('*'), fc.constant('80')),
  });
  const policyArb = fc.array(
    fc.tuple(fc.integer({ min: 100, max: 65000 }), fc.boolean(), fc.array(ruleArb, { minLength: 1, maxLength: 4 })),
    { minLength: 1, maxLength: 6 },
  );
  const build = (cols: [number, boolean, { src: string; dst: string; port: string }[]][]) =>
    rulesOf(
      group(
        'g',
        100,
        ...cols.map(([prio, allow, rs], i) =>
          collection(
            `c${i}`,
            prio,
            allow ? 'Allow' : 'Deny',
            ...rs.map((r, j) => net(`r${i}-${j}`, { sourceAddresses: [r.src], destinationAddresses: [r.dst], destinationPorts: [r.port] })),
          ),
        ),
      ),
    );

  it('decisions partition source × destination exactly, with nothing decided twice', () => {
    fc.assert(
      fc.property(policyArb, (cols) => {
        const e = evaluate(build(cols), { addresses: destination }, { ...https, application: undefined });
        const byRule = e.decisions.filter((d) => d.destination);
        for (let i = 0; i < byRule.length; i++)
          for (let j = i + 1; j < byRule.length; j++) {
            const [a, b] = [byRule[i]!, byRule[j]!];
            if (overlaps(a.source, b.source)) expect(overlaps(a.destination!, b.destination!)).toBe(false);
          }
        const area = byRule.reduce((n, d) => n + size(d.source) * size(d.destination!), 0n);
        const whole = size(SUBNET) * size(destination);
        // Whatever no network rule decided falls to the default deny, source by source.
        if (e.decisions.every((d) => d.destination)) expect(area).toBe(whole);
        else expect(area < whole).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with a point-wise first-match evaluator at random points', () => {
    const points = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: destination.length - 1 }));
    fc.assert(
      fc.property(policyArb, points, (cols, [host, i]) => {
        const rules = build(cols);
        const source = `10.62.8.${host}/32`;
        const address = union([destination[i]!])[0]!.split('/')[0]! + '/32';
        const e = evaluate(rules, { addresses: [address] }, { source: [source], protocol: 'TCP', port: 443 });
        expect(e.verdict).toBe(pointVerdict(rules, address, source, 443));
      }),
      { numRuns: 300 },
    );
  });

  it('an Allow of everything at the top of the parent policy allows everything the child denies', () => {
    fc.assert(
      fc.property(policyArb, (cols) => {
        const child = build(cols);
        const base = {
          policy: policy(BASE),
          groups: [
            group('top', 65000, collection('allow-all', 65000, 'Allow', net('all', { destinationPorts: ['*'], ipProtocols: ['Any'] }))),
          ],
        };
        const childGroups = [
          group('g', 100, ...cols.map(([prio, allow], i) => collection(`c${i}`, prio, allow ? 'Allow' : 'Deny', net(`r${i}`)))),
        ];
        const rules = policyRules(FIREWALL, [{ policy: policy(), groups: childGroups }, base]);
        expect(evaluate(rules, mcr).verdict).toBe('allow');
        expect(child.network.length).toBe(cols.length);
      }),
      { numRuns: 100 },
    );
  });
});
