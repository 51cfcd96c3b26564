// Wrong webhook secrets are throttled per source address: after `max` authentication failures
// within `windowMs`, the address is answered 429 with Retry-After until the window ends, before
// any secret is checked, so guessing a shared secret or signature costs a window per few tries.

export interface FailureThrottleOptions {
  max: number;
  windowMs: number;
  now: () => number;
  /** Addresses tracked at once; the oldest window is forgotten first past this. */
  maxEntries?: number;
}

export class FailureThrottle {
  readonly #options: FailureThrottleOptions;
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(options: FailureThrottleOptions) {
    this.#options = options;
  }

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfterSeconds(key: string): number {
    const entry = this.#failures.get(key);
    if (!entry) return 0;
    const elapsed = this.#options.now() - entry.since;
    if (elapsed >= this.#options.windowMs) {
      this.#failures.delete(key);
      return 0;
    }
    return entry.count >= this.#options.max
      ? Math.ceil((this.#options.windowMs - elapsed) / 1000)
      : 0;
  }

  /** Records one authentication failure of `key`. */
  fail(key: string): void {
    const now = this.#options.now();
    const entry = this.#failures.get(key);
    if (entry && now - entry.since < this.#options.windowMs) {
      entry.count += 1;
      return;
    }
    if (this.#failures.size >= (this.#options.maxEntries ?? 10_000)) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    this.#failures.delete(key);
    this.#failures.set(key, { count: 1, since: now });
  }
}
