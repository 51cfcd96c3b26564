import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter } from "../../../agent/uplink/backoff.ts";
import { classifyBatchResponse } from "../../../agent/uplink/outcome.ts";

const policy = { baseMs: 100, capMs: 10_000 };

describe("backoffDelay (full jitter)", () => {
  it("grows exponentially up to the cap, scaled by random()", () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, policy, () => 0.999999))).toEqual([
      99, 199, 399, 799,
    ]);
    expect(backoffDelay(20, policy, () => 0.5)).toBe(5000);
    expect(backoffDelay(5000, policy, () => 0.5)).toBe(5000);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(-1, policy, () => 0.5)).toBe(50);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-03-01T10:00:00Z");
  it.each<[string | null, number | null]>([
    [null, null],
    ["", null],
    ["120", 120_000],
    [" 3 ", 3_000],
    ["999999", 3_600_000],
    ["Sun, 01 Mar 2026 10:00:30 GMT", 30_000],
    ["Sun, 01 Mar 2026 09:00:00 GMT", 0],
    ["-5", null],
    ["soon", null],
    ["1.5", null],
  ])("%j -> %j", (header, ms) => expect(parseRetryAfter(header, now)).toBe(ms));
});

describe("classifyBatchResponse", () => {
  it("200 with per-item rejections keeps the valid ones and ignores malformed entries", () => {
    const body = JSON.stringify({
      rejected: [
        { index: 1, code: "invalid_event", field: "event", message: "required" },
        { index: "2", code: "x" },
        { code: "no index" },
      ],
    });
    expect(classifyBatchResponse(200, body, null, 0)).toEqual({
      kind: "delivered",
      rejected: [{ index: 1, code: "invalid_event", field: "event", message: "required" }],
    });
    expect(classifyBatchResponse(200, "not json", null, 0)).toEqual({
      kind: "delivered",
      rejected: [],
    });
  });

  it.each<[number, string, string | null, unknown]>([
    [
      400,
      '{"error":{"code":"invalid_batch","message":"batch must be an array"}}',
      null,
      { kind: "rejected", code: "invalid_batch", message: "batch must be an array" },
    ],
    [413, "", null, { kind: "rejected", code: "http_413", message: "HTTP 413" }],
    [
      401,
      '{"error":{"code":"invalid_write_key"}}',
      null,
      { kind: "unauthorized", code: "invalid_write_key" },
    ],
    [403, "", null, { kind: "unauthorized", code: "http_403" }],
    [
      429,
      '{"error":{"code":"rate_limited"}}',
      "7",
      { kind: "retry", reason: "rate_limited", retryAfterMs: 7000 },
    ],
    [503, "", "2", { kind: "retry", reason: "http_503", retryAfterMs: 2000 }],
    [500, "", null, { kind: "retry", reason: "http_500", retryAfterMs: null }],
    [408, "", null, { kind: "retry", reason: "http_408", retryAfterMs: null }],
    [302, "", null, { kind: "retry", reason: "unexpected_status_302", retryAfterMs: null }],
  ])("%i -> %j", (status, body, retryAfter, expected) => {
    expect(classifyBatchResponse(status, body, retryAfter, 0)).toEqual(expected);
  });
});
