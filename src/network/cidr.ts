/**
 * Address sets as merged CIDR lists, IPv4 and IPv6 together, with exact set arithmetic.
 *
 * cidr-tools parses and formats addresses; the algebra runs on sorted, merged BigInt ranges so an
 * NSG of a thousand rules against a thousand tag prefixes stays in milliseconds (cidr-tools'
 * own excludeCidr re-parses every string of both sides on every call). Each set's ranges are cached
 * by array identity, so a set is parsed once however often the evaluator cuts it. A property test
 * holds these operations to cidr-tools' mergeCidr/excludeCidr on random inputs.
 *
 * Rendering ranges back as CIDR strings costs more than cutting them (a regional Storage tag is
 * thousands of blocks), so the evaluators cut `RangeSet`s and hand out answers whose address sets
 * render only when read (`withCidrs`); a caller that passes one on takes its ranges (`rangesAt`).
 * compute-outbound asks about a dozen tags and ports per subnet and renders the few a finding shows.
 */

import { format, parse, v4RangeToCidrs } from './address.js';

export type AddressSet = readonly string[];

type Range = readonly [bigint, bigint];
interface Ranges {
  readonly v4: readonly Range[];
  readonly v6: readonly Range[];
}

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;
const cache = new WeakMap<AddressSet, Ranges>();

export const ALL: AddressSet = freeze(['0.0.0.0/0', '::/0'], { v4: [[0n, V4_MAX]], v6: [[0n, V6_MAX]] });

/** Whether `s` is an IPv4/IPv6 address or CIDR. */
export function isCidr(s: string): boolean {
  return parse(s) !== undefined;
}

function rangesOf(set: AddressSet): Ranges {
  const hit = cache.get(set);
  if (hit) return hit;
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const c of set) {
    const p = parse(c);
    if (!p) throw new Error(`${c} is not an IPv4 or IPv6 address or CIDR`);
    (p.version === 4 ? v4 : v6).push([p.start, p.end]);
  }
  const r = { v4: normalise(v4), v6: normalise(v6) };
  cache.set(set, r);
  return r;
}

/** Sorts and merges overlapping or adjacent ranges. */
function normalise(list: Range[]): Range[] {
  if (list.length <= 1) return list;
  const sorted = [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [[sorted[0]![0], sorted[0]![1]]];
  for (let i = 1; i < sorted.length; i++) {
    const [s, e] = sorted[i]!;
    const last = out[out.length - 1]!;
    if (s <= last[1] + 1n) {
      if (e > last[1]) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
}

function subtract(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let j = 0;
  for (const [s0, e] of a) {
    let s = s0;
    while (j < b.length && b[j]![1] < s) j++;
    let k = j;
    while (k < b.length && b[k]![0] <= e) {
      const [bs, be] = b[k]!;
      if (bs > s) out.push([s, bs - 1n]);
      if (be >= e) {
        s = e + 1n;
        break;
      }
      s = be + 1n;
      k++;
    }
    if (s <= e) out.push([s, e]);
  }
  return out;
}

/** The first index at or after `from` whose range ends at or after `at` (ranges sorted, disjoint). */
function skipTo(list: readonly Range[], from: number, at: bigint): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]![1] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function overlapping(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    // Skip, by binary search, the ranges that end before the other side's next one starts: a small
    // set cut out of a large one costs its own size times a logarithm, not the large one's size.
    if (a[i]![1] < b[j]![0]) {
      i = skipTo(a, i + 1, b[j]![0]);
      continue;
    }
    if (b[j]![1] < a[i]![0]) {
      j = skipTo(b, j + 1, a[i]![0]);
      continue;
    }
    const s = a[i]![0] > b[j]![0] ? a[i]![0] : b[j]![0];
    const e = a[i]![1] < b[j]![1] ? a[i]![1] : b[j]![1];
    if (s <= e) out.push([s, e]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

/** The fewest CIDR blocks covering a range exactly. */
function rangeToCidrs([start, end]: Range, bits: 32 | 128): string[] {
  if (bits === 32) return v4RangeToCidrs(Number(start), Number(end));
  const out: string[] = [];
  let s = start;
  while (s <= end) {
    let size = 0n;
    // The largest aligned block starting at s that fits in the range.
    while (size < BigInt(bits) && (s & ((1n << (size + 1n)) - 1n)) === 0n && s + (1n << (size + 1n)) - 1n <= end) size++;
    out.push(`${format(s, bits)}/${bits - Number(size)}`);
    s += 1n << size;
  }
  return out;
}

function toSet(r: Ranges): AddressSet {
  return freeze([...r.v4.flatMap((x) => rangeToCidrs(x, 32)), ...r.v6.flatMap((x) => rangeToCidrs(x, 128))], r);
}

function freeze(list: string[], r: Ranges): AddressSet {
  const set = Object.freeze(list);
  cache.set(set, r);
  return set;
}

/**
 * An address set kept as ranges, for hot loops: cut it many times, render it as CIDRs once, and
 * only when something reads it (`toCidrs` remembers its answer, and `withCidrs` defers it).
 */
export class RangeSet {
  private rendered: AddressSet | undefined;
  private constructor(private readonly r: Ranges) {}
  static readonly EMPTY = new RangeSet({ v4: [], v6: [] });
  static of(set: AddressSet | RangeSet): RangeSet {
    return set instanceof RangeSet ? set : new RangeSet(rangesOf(set));
  }
  get empty(): boolean {
    return this.r.v4.length === 0 && this.r.v6.length === 0;
  }
  minus(other: RangeSet): RangeSet {
    if (this.empty || other.empty) return this;
    return new RangeSet({ v4: subtract(this.r.v4, other.r.v4), v6: subtract(this.r.v6, other.r.v6) });
  }
  intersect(other: RangeSet): RangeSet {
    if (other === this) return this;
    return new RangeSet({ v4: overlapping(this.r.v4, other.r.v4), v6: overlapping(this.r.v6, other.r.v6) });
  }
  overlaps(other: RangeSet): boolean {
    return overlapping(this.r.v4, other.r.v4).length > 0 || overlapping(this.r.v6, other.r.v6).length > 0;
  }
  /** Only the address families (IPv4, IPv6) that `like` holds any address of. */
  sameFamilies(like: RangeSet): RangeSet {
    const v4 = like.r.v4.length > 0;
    const v6 = like.r.v6.length > 0;
    if ((v4 || this.r.v4.length === 0) && (v6 || this.r.v6.length === 0)) return this;
    return new RangeSet({ v4: v4 ? this.r.v4 : [], v6: v6 ? this.r.v6 : [] });
  }
  /** The set as merged CIDR blocks, rendered once. */
  toCidrs(): AddressSet {
    return (this.rendered ??= toSet(this.r));
  }
  static union(...sets: readonly RangeSet[]): RangeSet {
    const some = sets.filter((s) => !s.empty);
    if (some.length <= 1) return some[0] ?? RangeSet.EMPTY;
    return new RangeSet({ v4: normalise(some.flatMap((s) => s.r.v4)), v6: normalise(some.flatMap((s) => s.r.v6)) });
  }
  /** Whether this set holds every address of `other`. */
  contains(other: RangeSet): boolean {
    return subtract(other.r.v4, this.r.v4).length === 0 && subtract(other.r.v6, this.r.v6).length === 0;
  }
}

/**
 * `target` with each of `sets` as an enumerable property that renders the ranges as CIDRs when
 * first read: an evaluator's answer names many address sets, and a caller reads few of them.
 */
export function withCidrs<T extends object, K extends string>(target: T, sets: Record<K, RangeSet>): T & Readonly<Record<K, AddressSet>> {
  for (const [key, set] of Object.entries(sets) as [K, RangeSet][])
    Object.defineProperty(target, key, { enumerable: true, configurable: true, get: () => set.toCidrs() });
  behind.set(target, sets);
  return target as T & Readonly<Record<K, AddressSet>>;
}

const behind = new WeakMap<object, Record<string, RangeSet>>();

/** The ranges of an address-set property, without rendering it when `withCidrs` defined it. */
export function rangesAt<T extends object>(target: T, key: keyof T & string): RangeSet {
  return behind.get(target)?.[key] ?? RangeSet.of(target[key] as AddressSet);
}

export function union(...sets: AddressSet[]): AddressSet {
  if (sets.length === 1 && cache.has(sets[0]!)) return toSet(rangesOf(sets[0]!));
  const all = sets.map(rangesOf);
  return toSet({ v4: normalise(all.flatMap((r) => r.v4)), v6: normalise(all.flatMap((r) => r.v6)) });
}

export function minus(a: AddressSet, b: AddressSet): AddressSet {
  if (a.length === 0 || b.length === 0) return a.length === 0 ? [] : union(a);
  const ra = rangesOf(a);
  const rb = rangesOf(b);
  return toSet({ v4: subtract(ra.v4, rb.v4), v6: subtract(ra.v6, rb.v6) });
}

export function intersect(a: AddressSet, b: AddressSet): AddressSet {
  if (a.length === 0 || b.length === 0) return [];
  const ra = rangesOf(a);
  const rb = rangesOf(b);
  const r = { v4: overlapping(ra.v4, rb.v4), v6: overlapping(ra.v6, rb.v6) };
  return r.v4.length === 0 && r.v6.length === 0 ? [] : toSet(r);
}

export function overlaps(a: AddressSet, b: AddressSet): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const ra = rangesOf(a);
  const rb = rangesOf(b);
  return overlapping(ra.v4, rb.v4).length > 0 || overlapping(ra.v6, rb.v6).length > 0;
}

/** Whether `a` holds every address of `b`. */
export function contains(a: AddressSet, b: AddressSet): boolean {
  if (b.length === 0) return true;
  const ra = rangesOf(a);
  const rb = rangesOf(b);
  return subtract(rb.v4, ra.v4).length === 0 && subtract(rb.v6, ra.v6).length === 0;
}

/**
 * The set of addresses from `first` to `last` inclusive (`10.1.4.12-10.1.4.255`, as Azure Firewall
 * rules write ranges); undefined when either end is not an address or they differ in family.
 */
export function addressRange(first: string, last: string): AddressSet | undefined {
  if (first.includes('/') || last.includes('/')) return undefined;
  const a = parse(first);
  const b = parse(last);
  if (a === undefined || b === undefined) return undefined;
  if (a.version !== b.version || a.start > b.start) return undefined;
  const r: Range = [a.start, b.start];
  return toSet(a.version === 4 ? { v4: [r], v6: [] } : { v4: [], v6: [r] });
}

/** Keeps only the address families (4, 6) present in `like`. */
export function sameFamilies(set: AddressSet, like: AddressSet): AddressSet {
  const families = new Set(like.map(family));
  // The set itself when nothing is dropped: its ranges stay cached by identity.
  return set.every((c) => families.has(family(c))) ? set : set.filter((c) => families.has(family(c)));
}

export function family(cidr: string): 4 | 6 {
  return cidr.includes(':') ? 6 : 4;
}

/** The number of addresses in a set, as a BigInt (IPv6 sets are large). */
export function size(set: AddressSet): bigint {
  const r = rangesOf(set);
  let n = 0n;
  for (const [s, e] of [...r.v4, ...r.v6]) n += e - s + 1n;
  return n;
}
