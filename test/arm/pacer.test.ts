/** The ARM pacer: waits before the bucket is empty, counting requests still in flight. */
import { describe, expect, it } from 'vitest';
import { RateLimitPacer } from '../../src/arm/pacer.js';

describe('RateLimitPacer', () => {
  it('sends freely until it has heard how full the bucket is', () => {
    const p = new RateLimitPacer();
    for (let i = 0; i < 50; i++) expect(p.beforeSend('reads:s', 'reads', 0)).toBe(0);
  });

  it('waits once the estimate falls below the low-water mark, for the refill it needs', () => {
    const p = new RateLimitPacer();
    p.beforeSend('reads:s', 'reads', 0);
    p.observe('reads:s', 'reads', 10, 0);
    p.settled('reads:s', 'reads');
    expect(p.beforeSend('reads:s', 'reads', 0)).toBe(0); // 10 left
    expect(p.beforeSend('reads:s', 'reads', 0)).toBe(0); // 9 left
    expect(p.beforeSend('reads:s', 'reads', 0)).toBe(0); // 8 left
    // 7 left, below 8: one token short at 25 per second.
    expect(p.beforeSend('reads:s', 'reads', 0)).toBeCloseTo(40, 5);
    // Time refills the estimate.
    expect(p.beforeSend('reads:s', 'reads', 1000)).toBe(0);
  });

  it('counts requests in flight when an answer arrives as not yet spent', () => {
    const p = new RateLimitPacer();
    // 16 requests go out at once; the first answer says 20 remain.
    for (let i = 0; i < 16; i++) p.beforeSend('writes:s', 'writes', 0);
    p.observe('writes:s', 'writes', 20, 0);
    p.settled('writes:s', 'writes');
    // 15 others are in flight and may not be in that count: 20 − 15 = 5 < 8, so the next one waits.
    expect(p.beforeSend('writes:s', 'writes', 0)).toBeGreaterThan(0);
  });

  it('learns the refill rate from a bucket being drawn down, not from one that sat full', () => {
    const send = (pacer: RateLimitPacer, n: number, at: number) => {
      for (let i = 0; i < n; i++) {
        pacer.beforeSend('reads:s', 'reads', at);
        pacer.settled('reads:s', 'reads');
      }
    };
    const p = new RateLimitPacer();
    send(p, 1, 0);
    p.observe('reads:s', 'reads', 249, 0);
    // One request a second into a full bucket: 249 again, though it refilled 25. Nothing to learn.
    send(p, 1, 1000);
    p.observe('reads:s', 'reads', 249, 1000);
    send(p, 244, 1000);
    p.observe('reads:s', 'reads', 5, 1500);
    // Still the default 25 per second: 3 tokens short of the low-water mark is 120 ms.
    expect(p.beforeSend('reads:s', 'reads', 1500)).toBeCloseTo(120, 5);

    // A bucket drawn down from 100 to 0 in 2 s while 200 were sent refilled 100: 50 per second.
    const q = new RateLimitPacer();
    send(q, 1, 0);
    q.observe('reads:s', 'reads', 249, 0);
    send(q, 149, 0);
    q.observe('reads:s', 'reads', 100, 0);
    send(q, 200, 0);
    // 100 + 200 never reached the 250 seen at first, so the interval counts, at a weight of 30%.
    q.observe('reads:s', 'reads', 0, 2000);
    const rate = 0.7 * 25 + 0.3 * 50;
    expect(q.beforeSend('reads:s', 'reads', 2000)).toBeCloseTo((8 / rate) * 1000, 5);
  });

  it('a bucket is per subscription and kind', () => {
    const p = new RateLimitPacer();
    p.beforeSend('reads:a', 'reads', 0);
    p.observe('reads:a', 'reads', 0, 0);
    p.settled('reads:a', 'reads');
    expect(p.beforeSend('reads:a', 'reads', 0)).toBeGreaterThan(0);
    expect(p.beforeSend('reads:b', 'reads', 0)).toBe(0);
    expect(p.beforeSend('writes:a', 'writes', 0)).toBe(0);
  });
});
