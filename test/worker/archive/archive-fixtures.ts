// Fixtures for the archive's write-ahead tests: Queue chunks as the edge writes them, the index
// rows of a source's archive objects, and an env whose D1 batch fails (fault injection: every
// other call reaches the real D1 and R2).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { CLAIM_SHARDS, claimShardName } from "../../../worker/gate/admission/claims.ts";
import { storedChunk } from "../../../worker/pipeline/ingest-consumer.ts";
import { readSpacePrivacy } from "../../../worker/gate/settings-store.ts";
import { storageHashKey } from "../../../worker/gate/pii/storage-hash.ts";
import type { IngestChunk, NormalizedMessage } from "../../../worker/message/message.ts";
import { message } from "../identity/message-builder.ts";

export type Chunk = IngestChunk & { lines: string[] };

/**
 * A chunk of `track` calls by `userIds` (one each), in its stored form, received at `receivedAt`.
 * Its id is `<sourceId>-<name>` (the chunk index is global, like the edge's request ids) and its
 * messages' ids are `<chunkId>-m<n>`.
 */
export async function chunkOf(
  source: { spaceId: string; sourceId: string },
  name: string,
  userIds: readonly string[],
  receivedAt = new Date().toISOString(),
): Promise<Chunk> {
  const chunkId = `${source.sourceId}-${name}`;
  const messages: NormalizedMessage[] = userIds.map((userId, i) =>
    message("track", { messageId: `${chunkId}-m${i}`, userId, event: "Order Completed" }),
  );
  const privacy = await readSpacePrivacy(env, source.spaceId);
  return storedChunk(
    {
      v: 1,
      chunkId,
      spaceId: source.spaceId,
      sourceId: source.sourceId,
      receivedAt,
      messages,
      lines: [],
    },
    await storageHashKey(privacy.hashSecret),
    privacy.policy,
  );
}

export interface ObjectRow {
  key: string;
  state: string;
  written_at: number | null;
  event_count: number;
  bytes: number;
}

/** The source's archive index rows, oldest intent first. */
export async function objectRows(sourceId: string): Promise<ObjectRow[]> {
  const { results } = await env.DB.prepare(
    `SELECT key, state, written_at, event_count, bytes FROM archive_objects
     WHERE source_id = ? ORDER BY written_at, key`,
  )
    .bind(sourceId)
    .all<ObjectRow>();
  return results;
}

/**
 * Which object holds each of the source's archived chunks: the chunk records in the source's claim
 * shards (worker/gate/admission/claims.ts) whose object is `stored` — what the consumer takes as
 * "archived already".
 */
export async function chunkIndex(sourceId: string): Promise<Record<string, string>> {
  const recorded: [string, string][] = [];
  for (let shard = 0; shard < CLAIM_SHARDS; shard++) {
    const stub = env.SOURCE_GATE.get(env.SOURCE_GATE.idFromName(claimShardName(sourceId, shard)));
    recorded.push(
      ...(await runInDurableObject(stub, (_gate: unknown, state: DurableObjectState) =>
        state.storage.sql
          .exec<{ chunk: string; key: string }>("SELECT chunk, key FROM chunk_objects")
          .toArray()
          .map((row) => [row.chunk, row.key] as [string, string]),
      )),
    );
  }
  const stored = new Set(
    (
      await env.DB.prepare(
        "SELECT key FROM archive_objects WHERE source_id = ? AND state = 'stored'",
      )
        .bind(sourceId)
        .all<{ key: string }>()
    ).results.map((r) => r.key),
  );
  return Object.fromEntries(recorded.filter(([, key]) => stored.has(key)).sort());
}

/** The text of an R2 object, or null when there is none. */
export async function objectText(key: string): Promise<string | null> {
  return (await env.ARCHIVE.get(key))?.text() ?? null;
}

/** The real env, except that `DB.batch` rejects: D1 failing after the consumer's R2 put. */
export function envWithFailingBatch(): Env {
  const db = new Proxy(env.DB, {
    get(target, property) {
      if (property === "batch") {
        return () => Promise.reject(new Error("injected D1 batch failure"));
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { ...env, DB: db };
}
