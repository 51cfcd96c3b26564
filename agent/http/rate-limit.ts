// Per-key limits: the portal's requests per client MAC and per IP, and the webhooks' failed
// authentications per address. A sliding window over the last
// `windowMs`, approximated from two fixed windows as Cloudflare's rate limiter does
// (https://blog.cloudflare.com/counting-things-a-lot-of-different-things/): memory per key is two
// counters, and the table is bounded so a flood of distinct keys cannot exhaust the agent.

export interface RateLimitRule {
  max: number;
  windowMs: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Counter {
  window: number;
  current: number;
  previous: number;
}

/** In-memory limiter for one rule; keys are hashed MACs or IP addresses, never logged. */
export class RateLimiter {
  readonly #rule: RateLimitRule;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #counters = new Map<string, Counter>();

  constructor(rule: RateLimitRule, now: () => number = Date.now, maxKeys = 50_000) {
    if (!Number.isInteger(rule.max) || rule.max < 1) throw new RangeError("max must be >= 1");
    if (!(rule.windowMs > 0)) throw new RangeError("windowMs must be positive");
    this.#rule = rule;
    this.#now = now;
    this.#maxKeys = maxKeys;
  }

  /** Counts one request for `key` and says whether it is within the limit. */
  hit(key: string): RateDecision {
    const decision = this.check(key);
    if (decision.ok) this.record(key);
    return decision;
  }

  /** Whether `key` is within the limit now, without counting anything. */
  check(key: string): RateDecision {
    const now = this.#now();
    const window = Math.floor(now / this.#rule.windowMs);
    const counter = this.#roll(key, window);
    const elapsed = (now % this.#rule.windowMs) / this.#rule.windowMs;
    const estimate = counter.previous * (1 - elapsed) + counter.current;
    if (estimate >= this.#rule.max) {
      const retryMs = this.#rule.windowMs - (now % this.#rule.windowMs);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
    }
    return { ok: true };
  }

  /** Counts one event for `key` (a request, or a failure when only failures are limited). */
  record(key: string): void {
    this.#roll(key, Math.floor(this.#now() / this.#rule.windowMs)).current += 1;
  }

  #roll(key: string, window: number): Counter {
    let counter = this.#counters.get(key);
    if (counter === undefined) {
      if (this.#counters.size >= this.#maxKeys) {
        // Map iteration is insertion order: drop the oldest key.
        const oldest = this.#counters.keys().next().value;
        if (oldest !== undefined) this.#counters.delete(oldest);
      }
      counter = { window, current: 0, previous: 0 };
      this.#counters.set(key, counter);
    } else if (counter.window !== window) {
      counter.previous = counter.window === window - 1 ? counter.current : 0;
      counter.current = 0;
      counter.window = window;
    }
    return counter;
  }
}
