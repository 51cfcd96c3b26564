// The orphan age of the archive sweep against what it must outlast: one consumer invocation,
// and the ingest Queue's whole retry schedule as wrangler.toml configures it.
import { describe, expect, it } from "vitest";
import wranglerToml from "../../../../wrangler.toml?raw";
import { retryDelaySeconds } from "../../../../worker/archive/retry-delay.ts";
import {
  CONSUMER_WALL_CLOCK_MS,
  INGEST_MAX_RETRIES,
  ORPHAN_AGE_MS,
  orphanCutoff,
  retrySpanSeconds,
} from "../../../../worker/governance/retention/orphan-age.ts";

describe("orphan age", () => {
  it("sums the consumer's retry delays: 2 s doubling, capped at 5 minutes", () => {
    expect([1, 2, 8, 9, 10, 50].map(retryDelaySeconds)).toEqual([2, 4, 256, 300, 300, 300]);
    expect(retrySpanSeconds(0)).toBe(0);
    expect(retrySpanSeconds(3)).toBe(2 + 4 + 8);
    expect(retrySpanSeconds(10)).toBe(1_110);
  });

  it("uses the ingest consumer's max_retries from wrangler.toml", () => {
    const consumer = /\[\[queues\.consumers\]\]\s*\nqueue = "foyer-events"\n([^[]*)/.exec(
      wranglerToml,
    );
    expect(consumer?.[1]).toMatch(new RegExp(`^max_retries = ${INGEST_MAX_RETRIES}$`, "m"));
  });

  it("outlasts one consumer invocation and a message's whole retry schedule", () => {
    expect(ORPHAN_AGE_MS).toBeGreaterThan(
      CONSUMER_WALL_CLOCK_MS + retrySpanSeconds(INGEST_MAX_RETRIES) * 1_000,
    );
    expect(orphanCutoff(10 * ORPHAN_AGE_MS)).toBe(9 * ORPHAN_AGE_MS);
  });
});
