// A chunk's activation changes go back to the ingest consumer, which queues them with the chunk's
// events (one delivery bundle per destination and chunk). The profile keeps them under the chunk,
// so a chunk redelivered after a failed hand-off gets the same changes back to queue again.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { feedIdentity } from "../../../worker/identity/feed.ts";
import type { IngestChunk, NormalizedMessage } from "../../../worker/message/message.ts";
import { admin, newSource } from "../support.ts";
import { message } from "../identity/message-builder.ts";

describe("activation changes answered to the ingest consumer", () => {
  it("answers a chunk's changes, the same ones again for its redelivery, none for a repeat event", async () => {
    const { spaceId, sourceId } = await newSource();
    await admin("PUT", `/spaces/${spaceId}/computed-traits/orders`, {
      kind: "event_counter",
      event: { event: "Order Completed" },
    });
    const chunk = (chunkId: string, ...messages: NormalizedMessage[]): IngestChunk => ({
      v: 1,
      chunkId,
      spaceId,
      sourceId,
      receivedAt: new Date().toISOString(),
      messages,
    });
    const now = new Date().toISOString();
    const first = message("track", {
      userId: "buyer-1",
      event: "Order Completed",
      timestamp: now,
      receivedAt: now,
    });
    const ids = (changes: NormalizedMessage[]) => changes.map((m) => m.messageId);

    const answered = await feedIdentity(env, chunk("c-1", first));
    expect(answered.map((m) => m.type)).toEqual(["identify"]);
    expect(answered[0]?.traits).toMatchObject({ orders: 1 });
    // The Queue redelivers c-1 (its delivery hand-off failed): the same changes come back.
    expect(ids(await feedIdentity(env, chunk("c-1", first)))).toEqual(ids(answered));
    // The same event in another chunk changes nothing, so nothing is answered.
    expect(await feedIdentity(env, chunk("c-2", first))).toEqual([]);
    const second = message("track", {
      userId: "buyer-1",
      event: "Order Completed",
      timestamp: now,
      receivedAt: now,
    });
    const next = await feedIdentity(env, chunk("c-3", second));
    expect(next[0]?.traits).toMatchObject({ orders: 2 });

    // A consumer batch's chunks of one source go in together: the person's events in both chunks
    // are one apply, so one change (orders 2 → 4), not one a chunk.
    const order = () =>
      message("track", {
        userId: "buyer-1",
        event: "Order Completed",
        timestamp: now,
        receivedAt: now,
      });
    const [o4, o5] = [order(), order()];
    const together = await feedIdentity(env, [chunk("c-4", o4), chunk("c-5", o5)]);
    expect(together.map((m) => m.traits)).toEqual([expect.objectContaining({ orders: 4 })]);
    // Redelivered alone, or in another grouping, either chunk gets that change back.
    expect(ids(await feedIdentity(env, chunk("c-5", o5)))).toEqual(ids(together));
    expect(ids(await feedIdentity(env, [chunk("c-6"), chunk("c-4", o4)]))).toEqual(ids(together));
    // Trait changes alone write no audit row (that would be a D1 row per event).
    const audited = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM audit_log WHERE space_id = ? AND action = 'activation.sent'",
    )
      .bind(spaceId)
      .first<{ n: number }>();
    expect(audited?.n).toBe(0);
    // Chunks of two sources are never fed together.
    await expect(
      feedIdentity(env, [chunk("c-7", order()), { ...chunk("c-8", order()), sourceId: "other" }]),
    ).rejects.toThrow(/one space and source/);
  });
});
