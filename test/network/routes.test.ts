import { describe, expect, it } from 'vitest';
import { evaluateRoutes, routePrefixes, type Route } from '../../src/network/routes.js';
import { indexServiceTags } from '../../src/network/service-tags.js';
import { union } from '../../src/network/cidr.js';

const tags = indexServiceTags({
  values: [
    { name: 'MicrosoftContainerRegistry', properties: { addressPrefixes: ['13.69.64.80/29', '20.38.0.0/16'] } },
    { name: 'MicrosoftContainerRegistry.WestEurope', properties: { region: 'westeurope', addressPrefixes: ['13.69.64.80/29'] } },
  ],
});
const MCR = ['13.69.64.80/29', '20.38.0.0/16'];
const r = (name: string, addressPrefix: string, nextHopType: string, nextHopIpAddress?: string): Route => ({
  name,
  addressPrefix,
  nextHopType,
  ...(nextHopIpAddress ? { nextHopIpAddress } : {}),
});

describe('route evaluation (longest prefix match)', () => {
  it('no user routes: everything takes the system default to the Internet', () => {
    expect(evaluateRoutes(MCR, [], tags)).toEqual([{ destination: union(MCR), nextHopType: 'Internet' }]);
  });

  it('a 0.0.0.0/0 route to a virtual appliance captures everything', () => {
    const segs = evaluateRoutes(MCR, [r('fw', '0.0.0.0/0', 'VirtualAppliance', '10.0.3.4')], tags);
    expect(segs).toEqual([
      { destination: union(MCR), route: r('fw', '0.0.0.0/0', 'VirtualAppliance', '10.0.3.4'), nextHopType: 'VirtualAppliance' },
    ]);
  });

  it('a service-tag route to the Internet wins over 0.0.0.0/0 for the tag ranges (longer prefixes)', () => {
    const segs = evaluateRoutes(
      [...MCR, '8.8.8.0/24'],
      [r('fw', '0.0.0.0/0', 'VirtualAppliance', '10.0.3.4'), r('mcr', 'MicrosoftContainerRegistry', 'Internet')],
      tags,
    );
    expect(segs.find((s) => s.route?.name === 'mcr')!.destination).toEqual(union(MCR));
    expect(segs.find((s) => s.route?.name === 'fw')!.destination).toEqual(['8.8.8.0/24']);
  });

  it('on an exact tie the explicit prefix wins over the service tag', () => {
    const segs = evaluateRoutes(
      ['13.69.64.80/29'],
      [r('tag', 'MicrosoftContainerRegistry.WestEurope', 'Internet'), r('explicit', '13.69.64.80/29', 'None')],
      tags,
    );
    expect(segs).toHaveLength(1);
    expect(segs[0]!.route!.name).toBe('explicit');
  });

  it('a covering but shorter prefix loses to a longer one, part by part', () => {
    const segs = evaluateRoutes(
      ['20.38.0.0/16'],
      [r('wide', '20.0.0.0/8', 'None'), r('narrow', '20.38.128.0/17', 'VirtualAppliance', '10.0.3.4')],
      tags,
    );
    expect(segs.find((s) => s.route?.name === 'narrow')!.destination).toEqual(['20.38.128.0/17']);
    expect(segs.find((s) => s.route?.name === 'wide')!.destination).toEqual(['20.38.0.0/17']);
  });

  it('route prefixes, tags expanded, belong to the VirtualNetwork tag', () => {
    expect(
      routePrefixes(
        [
          r('fw', '0.0.0.0/0', 'VirtualAppliance'),
          r('mcr', 'MicrosoftContainerRegistry.WestEurope', 'Internet'),
          r('bogus', 'NoSuchTag', 'None'),
        ],
        tags,
      ),
    ).toEqual(['0.0.0.0/0']);
  });
});
