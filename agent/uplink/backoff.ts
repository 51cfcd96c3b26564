// Retry timing for the uplink. Full jitter ("Exponential Backoff And Jitter", AWS Architecture
// Blog, 2015): sleep = random(0, min(cap, base * 2^attempt)); it spreads venues that lost the
// uplink at the same moment instead of having them return in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** Full-jitter delay for the given 0-based attempt; `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.floor(random() * exp);
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. Returns milliseconds
 * from `nowMs`, or null when absent or unparsable. Capped at one hour so a bad header cannot park
 * the uplink for days.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, 3600_000);
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return null;
  return Math.min(Math.max(0, date - nowMs), 3600_000);
}
