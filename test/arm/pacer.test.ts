/** The ARM pacer: waits before the bucket is empty, counting requests still in flight. */
import { describe, expect, it } from 'vitest';
import { RateLimitPacer } from '../../src/arm/connection.js';

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
