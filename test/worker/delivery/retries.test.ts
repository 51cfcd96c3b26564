// Isolation, retries, dead letters and replay. Delivery Queue batches are driven through the
// worker's queue handler; each destination's Durable Object then sends on its own, against the
// vendor receiver on 127.0.0.1. The retry window is 4 hours: instead of waiting, a test moves a
// waiting event's schedule into the past inside the Durable Object and fires its alarm.
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
  type MessageBatchMessage,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import worker from "../../../worker/index.ts";
import { encodeDeliveryBundle } from "../../../worker/delivery/delivery-item.ts";
import { destinationObject } from "../../../worker/delivery/delivery-consumer.ts";
import { RETRY_WINDOW_SECONDS } from "../../../worker/destinations/retry.ts";
import { admin, call, ADMIN, eventually, newSource } from "../support.ts";
import { orderCompleted } from "../destinations/recording-fetch.ts";
import { overviewOf, webhookDestination, WEBHOOK_SECRET } from "./destination-setup.ts";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "../../../worker/destinations/webhook.ts";
import { Receiver } from "./receiver.ts";

let receiver: Receiver;
beforeEach(() => {
  receiver = new Receiver().start();
});
afterEach(() => receiver.stop());

function eventMessage(
  id: string,
  spaceId: string,
  destinationId: string,
  messageId: string,
): MessageBatchMessage<string> {
  const message = orderCompleted({ messageId, receivedAt: new Date().toISOString() });
  return {
    id,
    timestamp: Date.now(),
    attempts: 1,
    body: encodeDeliveryBundle({
      v: 2,
      kind: "events",
      spaceId,
      destinationId,
      events: [{ sourceId: "src_t", message }],
    }),
  };
}

async function runBatch(messages: MessageBatchMessage<string>[]) {
  const batch = createMessageBatch("foyer-delivery", messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

interface EventStatus {
  status: string;
  attempts: number;
  updatedAt: string;
  nextAttemptAt: string | null;
}

async function eventStatus(spaceId: string, dst: string, messageId: string) {
  const { event } = await admin<{ event: EventStatus }>(
    "GET",
    `/spaces/${spaceId}/destinations/${dst}/events/${messageId}`,
  );
  return event;
}

/** Waits until the event has settled into `status` after `attempts` attempts. */
function settledAs(spaceId: string, dst: string, messageId: string, status: string, attempts = 1) {
  return eventually(async () => {
    const event = await eventStatus(spaceId, dst, messageId).catch(() => undefined);
    return event?.status === status && event.attempts === attempts ? event : undefined;
  });
}

/** Seconds between the event's last attempt and its scheduled next one. */
function delaySeconds(event: EventStatus): number {
  return (Date.parse(event.nextAttemptAt ?? "") - Date.parse(event.updatedAt)) / 1000;
}

/** Moves a waiting event's next attempt (and optionally its retry window) into the past. */
async function makeDue(dst: string, messageId: string, windowStartedAgoMs = 0): Promise<void> {
  await runInDurableObject(destinationObject(env, dst), (_instance, state) => {
    const windowSet = windowStartedAgoMs > 0 ? ", window_start = ?" : "";
    const bindings: number[] = windowStartedAgoMs > 0 ? [Date.now() - windowStartedAgoMs] : [];
    state.storage.sql.exec(
      `UPDATE deliveries SET next_attempt_at = 0${windowSet} WHERE message_id = ?`,
      ...bindings,
      messageId,
    );
  });
  expect(await runDurableObjectAlarm(destinationObject(env, dst))).toBe(true);
}

describe("delivery isolation", () => {
  it("acks the Queue before a vendor answers: a hanging destination holds up no other", async () => {
    const { spaceId } = await newSource();
    const hanging = await webhookDestination(spaceId, "/hanging");
    const healthy = await webhookDestination(spaceId, "/healthy");
    // Every request to /hanging stays open until the test releases it.
    await receiver.hold("/hanging", 503);
    const result = await runBatch([
      eventMessage("qa", spaceId, hanging, "m-iso"),
      eventMessage("qb", spaceId, healthy, "m-iso"),
      eventMessage("qc", spaceId, healthy, "m-iso-2"),
    ]);
    expect(result.explicitAcks.sort()).toEqual(["qa", "qb", "qc"]);
    expect(result.retryMessages).toEqual([]);
    await settledAs(spaceId, healthy, "m-iso", "delivered");
    await settledAs(spaceId, healthy, "m-iso-2", "delivered");
    expect(await receiver.at("/healthy")).toHaveLength(2);
    // The hanging vendor has the request and has not answered it.
    await eventually(async () => ((await receiver.at("/hanging")).length === 1 ? true : undefined));
    expect(await eventStatus(spaceId, hanging, "m-iso")).toMatchObject({ status: "pending" });
    expect(await overviewOf(spaceId, hanging)).toMatchObject({ pending: 1, delivered: 0 });
    expect(await receiver.release()).toBe(1);
    await settledAs(spaceId, hanging, "m-iso", "retrying");
  });

  it("keeps sending to a healthy destination while another fails on every request", async () => {
    const { spaceId } = await newSource();
    const down = await webhookDestination(spaceId, "/down");
    const up = await webhookDestination(spaceId, "/up");
    await receiver.fail("/down", Number.POSITIVE_INFINITY, 500);
    const ids = Array.from({ length: 12 }, (_, i) => `m-many-${i}`);
    const result = await runBatch(
      ids.flatMap((id) => [
        eventMessage(`d-${id}`, spaceId, down, id),
        eventMessage(`u-${id}`, spaceId, up, id),
      ]),
    );
    expect(result.explicitAcks).toHaveLength(24);
    const overview = await eventually(async () => {
      const o = await overviewOf(spaceId, up);
      return o.delivered === 12 ? o : undefined;
    });
    expect(overview).toMatchObject({ received: 12, retrying: 0, failed: 0 });
    expect(await receiver.at("/up")).toHaveLength(12);
    const failing = await eventually(async () => {
      const o = await overviewOf(spaceId, down);
      return o.retrying === 12 ? o : undefined;
    });
    expect(failing).toMatchObject({ delivered: 0, pending: 0 });
  });
});

describe("delivery retries", () => {
  it("retries a receiver that fails twice with growing randomized delays, then delivers once", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/flaky");
    await receiver.fail("/flaky", 2, 503);
    const result = await runBatch([eventMessage("q1", spaceId, dst, "m-flaky")]);
    expect(result.explicitAcks).toEqual(["q1"]);
    // Backoff 30 s · 2^(n-1) with equal jitter: [15, 30] s after the 1st try, [30, 60] after the 2nd.
    const d1 = delaySeconds(await settledAs(spaceId, dst, "m-flaky", "retrying", 1));
    expect(d1).toBeGreaterThanOrEqual(15);
    expect(d1).toBeLessThanOrEqual(30);
    // The Durable Object's alarm is set for the retry.
    const alarm = await runInDurableObject(destinationObject(env, dst), (_i, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).not.toBeNull();
    await makeDue(dst, "m-flaky");
    const d2 = delaySeconds(await settledAs(spaceId, dst, "m-flaky", "retrying", 2));
    expect(d2).toBeGreaterThanOrEqual(30);
    expect(d2).toBeLessThanOrEqual(60);
    expect((await overviewOf(spaceId, dst)).retrying).toBe(1);
    await makeDue(dst, "m-flaky");
    await settledAs(spaceId, dst, "m-flaky", "delivered", 3);
    expect(await receiver.at("/flaky")).toHaveLength(3);
    const overview = await overviewOf(spaceId, dst);
    expect(overview).toMatchObject({
      received: 1,
      delivered: 1,
      pending: 0,
      retrying: 0,
      retries: 2,
      failed: 0,
    });
    expect(overview.latencyMs.samples).toBe(1);
    expect(overview.latencyMs.p95).toBeGreaterThanOrEqual(0);
  });

  it("dead-letters after the 4-hour window, and a replay delivers exactly once", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/late");
    await receiver.fail("/late", Number.POSITIVE_INFINITY, 503);
    await runBatch([eventMessage("q9", spaceId, dst, "m-late")]);
    await settledAs(spaceId, dst, "m-late", "retrying", 1);
    // The next attempt comes after the window has run out.
    await makeDue(dst, "m-late", (RETRY_WINDOW_SECONDS + 1) * 1000);
    await settledAs(spaceId, dst, "m-late", "failed", 2);
    const { deadLetters } = await admin<{ deadLetters: Record<string, unknown>[] }>(
      "GET",
      `/spaces/${spaceId}/destinations/${dst}/dead-letters`,
    );
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      messageId: "m-late",
      reason: "retry window exhausted",
      attempts: 2,
      event: { messageId: "m-late", event: "Order Completed" },
    });
    expect(String(deadLetters[0]?.error)).toContain("HTTP 503");
    expect(await overviewOf(spaceId, dst)).toMatchObject({ failed: 1, delivered: 0 });

    await receiver.fail("/late", 0);
    const replay = await admin<{ replayed: number }>(
      "POST",
      `/spaces/${spaceId}/destinations/${dst}/dead-letters/replay`,
    );
    expect(replay.replayed).toBe(1);
    const again = await admin<{ replayed: number }>(
      "POST",
      `/spaces/${spaceId}/destinations/${dst}/dead-letters/replay`,
      { messageIds: ["m-late"] },
    );
    expect(again.replayed).toBe(0);
    await settledAs(spaceId, dst, "m-late", "delivered", 1);
    // The original Queue message redelivered after the replay changes nothing.
    const dup = await runBatch([eventMessage("q9", spaceId, dst, "m-late")]);
    expect(dup.explicitAcks).toEqual(["q9"]);
    await runDurableObjectAlarm(destinationObject(env, dst));
    expect(await receiver.at("/late")).toHaveLength(3);
    expect(await overviewOf(spaceId, dst)).toMatchObject({ failed: 0, delivered: 1 });
  });

  it("an object restarted with events waiting (no dispatcher running) sends them from its alarm", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/restart");
    const body = JSON.stringify(orderCompleted({ messageId: "m-restart" }));
    // As an evicted object finds its storage: a waiting row and the watchdog alarm, nothing else.
    await runInDurableObject(destinationObject(env, dst), async (_instance, state) => {
      state.storage.sql.exec(
        `INSERT INTO deliveries (message_id, status, received_at, updated_at, body,
         next_attempt_at, window_start, source_id, dropped, allow_reason)
         VALUES ('m-restart', 'pending', ?, ?, ?, 0, ?, 'src_t', '[]', 'CONSENT_NOT_ENFORCED')`,
        Date.now(),
        Date.now(),
        body,
        Date.now(),
      );
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await receiver.at("/restart")).toHaveLength(0);
    expect(await runDurableObjectAlarm(destinationObject(env, dst))).toBe(true);
    await settledAs(spaceId, dst, "m-restart", "delivered");
    const [request] = await receiver.at("/restart");
    expect(JSON.parse(request?.body ?? "{}")).toMatchObject({ messageId: "m-restart" });
  });

  it("judges a waiting event again when the destination's configuration changes", async () => {
    const { spaceId } = await newSource();
    const settings = { url: "https://receiver.test/rejudge", secret: WEBHOOK_SECRET };
    const dst = await webhookDestination(spaceId, "/rejudge", { pii: { default: "raw" } });
    await receiver.fail("/rejudge", 1, 503);
    await runBatch([
      eventMessage("qp", spaceId, dst, "m-pii"),
      eventMessage("qs", spaceId, dst, "m-sub"),
    ]);
    await settledAs(spaceId, dst, "m-pii", "retrying", 1);
    await settledAs(spaceId, dst, "m-sub", "delivered", 1);
    const email = (r: { body: string } | undefined) =>
      (JSON.parse(r?.body ?? "{}") as { context?: { traits?: { email?: string } } }).context?.traits
        ?.email;
    expect(email((await receiver.at("/rejudge"))[0])).toBe(" John_Smith@gmail.com ");
    // The admin now drops emails for this destination: the retry must not send the raw one.
    await admin("PUT", `/spaces/${spaceId}/destinations/${dst}`, {
      slug: "webhook",
      name: "Webhook",
      settings,
      pii: { default: "raw", classes: { email: "dropped" } },
    });
    await makeDue(dst, "m-pii");
    await settledAs(spaceId, dst, "m-pii", "delivered", 2);
    const retried = (await receiver.at("/rejudge")).at(-1);
    expect(JSON.parse(retried?.body ?? "{}")).toMatchObject({ messageId: "m-pii" });
    expect(email(retried)).toBeUndefined();

    // A subscription change refuses a waiting event: filtered, never sent.
    await receiver.fail("/rejudge", 1, 503);
    await runBatch([eventMessage("qt", spaceId, dst, "m-later")]);
    await settledAs(spaceId, dst, "m-later", "retrying", 1);
    await admin("PUT", `/spaces/${spaceId}/destinations/${dst}`, {
      slug: "webhook",
      name: "Webhook",
      settings,
      subscription: 'event = "Something Else"',
    });
    const sent = (await receiver.at("/rejudge")).length;
    await makeDue(dst, "m-later");
    const event = await eventually(async () => {
      const e = await eventStatus(spaceId, dst, "m-later");
      return e.status === "filtered" ? e : undefined;
    });
    expect(event).toMatchObject({ reason: "NO_MATCHING_MAPPING" });
    expect(await receiver.at("/rejudge")).toHaveLength(sent);
  });

  it("dead-letters a permanent 4xx at once, without retries", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/reject");
    await receiver.fail("/reject", Number.POSITIVE_INFINITY, 422);
    const result = await runBatch([eventMessage("q4", spaceId, dst, "m-422")]);
    expect(result.explicitAcks).toEqual(["q4"]);
    await settledAs(spaceId, dst, "m-422", "failed", 1);
    expect(await receiver.at("/reject")).toHaveLength(1);
    const { deadLetters } = await admin<{ deadLetters: { reason: string }[] }>(
      "GET",
      `/spaces/${spaceId}/destinations/${dst}/dead-letters?limit=10`,
    );
    expect(deadLetters.map((d) => d.reason)).toEqual(["permanent failure"]);
  });

  it("a repeat of a delivered event (another queue message, same messageId) is not sent again", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/once");
    await runBatch([eventMessage("qx", spaceId, dst, "m-once")]);
    await settledAs(spaceId, dst, "m-once", "delivered");
    const repeat = await runBatch([eventMessage("qy", spaceId, dst, "m-once")]);
    expect(repeat.explicitAcks).toEqual(["qy"]);
    expect(await receiver.at("/once")).toHaveLength(1);
    expect((await overviewOf(spaceId, dst)).received).toBe(1);
  });

  it("acks and drops a queue message it cannot decode, and sends nothing", async () => {
    const result = await runBatch([{ id: "bad", timestamp: Date.now(), attempts: 1, body: "{" }]);
    expect(result.explicitAcks).toEqual(["bad"]);
    expect(await receiver.requests()).toHaveLength(0);
  });

  it("refuses bad replay bodies and unknown destinations", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/x");
    const bad = await call(`/admin/v1/spaces/${spaceId}/destinations/${dst}/dead-letters/replay`, {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ messageIds: [] }),
    });
    expect(bad.status).toBe(400);
    const missing = await call(`/admin/v1/spaces/${spaceId}/destinations/dst_nope/overview`, {
      headers: ADMIN,
    });
    expect(missing.status).toBe(404);
  });
});

describe("batched delivery", () => {
  /** One delivery bundle of `count` events for `destinationId`. */
  function bundleOf(spaceId: string, destinationId: string, prefix: string, count: number) {
    const events = Array.from({ length: count }, (_, i) => ({
      sourceId: "src_t",
      message: orderCompleted({
        messageId: `${prefix}-${i}`,
        receivedAt: new Date().toISOString(),
      }),
    }));
    return {
      id: `q-${prefix}`,
      timestamp: Date.now(),
      attempts: 1,
      body: encodeDeliveryBundle({ v: 2, kind: "events", spaceId, destinationId, events }),
    };
  }

  /** The messageIds in each request's JSON array body. */
  async function batchesAt(path: string): Promise<string[][]> {
    return (await receiver.at(path)).map((request) =>
      (JSON.parse(request.body) as { messageId: string }[]).map((event) => event.messageId),
    );
  }

  it("sends a webhook's due events as signed JSON arrays of at most its batch size", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/batched", {
      settings: { url: "https://receiver.test/batched", secret: WEBHOOK_SECRET, batchSize: 50 },
    });
    const result = await runBatch([bundleOf(spaceId, dst, "m-b", 120)]);
    expect(result.explicitAcks).toHaveLength(1);
    await eventually(async () =>
      (await overviewOf(spaceId, dst)).delivered === 120 ? true : undefined,
    );
    const batches = await batchesAt("/batched");
    // The lanes found all 120 waiting: 50 + 50 + 20, each event once.
    expect(batches.map((b) => b.length).sort((a, b) => a - b)).toEqual([20, 50, 50]);
    expect(new Set(batches.flat()).size).toBe(120);
    const [first] = await receiver.at("/batched");
    const check = await verifyWebhookSignature(
      WEBHOOK_SECRET,
      first!.headers[SIGNATURE_HEADER] ?? null,
      first!.body,
      Date.now(),
    );
    expect(check).toEqual({ ok: true });
  });

  it("cuts a batch at 1 MB of stored events, and sends a bundle's own repeats once", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/big", {
      settings: { url: "https://receiver.test/big", secret: WEBHOOK_SECRET, batchSize: 100 },
    });
    const padding = "x".repeat(30_000);
    const events = Array.from({ length: 80 }, (_, i) => ({
      sourceId: "src_t",
      message: orderCompleted({
        messageId: `big-${i}`,
        receivedAt: new Date().toISOString(),
        properties: { padding },
      }),
    }));
    // The bundle carries every event twice: the ledger takes each once.
    const body = encodeDeliveryBundle({
      v: 2,
      kind: "events",
      spaceId,
      destinationId: dst,
      events: [...events, ...events],
    });
    const result = await runBatch([{ id: "q-big", timestamp: Date.now(), attempts: 1, body }]);
    expect(result.explicitAcks).toEqual(["q-big"]);
    await eventually(async () =>
      (await overviewOf(spaceId, dst)).delivered === 80 ? true : undefined,
    );
    const requests = await receiver.at("/big");
    const batches = requests.map((r) =>
      (JSON.parse(r.body) as { messageId: string }[]).map((e) => e.messageId),
    );
    // 80 events of ~30 KB are ~2.4 MB: at least three requests, none far over 1 MB, each event once.
    expect(batches.length).toBeGreaterThanOrEqual(3);
    for (const r of requests) expect(r.body.length).toBeLessThan(1_100_000);
    expect(batches.flat().sort()).toEqual(events.map((e) => e.message.messageId).sort());
  });

  it("settles every event of a batch by its answer: a 503 retries the whole batch, once", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/batched-flaky", {
      settings: {
        url: "https://receiver.test/batched-flaky",
        secret: WEBHOOK_SECRET,
        batchSize: 50,
      },
    });
    await receiver.fail("/batched-flaky", 1, 503);
    await runBatch([bundleOf(spaceId, dst, "m-f", 100)]);
    const split = await eventually(async () => {
      const o = await overviewOf(spaceId, dst);
      return o.delivered + o.retrying === 100 ? o : undefined;
    });
    expect(split).toMatchObject({ delivered: 50, retrying: 50, failed: 0 });
    // The refused batch is due again: one request carries all 50.
    await runInDurableObject(destinationObject(env, dst), (_instance, state) => {
      state.storage.sql.exec("UPDATE deliveries SET next_attempt_at = 0 WHERE status = 'retrying'");
    });
    expect(await runDurableObjectAlarm(destinationObject(env, dst))).toBe(true);
    await eventually(async () =>
      (await overviewOf(spaceId, dst)).delivered === 100 ? true : undefined,
    );
    const batches = await batchesAt("/batched-flaky");
    expect(batches.map((b) => b.length)).toEqual([50, 50, 50]);
    // The retried batch is exactly the refused one.
    const refused = new Set(batches[0]);
    expect(batches.slice(1).some((b) => b.every((id) => refused.has(id)))).toBe(true);
    expect(new Set(batches.flat()).size).toBe(100);
    expect((await overviewOf(spaceId, dst)).retries).toBe(50);
  });

  it("refuses a batch size outside 1..1000 with the field named, and stores nothing", async () => {
    const { spaceId } = await newSource();
    for (const batchSize of [0, 1001, 2.5, "50"]) {
      const response = await call(`/admin/v1/spaces/${spaceId}/destinations`, {
        method: "POST",
        headers: { ...ADMIN, "content-type": "application/json" },
        body: JSON.stringify({
          slug: "webhook",
          name: "Too big",
          settings: { url: "https://receiver.test/x", secret: WEBHOOK_SECRET, batchSize },
        }),
      });
      expect(response.status).toBe(400);
      const body = await response.json<{ error: { field?: string } }>();
      expect(body.error.field).toBe("settings.batchSize");
    }
    const { destinations } = await admin<{ destinations: unknown[] }>(
      "GET",
      `/spaces/${spaceId}/destinations`,
    );
    expect(destinations).toEqual([]);
  });
});
