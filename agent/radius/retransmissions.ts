// RFC 2865 §2.5 / RFC 5080 §2.2.2: a retransmission (same source IP and port, Identifier and
// Request Authenticator) gets the cached response again and is processed only once.

/** Bounded, time-limited cache of responses by request identity. */
export class RetransmissionCache {
  readonly #entries = new Map<string, { response: Buffer; at: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(ttlMs = 30_000, max = 10_000, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#max = max;
    this.#now = now;
  }

  /** Cache key of a request. */
  static key(address: string, port: number, identifier: number, authenticator: Buffer): string {
    return `${address}|${port}|${identifier}|${authenticator.toString("hex")}`;
  }

  get(key: string): Buffer | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (this.#now() - hit.at > this.#ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return hit.response;
  }

  set(key: string, response: Buffer): void {
    this.#entries.delete(key);
    this.#entries.set(key, { response, at: this.#now() });
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
