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
  });
});
