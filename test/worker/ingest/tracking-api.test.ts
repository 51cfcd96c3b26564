import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  archivedObjects,
  call,
  eventually,
  newSource,
  storedEventually,
  storedEvents,
  track,
} from "../support.ts";

describe("Tracking API: accepted calls", () => {
  it("stores every call type, normalized, in the R2 archive", async () => {
    const { sourceId, writeKey } = await newSource();
    const calls: [string, Record<string, unknown>][] = [
      ["/v1/identify", { userId: "u1", traits: { email: "a@example.com" }, messageId: "m-id" }],
      ["/v1/track", { userId: "u1", event: "Order Completed", messageId: "m-track" }],
      ["/v1/page", { anonymousId: "a1", name: "Home", messageId: "m-page" }],
      ["/v1/screen", { anonymousId: "a1", name: "Main", messageId: "m-screen" }],
      ["/v1/group", { userId: "u1", groupId: "g1", messageId: "m-group" }],
      ["/v1/alias", { userId: "u1", previousId: "a1", messageId: "m-alias" }],
    ];
    for (const [path, body] of calls) {
      const res = await track(writeKey, path, body, { "cf-connecting-ip": "203.0.113.9" });
      expect(res.status, path).toBe(200);
      expect(await res.json()).toEqual({ success: true, accepted: 1, duplicates: 0 });
    }
    await storedEventually(sourceId, calls.length);
    const stored = (await storedEvents(sourceId)).sort((a, b) =>
      String(a.messageId).localeCompare(String(b.messageId)),
    );
    expect(stored.map((e) => [e.messageId, e.type])).toEqual([
      ["m-alias", "alias"],
      ["m-group", "group"],
      ["m-id", "identify"],
      ["m-page", "page"],
      ["m-screen", "screen"],
      ["m-track", "track"],
    ]);
    for (const body of stored) {
      // The default IP mode truncates the connecting address (Invariant 5).
      expect(body.context).toMatchObject({ ip: "203.0.113.0" });
      expect(body.version).toBe(2);
      expect(body.writeKey).toBeUndefined();
      expect(typeof body.receivedAt).toBe("string");
    }
    // Calls that reach the consumer in one Queue batch share an object; together they hold each once.
    const lines = await eventually(async () => {
      const found: string[] = [];
      for (const key of await archivedObjects(sourceId)) {
        expect(key).toMatch(
          /^source=src_\w+\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/[0-9a-f]{32}\.ndjson$/,
        );
        found.push(...(await (await env.ARCHIVE.get(key))!.text()).trim().split("\n"));
      }
      return found.length === calls.length ? found : undefined;
    });
    expect(lines.map((l) => (JSON.parse(l) as { messageId: string }).messageId).sort()).toEqual(
      stored.map((e) => e.messageId),
    );
  });

  it("accepts analytics.js short routes with text/plain bodies and writeKey in the body", async () => {
    const { sourceId, writeKey } = await newSource();
    const res = await call("/v1/t", {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://shop.example" },
      body: JSON.stringify({
        writeKey,
        event: "Clicked",
        anonymousId: "anon-1",
        type: "track",
        context: { library: { name: "analytics.js", version: "next-1.70.0" } },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    await storedEventually(sourceId, 1);
    const [body] = (await storedEvents(sourceId)) as [Record<string, unknown>];
    expect(body.context).toMatchObject({
      library: { name: "analytics.js", version: "next-1.70.0" },
    });
    expect(body.messageId).toMatch(/^foyer-/);
    expect(body.writeKey).toBeUndefined();
  });

  it("answers CORS preflight", async () => {
    const res = await call("/v1/batch", {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("merges batch context and integrations, corrects clock skew, keeps per-item overrides", async () => {
    const { sourceId, writeKey } = await newSource();
    const before = Date.now();
    const res = await track(writeKey, "/v1/batch", {
      sentAt: "2030-01-01T00:00:10.000Z",
      context: { library: { name: "analytics-python", version: "2.3.0" }, locale: "fr-FR" },
      integrations: { All: true, Salesforce: false },
      batch: [
        {
          type: "track",
          event: "Skewed",
          userId: "u1",
          messageId: "skew",
          timestamp: "2030-01-01T00:00:00.000Z",
          context: { locale: "de-DE" },
        },
        { type: "identify", userId: "u1", messageId: "noskew", integrations: { Mixpanel: false } },
      ],
    });
    expect(res.status).toBe(200);
    const after = Date.now();
    await storedEventually(sourceId, 2);
    const byId = Object.fromEntries(
      (await storedEvents(sourceId)).map((e) => [e.messageId as string, e]),
    );
    const skewed = byId.skew!;
    const received = Date.parse(skewed.receivedAt as string);
    expect(received).toBeGreaterThanOrEqual(before);
    expect(received).toBeLessThanOrEqual(after);
    // The device clock ran ~4 years ahead; the event happened 10 s before it was sent.
    expect(Date.parse(skewed.timestamp as string)).toBe(received - 10_000);
    expect(skewed.originalTimestamp).toBe("2030-01-01T00:00:00.000Z");
    expect(skewed.sentAt).toBe("2030-01-01T00:00:10.000Z");
    expect(skewed.context).toMatchObject({
      locale: "de-DE",
      library: { name: "analytics-python", version: "2.3.0" },
    });
    expect(skewed.integrations).toEqual({ All: true, Salesforce: false });
    const plain = byId.noskew!;
    expect(plain.timestamp).toBe(plain.receivedAt);
    expect(plain.integrations).toEqual({ All: true, Salesforce: false, Mixpanel: false });
  });

  it("accepts gzip bodies", async () => {
    const { sourceId, writeKey } = await newSource();
    const json = JSON.stringify({
      batch: Array.from({ length: 50 }, (_, i) => ({
        type: "track",
        event: "Zip",
        userId: `u${i}`,
      })),
    });
    const gz = await new Response(
      new Blob([json]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    const res = await call("/v1/batch", {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${writeKey}:`)}`,
        "content-type": "application/json",
        "content-encoding": "gzip",
      },
      body: gz,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 50 });
    await storedEventually(sourceId, 50);
  });

  it("serves an analytics.js settings document pointing at Foyer", async () => {
    const { writeKey } = await newSource();
    const res = await call(`/v1/projects/${writeKey}/settings`);
    expect(res.status).toBe(200);
    const doc = await res.json<{ integrations: Record<string, Record<string, unknown>> }>();
    expect(doc.integrations["Segment.io"]).toMatchObject({
      apiKey: writeKey,
      apiHost: "foyer.test/v1",
      protocol: "http",
    });
    expect((await call("/v1/projects/nope/settings")).status).toBe(404);
  });
});
