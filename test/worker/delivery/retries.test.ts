// Retries, isolation, dead letters and replay, driving the delivery Queue handler with batches
// whose attempt counts and timestamps the test sets (the retry window is 4 hours: no test waits
// that long), against a receiver that fails for a while.
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  type MessageBatchMessage,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import worker from "../../../worker/index.ts";
import { encodeDeliveryItem } from "../../../worker/delivery/delivery-item.ts";
import { RETRY_WINDOW_SECONDS } from "../../../worker/destinations/retry.ts";
import { admin, call, ADMIN, eventually, newSource } from "../support.ts";
import { orderCompleted } from "../destinations/recording-fetch.ts";
import { overviewOf, webhookDestination } from "./destination-setup.ts";
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
  options: { attempts?: number; timestamp?: number } = {},
): MessageBatchMessage<string> {
  const message = orderCompleted({ messageId, receivedAt: new Date().toISOString() });
  return {
    id,
    timestamp: options.timestamp ?? Date.now(),
    attempts: options.attempts ?? 1,
    body: encodeDeliveryItem({
      v: 1,
      kind: "event",
      spaceId,
      destinationId,
      sourceId: "src_t",
      message,
    }),
  };
}

async function runBatch(messages: MessageBatchMessage<string>[]) {
  const batch = createMessageBatch("foyer-delivery", messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

/** Seconds between the event's last attempt and its scheduled next one, from the lineage view. */
async function retryDelay(spaceId: string, dst: string, messageId: string): Promise<number> {
  const { event } = await admin<{
    event: { status: string; updatedAt: string; nextAttemptAt: string };
  }>("GET", `/spaces/${spaceId}/destinations/${dst}/events/${messageId}`);
  expect(event.status).toBe("retrying");
  return (Date.parse(event.nextAttemptAt) - Date.parse(event.updatedAt)) / 1000;
}

describe("delivery retries", () => {
  it("retries a receiver that fails twice with growing randomized delays, then delivers once", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/flaky");
    await receiver.fail("/flaky", 2, 503);
    const first = await runBatch([eventMessage("q1", spaceId, dst, "m-flaky", { attempts: 1 })]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages.map((m) => m.msgId)).toEqual(["q1"]);
    // Backoff 30 s · 2^(n-1) with equal jitter: [15, 30] s after the 1st try, [30, 60] after the 2nd.
    const d1 = await retryDelay(spaceId, dst, "m-flaky");
    expect(d1).toBeGreaterThanOrEqual(15);
    expect(d1).toBeLessThanOrEqual(30);
    const second = await runBatch([eventMessage("q1", spaceId, dst, "m-flaky", { attempts: 2 })]);
    expect(second.retryMessages.map((m) => m.msgId)).toEqual(["q1"]);
    const d2 = await retryDelay(spaceId, dst, "m-flaky");
    expect(d2).toBeGreaterThanOrEqual(30);
    expect(d2).toBeLessThanOrEqual(60);
    expect((await overviewOf(spaceId, dst)).retrying).toBe(1);
    const third = await runBatch([eventMessage("q1", spaceId, dst, "m-flaky", { attempts: 3 })]);
    expect(third.explicitAcks).toEqual(["q1"]);
    expect(third.retryMessages).toEqual([]);
    expect(await receiver.at("/flaky")).toHaveLength(3);
    const overview = await overviewOf(spaceId, dst);
    expect(overview).toMatchObject({
      received: 1,
      delivered: 1,
      retrying: 0,
      retries: 2,
      failed: 0,
    });
    expect(overview.latencyMs.samples).toBe(1);
    expect(overview.latencyMs.p95).toBeGreaterThanOrEqual(0);
  });

  it("a failing destination does not hold up a healthy one in the same batch", async () => {
    const { spaceId } = await newSource();
    const down = await webhookDestination(spaceId, "/down");
    const up = await webhookDestination(spaceId, "/up");
    await receiver.fail("/down", Number.POSITIVE_INFINITY, 500);
    const result = await runBatch([
      eventMessage("qa", spaceId, down, "m-iso"),
      eventMessage("qb", spaceId, up, "m-iso"),
      eventMessage("qc", spaceId, up, "m-iso-2"),
    ]);
    expect(result.explicitAcks.sort()).toEqual(["qb", "qc"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["qa"]);
    expect(result.retryBatch.retry).toBe(false);
    expect(await receiver.at("/up")).toHaveLength(2);
  });

  it("dead-letters after the 4-hour window, and a replay delivers exactly once", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/late");
    await receiver.fail("/late", Number.POSITIVE_INFINITY, 503);
    const startedAt = Date.now() - (RETRY_WINDOW_SECONDS + 1) * 1000;
    const result = await runBatch([
      eventMessage("q9", spaceId, dst, "m-late", { attempts: 9, timestamp: startedAt }),
    ]);
    expect(result.explicitAcks).toEqual(["q9"]);
    const { deadLetters } = await admin<{ deadLetters: Record<string, unknown>[] }>(
      "GET",
      `/spaces/${spaceId}/destinations/${dst}/dead-letters`,
    );
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      messageId: "m-late",
      reason: "retry window exhausted",
      attempts: 9,
      event: { messageId: "m-late", event: "Order Completed" },
    });
    expect(String(deadLetters[0]?.error)).toContain("HTTP 503");
    expect(await overviewOf(spaceId, dst)).toMatchObject({ failed: 1, delivered: 0 });

    // Counted before the replay is queued: the Queue may deliver it before the next line runs.
    const before = (await receiver.at("/late")).length;
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
    await eventually(async () =>
      (await overviewOf(spaceId, dst)).delivered === 1 ? true : undefined,
    );
    // A replay message redelivered by the queue after success sends nothing more.
    const dup = await runBatch([
      {
        id: "q-replay-dup",
        timestamp: Date.now(),
        attempts: 1,
        body: encodeDeliveryItem({
          v: 1,
          kind: "replay",
          spaceId,
          destinationId: dst,
          messageId: "m-late",
        }),
      },
    ]);
    expect(dup.explicitAcks).toEqual(["q-replay-dup"]);
    expect((await receiver.at("/late")).length - before).toBe(1);
    expect(await overviewOf(spaceId, dst)).toMatchObject({ failed: 0, delivered: 1 });
  });

  it("dead-letters a permanent 4xx at once, without retries", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/reject");
    await receiver.fail("/reject", Number.POSITIVE_INFINITY, 422);
    const result = await runBatch([eventMessage("q4", spaceId, dst, "m-422")]);
    expect(result.explicitAcks).toEqual(["q4"]);
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
