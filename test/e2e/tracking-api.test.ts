// End to end through the real stack: the real @segment/analytics-node client, pointed at Foyer's
// edge running under wrangler's local runtime (workerd, D1, R2, Queues, Durable Objects), sends
// every call type and a large batch; we read them back from D1 and R2 through the admin API.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Analytics } from "@segment/analytics-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminApiClient } from "../../scripts/admin-api-client.ts";
import { startLocalEdge, type LocalEdge } from "../../scripts/local-edge.ts";
import type { NormalizedMessage } from "../../worker/message/message.ts";
import { archivedEvents, storedEvents, waitForMessageIds } from "./stored-events.ts";

const STORE_TIMEOUT_MS = 30_000;
/** The emulated client's clock runs one hour fast: the edge must correct its timestamps. */
const CLIENT_SKEW_MS = 60 * 60 * 1_000;

let edge: LocalEdge;
let stateDir: string;
let admin: AdminApiClient;
let sourceId: string;
let writeKey: string;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "foyer-e2e-"));
  edge = await startLocalEdge({ persistDir: stateDir, port: 0 });
  admin = new AdminApiClient(edge.url, edge.adminToken);
  const space = await admin.createSpace("e2e tracking");
  const created = await admin.createSource(space.id, {
    name: "analytics-node",
    rateLimit: { eventsPerSecond: 100_000, burst: 100_000 },
  });
  sourceId = created.source.id;
  writeKey = created.writeKey;
});

afterAll(async () => {
  await edge?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

/** analytics-node against the edge; `skewMs` emulates a client whose clock is off by that much. */
function segmentClient(key: string, settings: { flushAt: number; skewMs?: number }): Analytics {
  const skewMs = settings.skewMs ?? 0;
  return new Analytics({
    writeKey: key,
    host: edge.url.origin,
    path: "/v1/batch",
    maxEventsInBatch: settings.flushAt,
    flushInterval: 100,
    maxRetries: 0,
    // The client stamps `sentAt` itself at send time; a fast clock shifts it like the timestamps.
    httpClient: (url, init) => {
      const body = JSON.parse(init.body) as { sentAt: string };
      body.sentAt = new Date(Date.parse(body.sentAt) + skewMs).toISOString();
      return fetch(url, { ...init, body: JSON.stringify(body) });
    },
  });
}

/** Runs one analytics-node call and resolves with the event exactly as the client built it. */
function sent(
  call: (done: (err: unknown, ctx: unknown) => void) => void,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    call((err, ctx) =>
      err
        ? reject(err instanceof Error ? err : new Error("delivery failed", { cause: err }))
        : resolve((ctx as { event: Record<string, unknown> }).event),
    ),
  );
}

function expectNormalized(
  stored: NormalizedMessage | undefined,
  client: Record<string, unknown>,
  since: number,
): void {
  expect(stored, `messageId ${String(client.messageId)} stored`).toBeDefined();
  if (stored === undefined) return;
  expect(stored.messageId).toBe(client.messageId);
  expect(stored.type).toBe(client.type);
  const receivedAt = Date.parse(stored.receivedAt);
  expect(receivedAt).toBeGreaterThanOrEqual(since);
  expect(receivedAt).toBeLessThanOrEqual(Date.now());
  expect(Date.parse(stored.originalTimestamp)).toBe(new Date(client.timestamp as Date).getTime());
  // Segment's skew correction: timestamp = receivedAt − (sentAt − originalTimestamp).
  expect(stored.sentAt).toBeDefined();
  const expected =
    receivedAt - (Date.parse(stored.sentAt ?? "") - Date.parse(stored.originalTimestamp));
  expect(Date.parse(stored.timestamp)).toBe(expected);
  expect(stored.context.library).toEqual((client.context as Record<string, unknown>).library);
  expect(stored.context.ip).toMatch(/^[0-9a-f.:]+$/i);
  expect(stored).not.toHaveProperty("writeKey");
  expect(JSON.stringify(stored)).not.toContain(writeKey);
}

describe("Tracking API with the real @segment/analytics-node client", () => {
  it("stores identify, track, page, screen, group and alias normalized in the R2 archive", async () => {
    const since = Date.now();
    const analytics = segmentClient(writeKey, { flushAt: 6, skewMs: CLIENT_SKEW_MS });
    const fast = (offsetMs: number): Date => new Date(Date.now() + CLIENT_SKEW_MS - offsetMs);
    const userId = `e2e-user-${since}`;
    const calls = await Promise.all([
      sent((cb) =>
        analytics.identify(
          { userId, traits: { email: "guest@example.com", plan: "pro" }, timestamp: fast(5_000) },
          cb,
        ),
      ),
      sent((cb) =>
        analytics.track(
          { userId, event: "Order Completed", properties: { total: 42.5 }, timestamp: fast(4_000) },
          cb,
        ),
      ),
      sent((cb) =>
        analytics.page(
          {
            userId,
            category: "Docs",
            name: "Quick start",
            properties: { path: "/docs" },
            timestamp: fast(3_000),
          },
          cb,
        ),
      ),
      sent((cb) =>
        analytics.screen(
          { userId, name: "Home", properties: { variant: "b" }, timestamp: fast(2_500) },
          cb,
        ),
      ),
      sent((cb) =>
        analytics.group(
          { userId, groupId: "venue-42", traits: { name: "Foyer Hall" }, timestamp: fast(2_000) },
          cb,
        ),
      ),
      sent((cb) =>
        analytics.alias({ userId, previousId: `anon-${since}`, timestamp: fast(1_000) }, cb),
      ),
    ]);
    await analytics.closeAndFlush({ timeout: 10_000 });
    const ids = calls.map((call) => String(call.messageId));

    const d1 = await waitForMessageIds(() => storedEvents(admin, sourceId), ids, STORE_TIMEOUT_MS);
    for (const call of calls) expectNormalized(d1.get(String(call.messageId)), call, since);
    const byType = new Map(
      [...d1.values()].filter((e) => ids.includes(e.messageId)).map((e) => [e.type, e]),
    );
    // The storage policy keeps PII hashed, keyed under the space's secret (an HMAC, not the bare
    // SHA-256 anyone could recompute from a list of emails); raw only in profiles.
    const bareSha256 = createHash("sha256").update("guest@example.com").digest("hex");
    const traits = byType.get("identify")?.traits as { email: string; plan: string };
    expect(traits.plan).toBe("pro");
    expect(traits.email).toMatch(/^[0-9a-f]{64}$/);
    expect(traits.email).not.toBe(bareSha256);
    expect(byType.get("track")).toMatchObject({
      event: "Order Completed",
      properties: { total: 42.5 },
    });
    expect(byType.get("page")).toMatchObject({ category: "Docs", name: "Quick start" });
    expect(byType.get("screen")).toMatchObject({ name: "Home", properties: { variant: "b" } });
    expect(byType.get("group")).toMatchObject({
      groupId: "venue-42",
      traits: { name: "Foyer Hall" },
    });
    expect(byType.get("alias")).toMatchObject({ userId, previousId: `anon-${since}` });
    // The corrected time is the real call time (minus the client-side offsets above), not +1 h.
    for (const event of byType.values()) {
      expect(Math.abs(Date.parse(event.timestamp) - since)).toBeLessThan(60_000);
    }

    const receivedAts = ids.map((id) => d1.get(id)?.receivedAt ?? "");
    const r2 = await waitForMessageIds(
      () => archivedEvents(admin, sourceId, receivedAts),
      ids,
      STORE_TIMEOUT_MS,
    );
    for (const id of ids) expect(r2.get(id)).toEqual(d1.get(id));
  });

  it("delivers a 600-event flush in one request and stores every event", async () => {
    const since = Date.now();
    const analytics = segmentClient(writeKey, { flushAt: 600 });
    const batchSizes: number[] = [];
    const statuses: number[] = [];
    analytics.on("http_request", (request) => {
      batchSizes.push((JSON.parse(request.body) as { batch: unknown[] }).batch.length);
    });
    analytics.on("http_response", (response) => statuses.push(response.status));
    const calls = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        sent((cb) =>
          analytics.track(
            { anonymousId: `e2e-anon-${i % 7}`, event: "Bulk Item", properties: { i } },
            cb,
          ),
        ),
      ),
    );
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(batchSizes).toEqual([600]);
    expect(statuses).toEqual([200]);

    const ids = calls.map((call) => String(call.messageId));
    const d1 = await waitForMessageIds(() => storedEvents(admin, sourceId), ids, STORE_TIMEOUT_MS);
    expect(ids.filter((id) => !d1.has(id))).toEqual([]);
    expectNormalized(d1.get(ids[0] ?? ""), calls[0] ?? {}, since);
    expectNormalized(d1.get(ids[599] ?? ""), calls[599] ?? {}, since);
    const receivedAts = new Set(ids.map((id) => d1.get(id)?.receivedAt ?? ""));
    const r2 = await waitForMessageIds(
      () => archivedEvents(admin, sourceId, receivedAts),
      ids,
      STORE_TIMEOUT_MS,
    );
    expect(ids.filter((id) => !r2.has(id))).toEqual([]);
  });

  it("reports a bad write key as a 401 delivery failure and stores nothing", async () => {
    const analytics = segmentClient("not-a-foyer-write-key", { flushAt: 1 });
    const errors: unknown[] = [];
    const statuses: number[] = [];
    analytics.on("error", (error) => errors.push(error));
    analytics.on("http_response", (response) => statuses.push(response.status));
    const messageId = `e2e-bad-key-${Date.now()}`;
    const delivery = sent((cb) =>
      analytics.track({ userId: "nobody", event: "Should Not Land", messageId }, cb),
    );
    await expect(delivery).rejects.toThrow(/401/);
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(statuses).toEqual([401]);
    expect(errors).toMatchObject([{ code: "delivery_failure" }]);

    const direct = await fetch(new URL("/v1/track", edge.url), {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from("not-a-foyer-write-key:").toString("base64")}`,
      },
      body: JSON.stringify({ userId: "nobody", event: "Should Not Land" }),
    });
    expect(direct.status).toBe(401);
    const { error } = (await direct.json()) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof error?.code).toBe("string");
    expect(typeof error?.message).toBe("string");
    expect((await storedEvents(admin, sourceId)).has(messageId)).toBe(false);
  });
});
