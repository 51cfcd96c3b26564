import { describe, expect, it } from "vitest";
import {
  chunkLines,
  decodeChunk,
  MAX_CHUNK_MESSAGES,
  utf8Length,
} from "../../../worker/message/chunk.ts";
import { takeTokens } from "../../../worker/gate/admission/token-bucket.ts";
import { writeKeyFromAuthorization } from "../../../worker/ingest/write-key.ts";

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

describe("chunkLines", () => {
  const base = {
    requestId: "r",
    spaceId: "sp",
    sourceId: "so",
    receivedAt: "2026-11-22T10:00:00.000Z",
  };
  const line = (i: number, size = 50) =>
    JSON.stringify({ messageId: `m${i}`, pad: "x".repeat(size) });

  it("splits by count and names chunks deterministically", () => {
    const lines = Array.from({ length: 250 }, (_, i) => line(i));
    const chunks = chunkLines({ ...base, lines });
    expect(chunks.map((c) => [c.chunkId, c.count])).toEqual([
      ["r-0", MAX_CHUNK_MESSAGES],
      ["r-1", MAX_CHUNK_MESSAGES],
      ["r-2", 50],
    ]);
  });

  it("splits by size, keeping a single large message on its own", () => {
    const lines = [line(0, 30_000), line(1, 30_000), line(2, 30_000), line(3)];
    const chunks = chunkLines({ ...base, lines });
    expect(chunks.map((c) => decodeChunk(c.text).messages.map((m) => m.messageId))).toEqual([
      ["m0", "m1"],
      ["m2", "m3"],
    ]);
  });

  it("measures lines in UTF-8 bytes, so non-ASCII chunks stay under the Queue's limit", () => {
    // 25,000 three-byte characters: 25 K UTF-16 units but 75 KB of UTF-8.
    const wide = JSON.stringify({ messageId: "w", pad: "€".repeat(25_000) });
    expect(utf8Length(wide)).toBe(new TextEncoder().encode(wide).byteLength);
    const chunks = chunkLines({ ...base, lines: [wide, wide] });
    expect(chunks).toHaveLength(2);
  });

  it("round-trips through the wire form", () => {
    const [chunk] = chunkLines({ ...base, lines: [line(7)] });
    const decoded = decodeChunk(chunk!.text);
    expect(decoded).toMatchObject({
      chunkId: "r-0",
      sourceId: "so",
      spaceId: "sp",
      receivedAt: base.receivedAt,
    });
    expect(decoded.lines).toEqual([line(7)]);
  });

  it("makes no chunk for no lines, and refuses text that is not a chunk", () => {
    expect(chunkLines({ ...base, lines: [] })).toEqual([]);
    expect(() => decodeChunk('{"v":2}\n{}')).toThrow("not an ingest chunk");
    expect(() => decodeChunk("garbage")).toThrow();
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
