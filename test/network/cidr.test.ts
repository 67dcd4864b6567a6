import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from '../../src/network/address.js';
import { excludeCidr, mergeCidr, overlapCidr, containsCidr, parseCidr } from 'cidr-tools';
import {
  ALL,
  RangeSet,
  contains,
  intersect,
  isCidr,
  minus,
  overlaps,
  rangesAt,
  sameFamilies,
  size,
  union,
  withCidrs,
} from '../../src/network/cidr.js';

const v4cidr = fc
  .tuple(
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 8, max: 32 }),
  )
  .map(([a, b, c, d, len]) => `${a}.${b}.${c}.${d}/${len}`);
const v6cidr = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 16, max: 128 }))
  .map(([g, len]) => `${g.map((x) => x.toString(16)).join(':')}/${len}`);
const set = fc.array(fc.oneof(v4cidr, v4cidr, v6cidr), { maxLength: 8 });
const norm = (s: readonly string[]) => (s.length === 0 ? [] : mergeCidr([...s]));

describe('address set algebra agrees with cidr-tools', () => {
  it('union = mergeCidr', () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        expect(union(a, b)).toEqual(norm([...a, ...b]));
      }),
      { numRuns: 400 },
    );
  });
  it('minus = excludeCidr', () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        expect(minus(a, b)).toEqual(a.length === 0 ? [] : norm(excludeCidr(a, b.length ? b : [])));
      }),
      { numRuns: 400 },
    );
  });
  it('intersect = a − (a − b); overlaps and contains = overlapCidr and containsCidr', () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        const want = a.length === 0 || b.length === 0 ? [] : norm(excludeCidr(a, excludeCidr(a, b)));
        expect(intersect(a, b)).toEqual(want);
        expect(overlaps(a, b)).toBe(a.length > 0 && b.length > 0 && overlapCidr(a, b));
        if (a.length > 0 && b.length > 0) expect(contains(a, b)).toBe(containsCidr(a, b));
      }),
      { numRuns: 400 },
    );
  });
  it('sizes add up: |a| = |a ∩ b| + |a − b|', () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        expect(size(a)).toBe(size(intersect(a, b)) + size(minus(a, b)));
      }),
      { numRuns: 200 },
    );
  });
  it('merges adjacent blocks into their normal form', () => {
    expect(union(['10.0.0.0/25', '10.0.0.128/25'])).toEqual(['10.0.0.0/24']);
    expect(union(['10.0.1.0/24'], ['10.0.0.0/24'], ['10.0.2.0/23'])).toEqual(['10.0.0.0/22']);
    expect(minus(['10.0.0.0/22'], ['10.0.1.0/24'])).toEqual(['10.0.0.0/24', '10.0.2.0/23']);
    expect(union(['2603:1020:206:402::88/126', '2603:1020:206:402::8c/126'])).toEqual(['2603:1020:206:402::88/125']);
  });

  it('halves of split blocks always merge back (adjacency-biased inputs)', () => {
    const split = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 30 }), fc.integer({ min: 1, max: 4 }))
      .map(([a, len, depth]) => {
        const out: string[] = [];
        const base = `10.${a}.0.0`;
        let blocks = [[base, len] as const];
        for (let i = 0; i < depth; i++)
          blocks = blocks.flatMap(([b, l]) =>
            l >= 32 ? [[b, l] as const] : [[b, l + 1] as const, [addIp(b, 2 ** (32 - l - 1)), l + 1] as const],
          );
        for (const [b, l] of blocks) out.push(`${b}/${l}`);
        return { parts: out, whole: `${base}/${len}` };
      });
    fc.assert(
      fc.property(split, ({ parts, whole }) => {
        expect(union(parts)).toEqual(norm([whole]));
        expect(union(parts)).toEqual(norm(parts));
      }),
    );
  });

  it('ALL holds everything, and isCidr tells addresses from tag names', () => {
    expect(contains(ALL, ['8.8.8.8', '2001:db8::/32'])).toBe(true);
    expect(size(ALL)).toBe(2n ** 32n + 2n ** 128n);
    expect(['10.0.0.0/8', '10.0.0.1', '2603:1020::/48', '::1'].every(isCidr)).toBe(true);
    expect(['Internet', 'MicrosoftContainerRegistry.WestEurope', 'AzureCloud', '10.0.0.0/33', '*'].some(isCidr)).toBe(false);
  });
});

describe('the address parser agrees with cidr-tools', () => {
  const compressed = fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
      fc.integer({ min: 0, max: 7 }),
      fc.integer({ min: 1, max: 8 }),
    )
    .map(([g, at, run]) => {
      const zeroed = g.map((x, i) => (i >= at && i < at + run ? 0 : x));
      const hex = zeroed.map((x) => x.toString(16));
      // Compress the zero run by hand, as a person writes it.
      return `${hex.slice(0, at).join(':')}::${hex.slice(Math.min(8, at + run)).join(':')}`;
    })
    .filter((t) => t.split(':').length <= 9);
  const address = fc.oneof(
    v4cidr,
    v6cidr,
    compressed,
    compressed.map((a) => `${a}/64`),
    fc.constant('::ffff:10.1.2.3'),
    fc.constant('::'),
  );
  it('on addresses and CIDRs, full and compressed: family, prefix, start and end', () => {
    fc.assert(
      fc.property(address, (text) => {
        const ours = parse(text);
        const theirs = parseCidr(text);
        expect(ours).toEqual({ version: theirs.version, prefix: Number(theirs.prefix), start: theirs.start, end: theirs.end });
      }),
      { numRuns: 1000 },
    );
  });
  it('rejects what ARM rejects, cidr-tools or not', () => {
    for (const bad of [
      '10.0.0.0/33',
      '256.0.0.1',
      '10.0.0',
      '10.0.0.0.0',
      '1::2::3',
      '1:2:3:4:5:6:7:8::',
      ':1:2',
      '12345::',
      '::1/129',
      '10.0.0.0/',
      '10.0.0.0/ 8',
      'Internet',
      '*',
      '',
      ' 10.0.0.0/8',
      '1.2.3.4::',
      '1..2.3',
      '1.2.3.4.',
      '.1.2.3',
      '1.2.3.0004',
    ])
      expect(parse(bad), bad).toBeUndefined();
    expect(parse('10.0.0.5/24')).toEqual({ version: 4, prefix: 24, start: 0x0a000000n, end: 0x0a0000ffn });
  });
  it('renders IPv6 in RFC 5952 form: one zero group stays, the longest run (the first of equals) becomes ::', () => {
    expect(union(['2001:db8:0:1:1:1:1:1/128'])).toEqual(['2001:db8:0:1:1:1:1:1/128']);
    expect(union(['2001:0:0:1:0:0:0:1/128'])).toEqual(['2001:0:0:1::1/128']);
    expect(union(['2001:db8:0:0:1:0:0:1/128'])).toEqual(['2001:db8::1:0:0:1/128']);
    expect(union(['0:0:0:0:0:0:0:0/0'])).toEqual(['::/0']);
    expect(union(['2603:1020:0:0:0:0:0:0/48'])).toEqual(['2603:1020::/48']);
  });
});

describe('range sets rendered when read', () => {
  it('RangeSet operations render to what the CIDR-list operations answer', () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        const [ra, rb] = [RangeSet.of(a), RangeSet.of(b)];
        expect(ra.minus(rb).toCidrs()).toEqual(minus(a, b));
        expect(ra.intersect(rb).toCidrs()).toEqual(intersect(a, b));
        expect(RangeSet.union(ra, rb).toCidrs()).toEqual(union(a, b));
        expect(ra.overlaps(rb)).toBe(overlaps(a, b));
        expect(ra.sameFamilies(rb).toCidrs()).toEqual(union(sameFamilies(a, b)));
      }),
      { numRuns: 300 },
    );
  });
  it('withCidrs defers rendering until a property is read, renders once, and hands its ranges on unrendered', () => {
    const ranges = RangeSet.of(['10.0.0.0/25', '10.0.0.128/25', '2603:1020::/48']);
    const calls: number[] = [];
    const render = ranges.toCidrs.bind(ranges);
    ranges.toCidrs = () => (calls.push(1), render());
    const obj = withCidrs({ verdict: 'deny' as const }, { destination: ranges });
    expect(rangesAt(obj, 'destination')).toBe(ranges);
    expect(calls).toHaveLength(0);
    expect(Object.keys(obj)).toEqual(['verdict', 'destination']);
    expect(JSON.parse(JSON.stringify(obj))).toEqual({ verdict: 'deny', destination: ['10.0.0.0/24', '2603:1020::/48'] });
    expect(obj.destination).toBe(obj.destination);
    expect(calls.length).toBeGreaterThan(0);
    // A plain object's set is parsed (once, by identity) instead.
    expect(rangesAt({ destination: ['10.0.0.0/24'] }, 'destination').toCidrs()).toEqual(['10.0.0.0/24']);
  });
  it('sameFamilies keeps the same array when nothing is dropped, so its parsed ranges stay cached', () => {
    const tag = ['10.0.0.0/24', '2603:1020::/48'];
    expect(sameFamilies(tag, ['10.1.0.0/24', 'fd00::/64'])).toBe(tag);
    expect(sameFamilies(tag, ['10.1.0.0/24'])).toEqual(['10.0.0.0/24']);
  });
});

function addIp(ip: string, n: number): string {
  const v = ip.split('.').reduce((a, o) => a * 256 + Number(o), 0) + n;
  return [24, 16, 8, 0].map((sh) => Math.floor(v / 2 ** sh) % 256).join('.');
}
