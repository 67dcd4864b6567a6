/** ARM's throttling, seen from the client: pacing from the remaining-requests headers. */
/**
 * Paces requests per subscription and bucket from ARM's `x-ms-ratelimit-remaining-subscription-*`
 * headers, so a large audit slows down before the bucket is empty instead of collecting 429s.
 * The refill rate starts at ARM's documented figure and is then learned from what the headers say.
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 */
export class RateLimitPacer {
  /** Below this many remaining tokens, requests wait for the refill. */
  static readonly LOW_WATER = 8;
  readonly #state = new Map<
    string,
    { remaining?: number; peak: number; seenAt: number; sentSince: number; inFlight: number; rate: number }
  >();

  #get(key: string, kind: 'reads' | 'writes') {
    let s = this.#state.get(key);
    if (!s) {
      s = { peak: 0, seenAt: 0, sentSince: 0, inFlight: 0, rate: kind === 'reads' ? 25 : 10 };
      this.#state.set(key, s);
    }
    return s;
  }

  /** How long to wait before sending (ms), and counts the request as sent. */
  beforeSend(key: string, kind: 'reads' | 'writes', now = performance.now()): number {
    const s = this.#get(key, kind);
    let wait = 0;
    if (s.remaining !== undefined) {
      const estimate = s.remaining - s.sentSince + ((now - s.seenAt) / 1000) * s.rate;
      if (estimate < RateLimitPacer.LOW_WATER) wait = Math.min(5000, ((RateLimitPacer.LOW_WATER - estimate) / s.rate) * 1000);
    }
    s.sentSince++;
    s.inFlight++;
    return wait;
  }

  /**
   * Records what a response said; learns the refill rate from consecutive observations. The other
   * requests still in flight were sent before this answer and may not be in its count yet: they are
   * counted as still to be spent, so a burst of concurrent requests cannot overrun the bucket.
   *
   * A bucket that reached its capacity stopped refilling, so that interval says nothing about the
   * rate (learning from it would slow every later wait). Its level never exceeded `remaining + spent`,
   * and the capacity is above the fullest count seen, so intervals below that are learned from.
   */
  observe(key: string, kind: 'reads' | 'writes', remaining: number, now = performance.now()): void {
    const s = this.#get(key, kind);
    const outstanding = Math.max(0, s.inFlight - 1);
    if (s.remaining !== undefined && now - s.seenAt > 200) {
      const spent = Math.max(0, s.sentSince - outstanding);
      const learned = (remaining - s.remaining + spent) / ((now - s.seenAt) / 1000);
      const neverFull = remaining + spent <= s.peak;
      if (neverFull && learned > 0 && Number.isFinite(learned)) s.rate = 0.7 * s.rate + 0.3 * learned;
    }
    s.peak = Math.max(s.peak, remaining);
    s.remaining = remaining;
    s.seenAt = now;
    s.sentSince = outstanding;
  }

  /** The request is over (answered or failed). */
  settled(key: string, kind: 'reads' | 'writes'): void {
    const s = this.#get(key, kind);
    s.inFlight = Math.max(0, s.inFlight - 1);
  }
}
