// The randomized exponential backoff Foyer retries with: deliveries (destinations/retry.ts), merge
// roll-forwards and regulation steps (platform/schedule.ts). Segment retries "for four hours with a
// randomized exponential backoff after each attempt"
// (https://segment.com/docs/connections/destinations/#retries-between-segment-and-destinations).

/** Retrying stops once this much time has passed since the first attempt: 4 hours. */
export const RETRY_WINDOW_SECONDS = 4 * 60 * 60;
/** Delay before the 1st retry; doubles each attempt up to MAX_DELAY_SECONDS. */
export const BASE_DELAY_SECONDS = 30;
export const MAX_DELAY_SECONDS = 60 * 60;
/**
 * A hard bound on attempts, as a backstop to the window. With the smallest jitter every delay is
 * half its nominal value, and 16 attempts still span more than 4 hours (proved in tests), so
 * the window, not this cap, is what normally ends retries.
 */
export const MAX_ATTEMPTS = 16;
/**
 * The delay before retry number `attempt` (1 = first retry): nominal BASE·2^(attempt-1) capped at
 * MAX_DELAY, then "equal jitter" — uniformly in [nominal/2, nominal] — so concurrent failures
 * spread out while every delay keeps a known minimum. `random` is in [0, 1).
 */
export function backoffDelaySeconds(attempt: number, random: number): number {
  const nominal = Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** Math.max(0, attempt - 1));
  return Math.ceil(nominal / 2 + (nominal / 2) * Math.min(Math.max(random, 0), 1));
}
