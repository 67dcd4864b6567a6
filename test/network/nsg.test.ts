import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contains, intersect, size, union } from '../../src/network/cidr.js';
import {
  evaluateNsg,
  portMatches,
  protocolMatches,
  resolvePrefix,
  verdictAt,
  type Nsg,
  type NsgRule,
  type NsgContext,
} from '../../src/network/nsg.js';
import { indexServiceTags } from '../../src/network/service-tags.js';
import { packageRoot } from '../../src/base/paths.js';

/** Microsoft's public tag data (mocks/fixtures/SOURCES.md), as serviceTags.list answers it. */
function realTags() {
  const dir = join(packageRoot, 'mocks', 'fixtures', 'service-tags');
  return indexServiceTags({
    values: readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'))),
  });
}
const tags = realTags();
const MCR = tags.get('MicrosoftContainerRegistry')!;
const MCR_WEU = tags.get('MicrosoftContainerRegistry.WestEurope')!;
const AFD = tags.get('AzureFrontDoor.FirstParty')!;
const SUBNET = ['10.20.1.0/24'];
const ctx: NsgContext = { virtualNetwork: ['10.20.0.0/16'], tags };
const v4 = (set: readonly string[]) => set.filter((c) => !c.includes(':'));

let priority = 100;
function rule(p: Partial<NsgRule> & { access: string }): NsgRule {
  return {
    name: p.name ?? `rule-${priority}`,
    priority: p.priority ?? priority++,
    direction: 'Outbound',
    protocol: 'Tcp',
    sourceAddressPrefix: '*',
    destinationAddressPrefix: '*',
    destinationPortRange: '443',
    ...p,
  };
}
function nsg(...rules: NsgRule[]): Nsg {
  return { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-test', securityRules: rules };
}
const flow = (destination: readonly string[], protocol: 'Tcp' | 'Udp' = 'Tcp', port = 443) => ({
  source: SUBNET,
  destination,
  protocol,
  port,
});
const denyInternet = () =>
  rule({
    name: 'DenyInternetOutbound',
    priority: 4000,
    access: 'Deny',
    protocol: '*',
    destinationPortRange: '*',
    destinationAddressPrefix: 'Internet',
  });

describe('NSG evaluator with the real service-tag data', () => {
  it('allows every MCR and Front Door address when both tags are allowed before a deny', () => {
    const g = nsg(
      rule({ access: 'Allow', destinationAddressPrefix: 'MicrosoftContainerRegistry' }),
      rule({ access: 'Allow', destinationAddressPrefix: 'AzureFrontDoor.FirstParty' }),
      denyInternet(),
    );
    for (const target of [MCR, MCR_WEU, AFD]) {
      const e = evaluateNsg(g, flow(target.prefixes), ctx);
      expect(e.denied).toEqual([]);
      expect(e.allowed).toEqual(target.prefixes);
    }
  });

  it('deny before allow: the lower priority number wins, and the denial names it', () => {
    const g = nsg(
      rule({ name: 'DenyMcr', priority: 100, access: 'Deny', destinationAddressPrefix: 'MicrosoftContainerRegistry' }),
      rule({ name: 'AllowMcr', priority: 200, access: 'Allow', destinationAddressPrefix: 'MicrosoftContainerRegistry' }),
    );
    const e = evaluateNsg(g, flow(MCR_WEU.prefixes), ctx);
    expect(e.allowed).toEqual([]);
    expect(e.denied).toHaveLength(1);
    expect(e.denied[0]!.rule).toMatchObject({ name: 'DenyMcr', priority: 100, access: 'Deny', isDefault: false });
    expect(e.denied[0]!.destination).toEqual(MCR_WEU.prefixes);
  });

  it('a regional tag is contained in its global tag: allowing the global allows the regional', () => {
    expect(contains(MCR.prefixes, MCR_WEU.prefixes)).toBe(true);
    const e = evaluateNsg(
      nsg(rule({ access: 'Allow', destinationAddressPrefix: 'MicrosoftContainerRegistry' }), denyInternet()),
      flow(MCR_WEU.prefixes),
      ctx,
    );
    expect(e.allowed).toEqual(MCR_WEU.prefixes);
  });

  it('allowing only the regional tag leaves the rest of the global tag denied', () => {
    const e = evaluateNsg(
      nsg(rule({ access: 'Allow', destinationAddressPrefix: 'MicrosoftContainerRegistry.WestEurope' }), denyInternet()),
      flow(MCR.prefixes),
      ctx,
    );
    expect(e.allowed).toEqual(MCR_WEU.prefixes);
    expect(e.denied[0]!.rule.name).toBe('DenyInternetOutbound');
    expect(union(e.allowed, e.denied[0]!.destination)).toEqual(MCR.prefixes);
  });

  it('matches tag names case-insensitively', () => {
    const e = evaluateNsg(
      nsg(rule({ access: 'Allow', destinationAddressPrefix: 'microsoftcontainerregistry.westeurope' }), denyInternet()),
      flow(MCR_WEU.prefixes),
      ctx,
    );
    expect(e.allowed).toEqual(MCR_WEU.prefixes);
  });

  it('Front Door missing: MCR allowed, every Front Door address denied by the Internet deny', () => {
    const g = nsg(rule({ access: 'Allow', destinationAddressPrefix: 'MicrosoftContainerRegistry' }), denyInternet());
    const e = evaluateNsg(g, flow(AFD.prefixes), ctx);
    expect(e.allowed).toEqual([]);
    expect(e.denied.map((d) => [d.rule.name, d.rule.priority])).toEqual([['DenyInternetOutbound', 4000]]);
  });

  it('explicit CIDR lists: all prefixes allow fully; one missing prefix is denied exactly', () => {
    const all = [...MCR_WEU.prefixes];
    const full = evaluateNsg(
      nsg(rule({ access: 'Allow', destinationAddressPrefix: null, destinationAddressPrefixes: all }), denyInternet()),
      flow(all),
      ctx,
    );
    expect(full.allowed).toEqual(MCR_WEU.prefixes);
    const missing = all[1]!;
    const partial = evaluateNsg(
      nsg(
        rule({ access: 'Allow', destinationAddressPrefix: null, destinationAddressPrefixes: all.filter((p) => p !== missing) }),
        denyInternet(),
      ),
      flow(all),
      ctx,
    );
    expect(partial.denied[0]!.destination).toEqual([missing]);
    expect(union(partial.allowed, [missing])).toEqual(MCR_WEU.prefixes);
  });

  it('a UDP-only allow does not carry TCP 443', () => {
    const e = evaluateNsg(
      nsg(rule({ access: 'Allow', protocol: 'Udp', destinationAddressPrefix: 'MicrosoftContainerRegistry' }), denyInternet()),
      flow(MCR_WEU.prefixes),
      ctx,
    );
    expect(e.allowed).toEqual([]);
    expect(e.denied[0]!.rule.name).toBe('DenyInternetOutbound');
  });

  it.each([
    [{ destinationPortRange: '443' }, true],
    [{ destinationPortRange: '*' }, true],
    [{ destinationPortRange: '400-500' }, true],
    [{ destinationPortRange: '443-443' }, true],
    [{ destinationPortRange: '444-500' }, false],
    [{ destinationPortRange: '80' }, false],
    [{ destinationPortRange: null, destinationPortRanges: ['80', '8443', '440-445'] }, true],
    [{ destinationPortRange: null, destinationPortRanges: ['80', '8443'] }, false],
    [{ destinationPortRange: 'bogus' }, false],
  ])('port ranges %j → %s', (ports, match) => {
    expect(portMatches(ports, 443)).toBe(match);
  });

  it.each([
    ['*', true],
    ['Tcp', true],
    ['TCP', true],
    ['Udp', false],
    ['Icmp', false],
  ])('protocol %s matches Tcp: %s', (p, m) => {
    expect(protocolMatches(p, 'Tcp')).toBe(m);
  });

  it('a deny whose source is another subnet does not apply', () => {
    const g = nsg(
      rule({ access: 'Deny', sourceAddressPrefix: '10.20.9.0/24', destinationAddressPrefix: 'MicrosoftContainerRegistry' }),
      rule({ access: 'Allow', destinationAddressPrefix: 'MicrosoftContainerRegistry' }),
      denyInternet(),
    );
    expect(evaluateNsg(g, flow(MCR_WEU.prefixes), ctx).allowed).toEqual(MCR_WEU.prefixes);
  });

  it('a deny from half the subnet denies exactly that half, and nothing counts as allowed for all sources', () => {
    const g = nsg(
      rule({
        access: 'Deny',
        sourceAddressPrefixes: ['10.20.1.0/25'],
        sourceAddressPrefix: null,
        destinationAddressPrefix: 'MicrosoftContainerRegistry',
      }),
      rule({ access: 'Allow', destinationAddressPrefix: 'MicrosoftContainerRegistry' }),
    );
    const e = evaluateNsg(g, flow(MCR_WEU.prefixes), ctx);
    expect(e.denied[0]!.source).toEqual(['10.20.1.0/25']);
    expect(e.allowed).toEqual([]);
    expect(verdictAt(e, '10.20.1.200', '13.69.64.81')!.verdict).toBe('allow');
    expect(verdictAt(e, '10.20.1.5', '13.69.64.81')!.verdict).toBe('deny');
  });

  it('VirtualNetwork as source covers the subnet', () => {
    const e = evaluateNsg(
      nsg(rule({ access: 'Deny', sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'AzureFrontDoor.FirstParty' })),
      flow(AFD.prefixes),
      ctx,
    );
    expect(e.denied[0]!.destination).toEqual(AFD.prefixes);
  });

  it('no NSG allows everything', () => {
    expect(evaluateNsg(undefined, flow(MCR.prefixes), ctx).allowed).toEqual(MCR.prefixes);
  });

  it('applies the default rules when the answer omits them: AllowInternetOutBound allows public addresses', () => {
    const e = evaluateNsg(nsg(), flow(AFD.prefixes), ctx);
    expect(e.allowed).toEqual(AFD.prefixes);
    const inVnet = evaluateNsg(nsg(rule({ access: 'Deny', destinationAddressPrefix: 'Internet' })), flow(['10.20.2.4/32']), ctx);
    expect(inVnet.allowed).toEqual(['10.20.2.4/32']);
    expect(inVnet.decisions[0]!.rule!.name).toBe('AllowVnetOutBound');
  });

  it('Internet is everything outside VirtualNetwork, and VirtualNetwork takes in UDR prefixes', () => {
    expect(resolvePrefix('Internet', ctx)).toEqual({ set: expect.not.arrayContaining(['10.20.0.0/16']) });
    const forced: NsgContext = { ...ctx, virtualNetwork: union(['10.20.0.0/16', '0.0.0.0/0']) };
    // With a 0.0.0.0/0 user route, AllowVnetOutBound matches every IPv4 address (documented behaviour).
    const e = evaluateNsg(nsg(rule({ access: 'Deny', destinationAddressPrefix: 'Internet' })), flow(v4(AFD.prefixes)), forced);
    expect(e.allowed).toEqual(v4(AFD.prefixes));
    expect(e.decisions.every((d) => d.rule?.name === 'AllowVnetOutBound')).toBe(true);
  });

  it('rules naming application security groups make their ranges undecidable, not guessed', () => {
    const g = nsg(
      rule({
        name: 'AllowFromBuildAsg',
        access: 'Allow',
        sourceAddressPrefix: null,
        sourceApplicationSecurityGroups: [{ id: 'asg' }],
        destinationAddressPrefix: 'MicrosoftContainerRegistry',
      }),
      denyInternet(),
    );
    const e = evaluateNsg(g, flow(MCR_WEU.prefixes), ctx);
    expect(e.undecidable).toHaveLength(1);
    expect(e.undecidable[0]!.why).toMatch(/application security groups/);
    expect(e.undecidable[0]!.destination).toEqual(MCR_WEU.prefixes);
    expect(e.allowed).toEqual([]);
    expect(e.denied).toEqual([]);
  });

  it('an unknown tag is undecidable with the reason', () => {
    const e = evaluateNsg(
      nsg(rule({ access: 'Allow', destinationAddressPrefix: 'NotARealTag' }), denyInternet()),
      flow(MCR_WEU.prefixes),
      ctx,
    );
    expect(e.undecidable[0]!.why).toMatch(/"NotARealTag" is neither/);
  });

  it('handles IPv6 prefixes of the tags exactly', () => {
    const v6 = MCR_WEU.prefixes.filter((c) => c.includes(':'));
    expect(v6.length).toBeGreaterThan(0);
    const e = evaluateNsg(
      nsg(rule({ access: 'Allow', destinationAddressPrefix: v6[0]! }), denyInternet()),
      { ...flow(v6), source: ['fd00:20::/64'] },
      ctx,
    );
    expect(e.allowed).toEqual([v6[0]]);
    expect(e.denied[0]!.destination).toEqual(v6.slice(1));
  });
});

// --- property-based: the evaluator agrees with a brute-force oracle on every sampled address pair ---

const smallTags = indexServiceTags({
  values: [
    { name: 'TagA', properties: { region: '', addressPrefixes: ['20.0.0.0/24', '20.0.2.0/23'] } },
    { name: 'TagA.Region1', properties: { region: 'region1', addressPrefixes: ['20.0.2.0/24'] } },
    { name: 'TagB', properties: { region: '', addressPrefixes: ['30.0.0.0/25', '20.0.0.128/25'] } },
  ],
});
const pctx: NsgContext = { virtualNetwork: ['10.0.0.0/16'], tags: smallTags };
const PSUBNET = ['10.0.1.0/24'];
const TARGET = union(['20.0.0.0/22', '30.0.0.0/24', '10.0.5.0/24']);

const prefixArb = fc.constantFrom(
  '*',
  'VirtualNetwork',
  'Internet',
  'TagA',
  'tagA.region1',
  'TagB',
  '20.0.0.0/23',
  '20.0.1.17',
  '30.0.0.64/26',
  '10.0.1.0/25',
  '10.0.1.128/26',
  '10.0.5.0/24',
  '0.0.0.0/0',
);
const ruleArb = fc.record({
  access: fc.constantFrom('Allow', 'Deny'),
  protocol: fc.constantFrom('*', 'Tcp', 'Udp'),
  destinationPortRange: fc.constantFrom('*', '443', '80', '400-500', '444-450'),
  sourceAddressPrefix: fc.constantFrom('*', 'VirtualNetwork', '10.0.1.0/25', '10.0.1.0/24', '10.9.0.0/16', 'Internet'),
  destinationAddressPrefixes: fc.array(prefixArb, { minLength: 1, maxLength: 3 }),
  direction: fc.constantFrom('Outbound', 'Outbound', 'Outbound', 'Inbound'),
});
const ipIn = (cidrs: readonly string[]) =>
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((n) => {
    const all = cidrs.flatMap((c) => {
      const [base, len] = c.split('/');
      const start = base!.split('.').reduce((a, o) => a * 256 + Number(o), 0);
      return [{ start, count: 2 ** (32 - Number(len ?? 32)) }];
    });
    const total = all.reduce((a, r) => a + r.count, 0);
    let k = n % total;
    for (const r of all) {
      if (k < r.count) return [24, 16, 8, 0].map((s) => ((r.start + k) >>> s) & 255).join('.');
      k -= r.count;
    }
    throw new Error('unreachable');
  });

/** An IPv4 address as a number, and membership in a CIDR: written here, independent of the evaluator. */
const ipNum = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const inCidr = (ip: string, cidr: string) => {
  const [base, len] = cidr.split('/');
  const bits = Number(len ?? 32);
  const size = 2 ** (32 - bits);
  return Math.floor(ipNum(ip) / size) === Math.floor(ipNum(base!) / size);
};
/** The oracle's own reading of each prefix the generator can produce. */
const ORACLE_PREFIXES: Record<string, (ip: string) => boolean> = {
  '*': () => true,
  virtualnetwork: (ip) => inCidr(ip, '10.0.0.0/16'),
  internet: (ip) => !inCidr(ip, '10.0.0.0/16'),
  taga: (ip) => inCidr(ip, '20.0.0.0/24') || inCidr(ip, '20.0.2.0/23'),
  'taga.region1': (ip) => inCidr(ip, '20.0.2.0/24'),
  tagb: (ip) => inCidr(ip, '30.0.0.0/25') || inCidr(ip, '20.0.0.128/25'),
};
const oracleIn = (prefix: string, ip: string) =>
  (ORACLE_PREFIXES[prefix.toLowerCase()] ?? ((x: string) => inCidr(x, prefix.includes('/') ? prefix : `${prefix}/32`)))(ip);
const oraclePort = (r: NsgRule) =>
  [...(r.destinationPortRanges ?? []), ...(r.destinationPortRange ? [r.destinationPortRange] : [])].some((p) => {
    if (p === '*') return true;
    const [lo, hi] = p.split('-').map(Number);
    return 443 >= lo! && 443 <= (hi ?? lo!);
  });

/** The oracle: walk the rules for one address pair, the way Azure documents it. */
function oracle(g: Nsg, src: string, dst: string): { access: string; name: string } {
  const rules = [
    ...g.securityRules.filter((r) => r.direction === 'Outbound'),
    ...[
      {
        name: 'AllowVnetOutBound',
        priority: 65000,
        access: 'Allow',
        protocol: '*',
        destinationPortRange: '*',
        sourceAddressPrefix: 'VirtualNetwork',
        destinationAddressPrefix: 'VirtualNetwork',
        direction: 'Outbound',
      },
      {
        name: 'AllowInternetOutBound',
        priority: 65001,
        access: 'Allow',
        protocol: '*',
        destinationPortRange: '*',
        sourceAddressPrefix: '*',
        destinationAddressPrefix: 'Internet',
        direction: 'Outbound',
      },
      {
        name: 'DenyAllOutBound',
        priority: 65500,
        access: 'Deny',
        protocol: '*',
        destinationPortRange: '*',
        sourceAddressPrefix: '*',
        destinationAddressPrefix: '*',
        direction: 'Outbound',
      },
    ],
  ].sort((a, b) => a.priority - b.priority);
  for (const r of rules) {
    if (!(r.protocol === '*' || r.protocol === 'Tcp') || !oraclePort(r)) continue;
    const srcs = [...(r.sourceAddressPrefixes ?? []), ...(r.sourceAddressPrefix ? [r.sourceAddressPrefix] : [])];
    const dsts = [...(r.destinationAddressPrefixes ?? []), ...(r.destinationAddressPrefix ? [r.destinationAddressPrefix] : [])];
    if (srcs.some((p) => oracleIn(p, src)) && dsts.some((p) => oracleIn(p, dst))) return { access: r.access, name: r.name };
  }
  throw new Error('no rule matched');
}

describe('NSG evaluator, property-based against an oracle', () => {
  it('agrees with the rule walk on every sampled (source, destination) pair', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 12 }),
        fc.array(fc.tuple(ipIn(PSUBNET), ipIn(TARGET)), { minLength: 20, maxLength: 20 }),
        (rawRules, samples) => {
          const g: Nsg = { id: 'nsg', securityRules: rawRules.map((r, i) => ({ ...r, name: `r${i}`, priority: 100 + i * 10 })) };
          const e = evaluateNsg(g, { source: PSUBNET, destination: TARGET, protocol: 'Tcp', port: 443 }, pctx);
          for (const [src, dst] of samples) {
            const want = oracle(g, src, dst);
            const got = verdictAt(e, src, dst);
            expect(got, `${src} → ${dst}`).toBeDefined();
            expect(got!.verdict).toBe(want.access === 'Allow' ? 'allow' : 'deny');
            expect(got!.rule!.name).toBe(want.name);
          }
          // The decisions tile the whole space exactly once.
          const covered = e.decisions.reduce((n, d) => n + size(d.source) * size(d.destination), 0n);
          expect(covered).toBe(size(PSUBNET) * size(TARGET));
          // `allowed` is exactly the destinations allowed from every source address.
          for (const [, dst] of samples) {
            const everywhere = e.decisions.filter((d) => intersect(d.destination, [dst]).length > 0).every((d) => d.verdict === 'allow');
            expect(contains(e.allowed, [dst])).toBe(everywhere);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
