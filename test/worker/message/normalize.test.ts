import { describe, expect, it } from "vitest";
import { mergeObjects, normalizeMessage } from "../../../worker/message/normalize.ts";
import { parseTimestamp } from "../../../worker/message/time.ts";
import { checkMessage } from "../../../worker/message/validate.ts";
import { MessageError } from "../../../worker/message/errors.ts";

const RECEIVED = Date.parse("2026-11-22T10:00:00.000Z");
const facts = { receivedAt: RECEIVED, newMessageId: () => "generated" };

describe("parseTimestamp", () => {
  it.each([
    ["2026-11-22T10:00:00Z", "2026-11-22T10:00:00.000Z"],
    ["2026-11-22T10:00:00.123456Z", "2026-11-22T10:00:00.123Z"],
    ["2026-11-22T12:00:00+02:00", "2026-11-22T10:00:00.000Z"],
    ["2026-11-22T12:00:00+0200", "2026-11-22T10:00:00.000Z"],
    ["2026-11-22T10:00:00", "2026-11-22T10:00:00.000Z"],
    ["2026-11-22", "2026-11-22T00:00:00.000Z"],
  ])("reads %s", (input, iso) => {
    expect(new Date(parseTimestamp(input, "timestamp")).toISOString()).toBe(iso);
  });

  it.each([["yesterday"], ["2026-13-45T00:00:00Z"], ["1700000000"], [""], [1700000000], [null]])(
    "refuses %s",
    (input) => {
      expect(() => parseTimestamp(input, "timestamp")).toThrow(MessageError);
    },
  );
});

describe("normalizeMessage", () => {
  it("applies clock-skew correction only when sentAt is known", () => {
    const skewed = normalizeMessage(
      checkMessage({
        type: "track",
        event: "E",
        userId: "u",
        timestamp: "2026-11-22T10:05:00.000Z",
        sentAt: "2026-11-22T10:05:30.000Z",
      }),
      facts,
    );
    expect(skewed.timestamp).toBe("2026-11-22T09:59:30.000Z");
    expect(skewed.originalTimestamp).toBe("2026-11-22T10:05:00.000Z");
    const unskewed = normalizeMessage(
      checkMessage({ type: "track", event: "E", userId: "u", timestamp: "2026-11-20T00:00:00Z" }),
      facts,
    );
    expect(unskewed.timestamp).toBe("2026-11-20T00:00:00.000Z");
  });

  it("uses receivedAt when the client gave no time, and generates a messageId", () => {
    const m = normalizeMessage(checkMessage({ type: "page", anonymousId: "a" }), facts);
    expect(m).toMatchObject({
      messageId: "generated",
      timestamp: "2026-11-22T10:00:00.000Z",
      originalTimestamp: "2026-11-22T10:00:00.000Z",
      receivedAt: "2026-11-22T10:00:00.000Z",
      version: 2,
      context: {},
      integrations: {},
    });
    expect("sentAt" in m).toBe(false);
  });

  it("drops the write key, keeps unknown fields and context.library, fills context.ip", () => {
    const m = normalizeMessage(
      checkMessage({
        type: "identify",
        userId: "u",
        writeKey: "secret",
        _metadata: { bundled: ["Mixpanel"] },
        context: { library: { name: "analytics-ruby", version: "2.4.0" } },
      }),
      { ...facts, ip: "198.51.100.7" },
    );
    expect(m.writeKey).toBeUndefined();
    expect(m._metadata).toEqual({ bundled: ["Mixpanel"] });
    expect(m.context).toEqual({
      library: { name: "analytics-ruby", version: "2.4.0" },
      ip: "198.51.100.7",
    });
  });

  it("keeps a client-sent context.ip", () => {
    const m = normalizeMessage(
      checkMessage({ type: "page", userId: "u", context: { ip: "10.0.0.1" } }),
      {
        ...facts,
        ip: "198.51.100.7",
      },
    );
    expect(m.context.ip).toBe("10.0.0.1");
  });
});

describe("mergeObjects", () => {
  it("merges nested objects with the top values winning and leaves inputs untouched", () => {
    const base = { a: 1, nested: { x: 1, y: 2 }, list: [1] };
    const top = { nested: { y: 3 }, list: [2], b: null };
    expect(mergeObjects(base, top)).toEqual({ a: 1, nested: { x: 1, y: 3 }, list: [2], b: null });
    expect(base).toEqual({ a: 1, nested: { x: 1, y: 2 }, list: [1] });
  });
});
