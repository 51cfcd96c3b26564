// Deduplication after the Queue (worker/gate/admission/claims.ts): the ingest consumer drops a
// messageId another chunk claimed first, keeps a chunk's own claims on redelivery, and asks each
// claim shard a batch touches once.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../worker/index.ts";
import { CLAIM_SHARDS, claimShard, claimShardName } from "../../../worker/gate/admission/claims.ts";
import { chunkLines } from "../../../worker/message/index.ts";
import { newSource, storedCount, storedEventually, storedEvents } from "../support.ts";

function chunkOf(
  source: { sourceId: string; spaceId: string },
  requestId: string,
  ids: string[],
): { chunkId: string; text: string } {
  const receivedAt = new Date().toISOString();
  const lines = ids.map((messageId) =>
    JSON.stringify({
      type: "track",
      event: "E",
      userId: `u-${messageId}`,
      messageId,
      timestamp: receivedAt,
      receivedAt,
      originalTimestamp: receivedAt,
      context: {},
      properties: {},
    }),
  );
  const [chunk] = chunkLines({ requestId, ...source, receivedAt, lines });
  return chunk!;
}

async function consume(chunks: { chunkId: string; text: string }[]) {
  const batch = createMessageBatch(
    "foyer-events",
    chunks.map((c, i) => ({
      id: `m-${c.chunkId}-${i}`,
      timestamp: new Date(),
      attempts: 1,
      body: c.text,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe("messageId claims after the Queue", () => {
  it("spreads ids over every shard", () => {
    const shards = new Set(Array.from({ length: 2_000 }, (_, i) => claimShard(`id-${i}`)));
    expect(shards.size).toBe(CLAIM_SHARDS);
  });

  it("stores each messageId once across chunks, batches and redeliveries", async () => {
    const s = await newSource();
    const first = chunkOf(s, "req-a", ["x-1", "x-2", "x-3"]);
    const overlapping = chunkOf(s, "req-b", ["x-3", "x-4"]);
    const result = await consume([first, overlapping]);
    expect(result.explicitAcks.sort()).toHaveLength(2);
    await storedEventually(s.sourceId, 4);
    // A later chunk of repeats only is acked and stores nothing.
    const repeats = chunkOf(s, "req-c", ["x-1", "x-4"]);
    expect((await consume([repeats])).explicitAcks).toHaveLength(1);
    // The first chunk redelivered keeps its own claims (its events are archived already).
    expect((await consume([first])).explicitAcks).toHaveLength(1);
    expect(await storedCount(s.sourceId)).toBe(4);
    const ids = (await storedEvents(s.sourceId)).map((e) => e.messageId).sort();
    expect(ids).toEqual(["x-1", "x-2", "x-3", "x-4"]);
  });

  it("answers a shard's duplicates by pair: the first chunk wins, its own repeat is no duplicate", async () => {
    const s = await newSource();
    const shard = env.SOURCE_GATE.get(env.SOURCE_GATE.idFromName(claimShardName(s.sourceId, 0)));
    expect(
      await shard.claim([
        ["a", "chunk-1"],
        ["a", "chunk-2"],
        ["b", "chunk-2"],
      ]),
    ).toEqual([1]);
    expect(
      await shard.claim([
        ["a", "chunk-1"],
        ["b", "chunk-3"],
        ["c", "chunk-3"],
      ]),
    ).toEqual([1]);
    // Hostile ids are data: quotes, JSON and __proto__ change nothing.
    expect(
      await shard.claim([
        ["__proto__", "c-4"],
        ['"]}', "c-4"],
        ["__proto__", "c-5"],
      ]),
    ).toEqual([2]);
  });
});
