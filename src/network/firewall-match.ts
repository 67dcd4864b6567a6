/**
 * How one Azure Firewall rule's fields meet the traffic: address entries (addresses, CIDRs, ranges,
 * service tags), ports, FQDN patterns, and an application rule's targets. Pure.
 *
 * From https://learn.microsoft.com/azure/firewall/firewall-faq: a target FQDN `*.contoso.com`
 * matches every name under contoso.com but not contoso.com itself; HTTPS is matched by SNI. Web
 * categories, FQDN tags and target URLs name members ARM does not list: what such a rule would
 * decide is undecidable, never guessed.
 */
import { ALL, RangeSet, addressRange, isCidr, type AddressSet } from './cidr.js';
import type { FirewallApplicationRule } from './firewall-rules.js';
import type { ServiceTagIndex } from './service-tags.js';

/** Resolves one address entry of a rule: `*`, an address, a CIDR, a range or a service tag. */
export function resolveAddress(entry: string, tags: ServiceTagIndex): AddressSet | undefined {
  return resolveAddressRanges(entry, tags)?.toCidrs();
}

/** The same as ranges: a tag's thousands of prefixes are not rendered as CIDRs to be parsed again. */
export function resolveAddressRanges(entry: string, tags: ServiceTagIndex): RangeSet | undefined {
  const e = entry.trim();
  if (e === '*') return RangeSet.of(ALL);
  if (isCidr(e)) return RangeSet.of([e]);
  const range = /^([0-9a-fA-F:.]+)\s*-\s*([0-9a-fA-F:.]+)$/.exec(e);
  if (range) {
    const set = addressRange(range[1]!, range[2]!);
    return set && RangeSet.of(set);
  }
  return tags.get(e)?.ranges;
}

export { portCovers } from './ports.js';

/** Whether a name pattern matches one name, Azure Firewall's way (`*.x` is every name under x). */
export function fqdnMatches(pattern: string, name: string): boolean {
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  if (p === '*') return true;
  if (p.startsWith('*')) return n.endsWith(p.slice(1)) && n.length > p.length - 1;
  return p === n;
}

/**
 * How a rule's pattern relates to a destination pattern: `cover` when it matches every name the
 * destination stands for, `overlap` when it matches some, `none` otherwise.
 */
export function fqdnRelation(pattern: string, destination: string): 'cover' | 'overlap' | 'none' {
  const d = destination.trim().toLowerCase();
  if (!d.startsWith('*')) return fqdnMatches(pattern, d) ? 'cover' : 'none';
  const p = pattern.trim().toLowerCase();
  if (p === '*') return 'cover';
  const dSuffix = d.slice(1);
  if (p.startsWith('*')) {
    const pSuffix = p.slice(1);
    if (dSuffix.endsWith(pSuffix)) return 'cover';
    return pSuffix.endsWith(dSuffix) ? 'overlap' : 'none';
  }
  return fqdnMatches(d, p) ? 'overlap' : 'none';
}

/** Whether an application rule matches a name: by target FQDN, or undecidably by tag, category or URL. */
export function nameMatch(
  rule: FirewallApplicationRule,
  fqdn: string | undefined,
  act: 'Allow' | 'Deny',
): 'cover' | 'none' | { why: string } {
  const targets = rule.targetFqdns ?? [];
  if (fqdn === undefined) {
    if (targets.some((t) => t.trim() === '*')) return 'cover';
  } else {
    const rel = targets.map((t) => fqdnRelation(t, fqdn));
    if (rel.includes('cover')) return 'cover';
    // A Deny for some of the names a pattern stands for denies that pattern's traffic.
    if (act === 'Deny' && rel.includes('overlap')) return 'cover';
  }
  if ((rule.fqdnTags?.length ?? 0) > 0) return { why: `FQDN tags (${rule.fqdnTags!.join(', ')}) list no members in ARM` };
  if ((rule.webCategories?.length ?? 0) > 0) return { why: `web categories (${rule.webCategories!.join(', ')}) list no members in ARM` };
  if (fqdn !== undefined && (rule.targetUrls ?? []).some((u) => fqdnRelation(u.split('/')[0] ?? '', fqdn) !== 'none'))
    return { why: 'target URLs are matched on the decrypted path, which is not knowable from ARM' };
  return 'none';
}
