// Every malformed, oversized or unauthenticated request gets its specific error and stores nothing.
import { beforeAll, describe, expect, it } from "vitest";
import {
  archivedObjects,
  basic,
  call,
  newSource,
  storedCount,
  storedEventually,
  storedEvents,
  track,
  type TestSource,
} from "../support.ts";

let source: TestSource;
beforeAll(async () => {
  source = await newSource();
});

const big = "x".repeat(33 * 1024);

async function gzip(text: string): Promise<ArrayBuffer> {
  return new Response(
    new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
}

interface Case {
  name: string;
  path: string;
  body: () => BodyInit | Promise<BodyInit>;
  headers?: (s: TestSource) => Record<string, string>;
  status: number;
  code: string;
  field?: string;
}

const auth = (s: TestSource) => ({ authorization: basic(s.writeKey) });

const cases: Case[] = [
  {
    name: "broken JSON",
    path: "/v1/track",
    body: () => '{"userId": "u1", "event": ',
    status: 400,
    code: "invalid_json",
  },
  { name: "empty body", path: "/v1/track", body: () => "", status: 400, code: "invalid_json" },
  {
    name: "JSON array body",
    path: "/v1/track",
    body: () => "[1,2]",
    status: 400,
    code: "body_not_object",
  },
  {
    name: "track without event",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u1" }),
    status: 400,
    code: "event_not_defined",
    field: "event",
  },
  {
    name: "event not a string",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u1", event: 42 }),
    status: 400,
    code: "event_not_string",
    field: "event",
  },
  {
    name: "no userId or anonymousId",
    path: "/v1/identify",
    body: () => JSON.stringify({ traits: {} }),
    status: 400,
    code: "id_required",
    field: "userId",
  },
  {
    name: "userId a number",
    path: "/v1/identify",
    body: () => JSON.stringify({ userId: 7 }),
    status: 400,
    code: "id_not_string",
    field: "userId",
  },
  {
    name: "empty anonymousId",
    path: "/v1/page",
    body: () => JSON.stringify({ anonymousId: "  " }),
    status: 400,
    code: "id_not_string",
    field: "anonymousId",
  },
  {
    name: "traits not an object",
    path: "/v1/identify",
    body: () => JSON.stringify({ userId: "u1", traits: "vip" }),
    status: 400,
    code: "traits_not_object",
    field: "traits",
  },
  {
    name: "properties an array",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u1", event: "E", properties: [1] }),
    status: 400,
    code: "properties_not_object",
    field: "properties",
  },
  {
    name: "context not an object",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u1", event: "E", context: 3 }),
    status: 400,
    code: "context_not_object",
    field: "context",
  },
  {
    name: "group without groupId",
    path: "/v1/group",
    body: () => JSON.stringify({ userId: "u1" }),
    status: 400,
    code: "group_id_required",
    field: "groupId",
  },
  {
    name: "alias without previousId",
    path: "/v1/alias",
    body: () => JSON.stringify({ userId: "u1" }),
    status: 400,
    code: "previous_id_required",
    field: "previousId",
  },
  {
    name: "page name a number",
    path: "/v1/page",
    body: () => JSON.stringify({ userId: "u1", name: 5 }),
    status: 400,
    code: "name_not_string",
    field: "name",
  },
  {
    name: "bad timestamp",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u1", event: "E", timestamp: "yesterday" }),
    status: 400,
    code: "timestamp_invalid",
    field: "timestamp",
  },
  {
    name: "messageId over 100 chars",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u1", event: "E", messageId: "m".repeat(101) }),
    status: 400,
    code: "message_id_too_long",
    field: "messageId",
  },
  {
    name: "consent category not boolean",
    path: "/v1/track",
    body: () =>
      JSON.stringify({
        userId: "u1",
        event: "E",
        context: { consent: { categoryPreferences: { Advertising: "yes" } } },
      }),
    status: 400,
    code: "consent_categorypreferences_fields_should_be_bool",
    field: "context.consent.categoryPreferences.Advertising",
  },
  {
    name: "message over 32 KB",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u1", event: "E", properties: { big } }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "batch over 500 KB",
    path: "/v1/batch",
    body: () =>
      JSON.stringify({
        batch: Array.from({ length: 20 }, () => ({
          type: "track",
          userId: "u",
          event: "E",
          properties: { p: "y".repeat(30_000) },
        })),
      }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "batch over 2,500 items",
    path: "/v1/batch",
    body: () =>
      JSON.stringify({
        batch: Array.from({ length: 2501 }, () => ({ type: "page", userId: "u" })),
      }),
    status: 400,
    code: "batch_too_many_items",
    field: "batch",
  },
  {
    name: "batch not an array",
    path: "/v1/batch",
    body: () => JSON.stringify({ batch: {} }),
    status: 400,
    code: "batch_invalid",
    field: "batch",
  },
  {
    name: "empty batch",
    path: "/v1/batch",
    body: () => JSON.stringify({ batch: [] }),
    status: 400,
    code: "empty_batch",
    field: "batch",
  },
  {
    name: "batch with only bad items",
    path: "/v1/batch",
    body: () =>
      JSON.stringify({
        batch: [
          { type: "track", userId: "u" },
          { type: "nope", userId: "u" },
        ],
      }),
    status: 400,
    code: "empty_batch_result",
    field: "batch",
  },
  {
    name: "bad batch sentAt",
    path: "/v1/batch",
    body: () => JSON.stringify({ sentAt: 12, batch: [{ type: "page", userId: "u" }] }),
    status: 400,
    code: "timestamp_invalid",
    field: "sentAt",
  },
  {
    name: "gzip garbage",
    path: "/v1/batch",
    body: () => "this is not gzip",
    headers: (s) => ({ ...auth(s), "content-encoding": "gzip" }),
    status: 400,
    code: "invalid_gzip",
  },
  {
    name: "gzip bomb past the limit",
    path: "/v1/track",
    body: () => gzip(JSON.stringify({ userId: "u", event: "E", properties: { big } })),
    headers: (s) => ({ ...auth(s), "content-encoding": "gzip" }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "unsupported encoding",
    path: "/v1/track",
    body: () => "{}",
    headers: (s) => ({ ...auth(s), "content-encoding": "br" }),
    status: 415,
    code: "unsupported_encoding",
  },
  {
    name: "invalid UTF-8",
    path: "/v1/track",
    body: () => new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    status: 400,
    code: "invalid_encoding",
  },
  {
    name: "unknown write key",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u", event: "E" }),
    headers: () => ({ authorization: basic("0123456789abcdef0123456789abcdef") }),
    status: 401,
    code: "invalid_write_key",
  },
  {
    name: "unknown write key in body",
    path: "/v1/t",
    body: () => JSON.stringify({ writeKey: "nope", userId: "u", event: "E" }),
    headers: () => ({}),
    status: 401,
    code: "invalid_write_key",
  },
  {
    name: "no write key at all",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u", event: "E" }),
    headers: () => ({}),
    status: 401,
    code: "missing_write_key",
  },
  {
    name: "malformed Authorization",
    path: "/v1/track",
    body: () => JSON.stringify({ userId: "u", event: "E" }),
    headers: () => ({ authorization: "Bearer abc" }),
    status: 401,
    code: "invalid_authorization",
  },
];

describe("Tracking API: bad input", () => {
  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await call(c.path, {
        method: "POST",
        headers: { "content-type": "application/json", ...(c.headers ?? auth)(source) },
        body: await c.body(),
      });
      expect(res.status).toBe(c.status);
      const body = await res.json<{ error: { code: string; field?: string; message: string } }>();
      expect(body.error.code).toBe(c.code);
      expect(body.error.message.length).toBeGreaterThan(0);
      if (c.field !== undefined) expect(body.error.field).toBe(c.field);
    });
  }

  it("measures batch items in bytes: a multibyte item over 32 KB is rejected", async () => {
    const mixed = await newSource();
    // 12,000 three-byte characters: under 32 K characters, 36 KB of UTF-8.
    const res = await track(mixed.writeKey, "/v1/batch", {
      batch: [
        { type: "track", userId: "u1", event: "Wide", properties: { note: "€".repeat(12_000) } },
        { type: "track", userId: "u1", event: "Narrow" },
      ],
    });
    expect(res.status).toBe(200);
    const body = await res.json<{
      accepted: number;
      rejected: { index: number; code: string }[];
    }>();
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      expect.objectContaining({ index: 0, code: "message_too_large" }),
    ]);
  });

  it("rejects bad batch items by index while accepting the good ones", async () => {
    const mixed = await newSource();
    const res = await track(mixed.writeKey, "/v1/batch", {
      batch: [
        { type: "track", userId: "u1", event: "Good", messageId: "good-1" },
        { type: "track", userId: "u1" },
        { type: "identify", anonymousId: 5 },
        { type: "page", userId: "u1", properties: { big } },
        { type: "screen", userId: "u1", messageId: "good-2" },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: true,
      accepted: 2,
      duplicates: 0,
      rejected: [
        {
          index: 1,
          code: "event_not_defined",
          field: "batch[1].event",
          message: "track requires event",
        },
        {
          index: 2,
          code: "id_not_string",
          field: "batch[2].anonymousId",
          message: "anonymousId must be a non-empty string",
        },
        {
          index: 3,
          code: "message_too_large",
          field: "batch[3]",
          message: expect.stringContaining("limit is 32768") as string,
        },
      ],
    });
  });

  it("stored nothing from any rejected request", async () => {
    // A good event sent after all the bad ones is the barrier: once the consumer has stored it,
    // anything wrongly enqueued before it would have been stored too.
    expect(
      (await track(source.writeKey, "/v1/track", { userId: "u", event: "Barrier" })).status,
    ).toBe(200);
    await storedEventually(source.sourceId, 1);
    expect(await storedCount(source.sourceId)).toBe(1);
    expect(await archivedObjects(source.sourceId)).toHaveLength(1);
    const [stored] = await storedEvents(source.sourceId);
    expect(stored).toMatchObject({ type: "track" });
  });
});
