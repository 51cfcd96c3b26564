import { describe, expect, it } from "vitest";
import type { DeliveryResult } from "../../../worker/destinations/adapter.ts";
import {
  backoffDelaySeconds,
  classifyFetchError,
  classifyStatus,
  decideNextStep,
  MAX_ATTEMPTS,
  MAX_DELAY_SECONDS,
  parseRetryAfter,
  RETRY_WINDOW_SECONDS,
} from "../../../worker/destinations/retry.ts";

const retry: DeliveryResult = { status: "retry", httpStatus: 503 };

describe("classifyStatus", () => {
  const table: Array<[number, string]> = [
    [200, "delivered"],
    [201, "delivered"],
    [202, "delivered"],
    [204, "delivered"],
    [301, "failed"],
    [400, "failed"],
    [401, "failed"],
    [403, "failed"],
    [404, "failed"],
    [408, "retry"],
    [409, "failed"],
    [413, "failed"],
    [422, "failed"],
    [429, "retry"],
    [500, "retry"],
    [502, "retry"],
    [503, "retry"],
    [504, "retry"],
  ];
  it.each(table)("%i → %s", (status, expected) => expect(classifyStatus(status)).toBe(expected));
});

describe("classifyFetchError", () => {
  it("treats timeouts and aborts as ETIMEDOUT, other throws as network errors, both retryable", () => {
    expect(classifyFetchError(new DOMException("timed out", "TimeoutError"))).toEqual({
      status: "retry",
      httpStatus: null,
      error: "ETIMEDOUT: timed out",
    });
    expect(classifyFetchError(new DOMException("aborted", "AbortError")).error).toMatch(
      /^ETIMEDOUT/,
    );
    expect(classifyFetchError(new TypeError("Network connection lost."))).toEqual({
      status: "retry",
      httpStatus: null,
      error: "ENETWORK: Network connection lost.",
    });
    expect(classifyFetchError("boom").error).toBe("ENETWORK: boom");
  });
});

describe("parseRetryAfter (RFC 9110 §10.2.3)", () => {
  const now = Date.parse("2026-01-15T10:00:00Z");
  it("reads delay-seconds and HTTP-dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Thu, 15 Jan 2026 10:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter("Thu, 15 Jan 2026 09:00:00 GMT", now)).toBe(0);
  });
  it("ignores absent and malformed values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    for (const bad of [
      "",
      "-5",
      "1.5",
      "soon",
      "2026-01-15T10:01:30Z",
      "Thu, 99 Foo 2026 10:01:30 GMT",
    ]) {
      expect(parseRetryAfter(bad, now)).toBeUndefined();
    }
  });
});

describe("backoffDelaySeconds", () => {
  it("grows exponentially from 30 s, capped at one hour, jittered within [half, full]", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelaySeconds(a, 0.999999))).toEqual([
      30, 60, 120, 240, 480,
    ]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelaySeconds(a, 0))).toEqual([15, 30, 60, 120, 240]);
    expect(backoffDelaySeconds(30, 0.999999)).toBe(MAX_DELAY_SECONDS);
    expect(backoffDelaySeconds(30, 0)).toBe(MAX_DELAY_SECONDS / 2);
    const spread = new Set(Array.from({ length: 50 }, (_, i) => backoffDelaySeconds(6, i / 50)));
    expect(spread.size).toBeGreaterThan(40);
  });

  it("the schedule covers at least 4 hours even when every jitter draw is the smallest", () => {
    let total = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1)
      total += backoffDelaySeconds(attempt, 0);
    expect(total).toBeGreaterThanOrEqual(RETRY_WINDOW_SECONDS);
  });
});

describe("decideNextStep", () => {
  const base = { attempts: 1, firstAttemptAt: 0, now: 0, random: 0.5 };

  it("acks a delivery and dead-letters a permanent failure at once", () => {
    expect(decideNextStep({ ...base, result: { status: "delivered", httpStatus: 200 } })).toEqual({
      action: "done",
    });
    expect(decideNextStep({ ...base, result: { status: "failed", httpStatus: 400 } })).toEqual({
      action: "dead-letter",
      reason: "permanent failure",
    });
  });

  it("honours a Retry-After longer than the backoff, and never a shorter one", () => {
    expect(decideNextStep({ ...base, result: { ...retry, retryAfter: 600 } })).toEqual({
      action: "retry",
      delaySeconds: 600,
    });
    expect(decideNextStep({ ...base, result: { ...retry, retryAfter: 1 } })).toEqual({
      action: "retry",
      delaySeconds: backoffDelaySeconds(1, 0.5),
    });
    expect(decideNextStep({ ...base, result: { ...retry, retryAfter: 10 ** 9 } })).toEqual({
      action: "retry",
      delaySeconds: RETRY_WINDOW_SECONDS,
    });
  });

  it("dead-letters when the window or the attempts run out", () => {
    expect(decideNextStep({ ...base, now: RETRY_WINDOW_SECONDS * 1000, result: retry })).toEqual({
      action: "dead-letter",
      reason: "retry window exhausted",
    });
    expect(decideNextStep({ ...base, attempts: MAX_ATTEMPTS, result: retry })).toEqual({
      action: "dead-letter",
      reason: "attempts exhausted",
    });
  });

  it("a destination failing forever is retried for at least 4 hours, then dead-lettered", () => {
    for (const draw of [() => 0, () => 0.999999, seeded(7)]) {
      let now = 0;
      let attempts = 1;
      for (;;) {
        const step = decideNextStep({
          result: retry,
          attempts,
          firstAttemptAt: 0,
          now,
          random: draw(),
        });
        if (step.action !== "retry") {
          expect(step).toEqual({ action: "dead-letter", reason: "retry window exhausted" });
          break;
        }
        now += step.delaySeconds * 1000;
        attempts += 1;
        expect(attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
      }
      expect(now / 1000).toBeGreaterThanOrEqual(RETRY_WINDOW_SECONDS);
      expect(now / 1000).toBeLessThan(RETRY_WINDOW_SECONDS + MAX_DELAY_SECONDS);
    }
  });
});

/** A small deterministic PRNG (mulberry32) so the test is reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
