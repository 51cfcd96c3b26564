import { describe, expect, it } from "vitest";
import { chunkMessages, MAX_CHUNK_MESSAGES } from "../../../worker/ingest/chunks.ts";
import { takeTokens } from "../../../worker/ingest/token-bucket.ts";
import { writeKeyFromAuthorization } from "../../../worker/ingest/write-key.ts";
import type { NormalizedMessage } from "../../../worker/spec/message.ts";

const limit = { ratePerSecond: 10, burst: 20 };

describe("takeTokens", () => {
  it("admits up to the burst, then refills at the rate", () => {
    const first = takeTokens(undefined, 20, limit, 0);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const refused = takeTokens(first.state, 5, limit, 100);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1 });
    const later = takeTokens(first.state, 5, limit, 500);
    expect(later.ok).toBe(true);
  });

  it("caps a cost above the burst so a full bucket admits a large batch", () => {
    expect(takeTokens(undefined, 2_500, limit, 0).ok).toBe(true);
  });

  it("says how long to wait", () => {
    const empty = { tokens: 0, at: 0 };
    expect(takeTokens(empty, 20, limit, 0)).toEqual({ ok: false, retryAfterSeconds: 2 });
  });
});

function messages(n: number): NormalizedMessage[] {
  return Array.from(
    { length: n },
    (_, i) => ({ type: "track", messageId: `m${i}` }) as NormalizedMessage,
  );
}

describe("chunkMessages", () => {
  const base = {
    requestId: "r",
    spaceId: "sp",
    sourceId: "so",
    receivedAt: "2026-11-22T10:00:00.000Z",
  };

  it("splits by count and names chunks deterministically", () => {
    const chunks = chunkMessages({
      ...base,
      messages: messages(250),
      sizes: Array(250).fill(100) as number[],
    });
    expect(chunks.map((c) => [c.chunkId, c.messages.length])).toEqual([
      ["r-0", MAX_CHUNK_MESSAGES],
      ["r-1", MAX_CHUNK_MESSAGES],
      ["r-2", 50],
    ]);
  });

  it("splits by size, keeping a single large message on its own", () => {
    const sizes = [30_000, 30_000, 30_000, 100];
    const chunks = chunkMessages({ ...base, messages: messages(4), sizes });
    expect(chunks.map((c) => c.messages.map((m) => m.messageId))).toEqual([
      ["m0", "m1"],
      ["m2", "m3"],
    ]);
  });

  it("makes no chunk for no messages", () => {
    expect(chunkMessages({ ...base, messages: [], sizes: [] })).toEqual([]);
  });
});

describe("writeKeyFromAuthorization", () => {
  it("reads Basic with and without the colon", () => {
    expect(writeKeyFromAuthorization(`Basic ${btoa("abc:")}`)).toBe("abc");
    expect(writeKeyFromAuthorization(`Basic ${btoa("abc")}`)).toBe("abc");
    expect(writeKeyFromAuthorization(undefined)).toBeUndefined();
  });

  it.each([["Bearer x"], ["Basic !!!"], [`Basic ${btoa(":")}`]])("refuses %s", (header) => {
    expect(() => writeKeyFromAuthorization(header)).toThrow(/Authorization|empty/);
  });
});
