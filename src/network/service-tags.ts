/**
 * Service tags resolved to prefixes from the live `serviceTags` API answer.
 * https://learn.microsoft.com/azure/virtual-network/service-tags-overview
 *
 * Tag names match case-insensitively. A regional tag (`MicrosoftContainerRegistry.WestEurope`) is
 * its own entry in the answer; the global tag (`MicrosoftContainerRegistry`) contains every region's.
 */
import { RangeSet, type AddressSet } from './cidr.js';

export interface ServiceTag {
  readonly name: string;
  /** ARM location name (`westeurope`), empty for global tags. */
  readonly region: string;
  readonly systemService: string;
  /** The tag's addresses as merged CIDRs, rendered when first read. */
  readonly prefixes: AddressSet;
  /** The same addresses as ranges, parsed when first read: what the evaluators cut, unrendered. */
  readonly ranges: RangeSet;
}

export interface ServiceTagIndex {
  /** Tag by name, case-insensitively. */
  get(name: string): ServiceTag | undefined;
  /** The regional tag of a service in a region (`MicrosoftContainerRegistry`, `westeurope`), if any. */
  regional(service: string, region: string): ServiceTag | undefined;
  readonly changeNumber: string | undefined;
  readonly size: number;
}

interface TagAnswer {
  changeNumber?: string;
  values?: readonly {
    name?: string;
    id?: string;
    properties?: { region?: string; systemService?: string; addressPrefixes?: readonly string[] };
  }[];
}

/** One index per answer: the inventory answers the same object to every workspace of a region. */
const indexes = new WeakMap<object, ServiceTagIndex>();

/**
 * Indexes the answer once; a tag's prefixes are parsed when first asked for, and rendered as CIDRs
 * only when something reads them as such. A real answer holds thousands of tags, and a check asks
 * for a dozen.
 */
export function indexServiceTags(answer: TagAnswer): ServiceTagIndex {
  const hit = indexes.get(answer);
  if (hit) return hit;
  const byName = new Map<string, ServiceTag>();
  for (const v of answer.values ?? []) {
    const name = v.name ?? v.id;
    if (!name) continue;
    let parsed: RangeSet | undefined;
    const ranges = (): RangeSet => (parsed ??= RangeSet.of([...(v.properties?.addressPrefixes ?? [])]));
    byName.set(name.toLowerCase(), {
      name,
      region: (v.properties?.region ?? '').toLowerCase(),
      systemService: v.properties?.systemService ?? '',
      get ranges() {
        return ranges();
      },
      get prefixes() {
        return ranges().toCidrs();
      },
    });
  }
  const index: ServiceTagIndex = {
    get: (name) => byName.get(name.toLowerCase()),
    regional: (service, region) => {
      const want = region.replace(/\s+/g, '').toLowerCase();
      for (const t of byName.values()) {
        if (t.region === want && t.name.toLowerCase().startsWith(`${service.toLowerCase()}.`)) return t;
      }
      return undefined;
    },
    changeNumber: answer.changeNumber,
    size: byName.size,
  };
  indexes.set(answer, index);
  return index;
}
