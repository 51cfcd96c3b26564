// A token bucket per source: `ratePerSecond` events refill continuously up to `burst`.

export interface BucketState {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

export interface BucketLimit {
  ratePerSecond: number;
  burst: number;
}

export type TakeResult =
  { ok: true; state: BucketState } | { ok: false; retryAfterSeconds: number };

/**
 * Takes `cost` tokens at time `now`. A cost above the burst is capped at the burst, so a large
 * batch is admitted when the bucket is full rather than never.
 */
export function takeTokens(
  state: BucketState | undefined,
  cost: number,
  limit: BucketLimit,
  now: number,
): TakeResult {
  const previous = state ?? { tokens: limit.burst, at: now };
  const elapsed = Math.max(0, now - previous.at) / 1000;
  const tokens = Math.min(limit.burst, previous.tokens + elapsed * limit.ratePerSecond);
  const needed = Math.min(cost, limit.burst);
  if (tokens >= needed) return { ok: true, state: { tokens: tokens - needed, at: now } };
  const wait = (needed - tokens) / limit.ratePerSecond;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
}
