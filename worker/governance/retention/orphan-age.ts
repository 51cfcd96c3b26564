// When an unfinished archive object becomes an orphan (pure). An object's index row stays
// `writing` from the write intent to the D1 batch of the same consumer invocation, and every
// later attempt that regroups the same chunks (same key) records the intent again first, which
// resets the row's age. So a row old enough that no invocation can still be running since its
// latest intent will never be completed: nothing but the sweep will touch it again.

import { retryDelaySeconds } from "../../archive/index.ts";

/** `max_retries` of the `foyer-events` consumer in wrangler.toml. */
export const INGEST_MAX_RETRIES = 10;

/**
 * The longest one Queue consumer invocation may run, wall clock
 * (https://developers.cloudflare.com/queues/platform/limits/): the most time between an intent
 * and the batch that completes it.
 */
export const CONSUMER_WALL_CLOCK_MS = 15 * 60_000;

/**
 * The age at which a `writing` row is an orphan: one hour. It only needs to exceed one invocation
 * (15 minutes); it also exceeds a message's whole retry schedule (retrySpanSeconds, 18.5 minutes
 * for 10 retries) plus that invocation, so an object normally either completes or is superseded
 * under another key before the sweep looks at it. With the hourly cron an orphan lives at most
 * about two hours.
 */
export const ORPHAN_AGE_MS = 60 * 60_000;

/** Seconds from a message's first delivery to its last, when every attempt fails at once. */
export function retrySpanSeconds(maxRetries: number): number {
  let total = 0;
  for (let attempt = 1; attempt <= maxRetries; attempt++) total += retryDelaySeconds(attempt);
  return total;
}

/** Rows whose latest write intent is older than this (epoch ms) are orphans at time `now`. */
export function orphanCutoff(now: number, ageMs: number = ORPHAN_AGE_MS): number {
  return now - ageMs;
}
