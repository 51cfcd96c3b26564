// Builders for profile histories with a controlled clock.
import type { HistoryEvent } from "../../../worker/activation/history.ts";
import type { JsonObject } from "../../../worker/message/message.ts";

export const DAY = 24 * 60 * 60 * 1000;
/** The tests' "now": 2026-01-15T10:00:00Z. */
export const NOW = Date.parse("2026-01-15T10:00:00.000Z");

export function daysAgo(days: number, from = NOW): string {
  return new Date(from - days * DAY).toISOString();
}

export function track(event: string, days: number, properties: JsonObject = {}): HistoryEvent {
  return { type: "track", event, properties, timestamp: daysAgo(days) };
}

/** mulberry32: a tiny seeded PRNG so randomized tests are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
