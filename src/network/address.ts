/**
 * One IPv4 or IPv6 address or CIDR, parsed and rendered: the text end of `cidr.ts`'s set algebra.
 * Hand-written because service tags hold thousands of prefixes and cidr-tools' parser (which a
 * property test holds this one to) costs several times more per prefix.
 */

/** One parsed address or CIDR: its family, prefix length and the range it covers. */
export interface ParsedCidr {
  readonly version: 4 | 6;
  readonly prefix: number;
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * Parses an IPv4/IPv6 address or CIDR (`10.0.0.0/8`, `2603:1020::/48`, `::ffff:10.0.0.1`); the
 * range starts at the network address, as ARM reads `10.0.0.5/24`. Undefined when it is neither.
 */
export function parse(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return undefined;
  if (!addr.includes(':')) {
    const n = ipv4(addr);
    if (n === undefined) return undefined;
    const prefix = lenText === undefined ? 32 : Number(lenText);
    if (prefix > 32) return undefined;
    const hostBits = 2 ** (32 - prefix);
    const start = n - (n % hostBits);
    return { version: 4, prefix, start: BigInt(start), end: BigInt(start + hostBits - 1) };
  }
  const n = ipv6(addr);
  if (n === undefined) return undefined;
  const prefix = lenText === undefined ? 128 : Number(lenText);
  if (prefix > 128) return undefined;
  const host = (1n << BigInt(128 - prefix)) - 1n;
  return { version: 6, prefix, start: n & ~host, end: (n & ~host) | host };
}

function ipv4(text: string): number | undefined {
  // By character codes: a service tag's thousands of prefixes are parsed at every start.
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      octet = octet * 10 + (c - 48);
    } else if (c === 46 && digits > 0 && dots < 3) {
      if (octet > 255) return undefined;
      n = n * 256 + octet;
      [octet, digits] = [0, 0];
      dots++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || octet > 255) return undefined;
  return n * 256 + octet;
}

function ipv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = ipv4(p);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 address ends the address: never before `::`.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  // One BigInt from 32 hex digits: cheaper than eight shifts.
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return BigInt(`0x${all.map((g) => g.toString(16).padStart(4, '0')).join('')}`);
}

/** The same in IEEE doubles, which hold every IPv4 address exactly: most sets are IPv4, and BigInt costs. */
export function v4RangeToCidrs(start: number, end: number): string[] {
  const out: string[] = [];
  let s = start;
  while (s <= end) {
    let size = 0;
    while (size < 32 && s % 2 ** (size + 1) === 0 && s + 2 ** (size + 1) - 1 <= end) size++;
    out.push(`${s >>> 24}.${(s >>> 16) & 255}.${(s >>> 8) & 255}.${s & 255}/${32 - size}`);
    s += 2 ** size;
  }
  return out;
}

/** An IPv6 address in RFC 5952's form: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
export function format(n: bigint, bits: 32 | 128): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((sh) => String((n >> sh) & 255n)).join('.');
  const groups: number[] = [];
  for (let sh = 112n; sh >= 0n; sh -= 16n) groups.push(Number((n >> sh) & 0xffffn));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}
