// The ingest Queue's consumer: each chunk goes to the R2 archive and the D1 events table, then to
// the source's live debugger. Every step is idempotent (deterministic object key, INSERT … ON
// CONFLICT DO NOTHING), so a redelivery changes nothing (Invariant 2).
import type { IngestChunk } from "../spec/message.ts";
import { archiveKey } from "./keys.ts";

const INSERT_EVENT = `INSERT INTO events
  (source_id, message_id, space_id, type, event, user_id, anonymous_id, timestamp, received_at, chunk_id, body)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
const INSERT_OBJECT = `INSERT INTO archive_objects (key, source_id, received_at, event_count, bytes)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

const encoder = new TextEncoder();

/** Retry delay for a failed chunk: exponential from 2 s, capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.min(attempts, 9));
}

export async function storeChunk(env: Env, chunk: IngestChunk): Promise<void> {
  const receivedMs = Date.parse(chunk.receivedAt);
  const lines = chunk.messages.map((m) => JSON.stringify(m));
  const ndjson = encoder.encode(`${lines.join("\n")}\n`);
  const key = archiveKey(chunk.sourceId, chunk.receivedAt, chunk.chunkId);
  await env.ARCHIVE.put(key, ndjson, {
    httpMetadata: { contentType: "application/x-ndjson" },
    customMetadata: { sourceId: chunk.sourceId, events: String(lines.length) },
  });
  const insert = env.DB.prepare(INSERT_EVENT);
  await env.DB.batch([
    ...chunk.messages.map((m, i) =>
      insert.bind(
        chunk.sourceId,
        m.messageId,
        chunk.spaceId,
        m.type,
        m.event ?? null,
        m.userId ?? null,
        m.anonymousId ?? null,
        Date.parse(m.timestamp),
        receivedMs,
        chunk.chunkId,
        lines[i] ?? "",
      ),
    ),
    env.DB.prepare(INSERT_OBJECT).bind(
      key,
      chunk.sourceId,
      receivedMs,
      lines.length,
      ndjson.byteLength,
    ),
  ]);
}

async function showInDebugger(env: Env, chunk: IngestChunk): Promise<void> {
  try {
    const debug = env.SOURCE_DEBUGGER.get(env.SOURCE_DEBUGGER.idFromName(chunk.sourceId));
    await debug.push(chunk.messages);
  } catch (error) {
    // The debugger is a live sample (segment.md §7.5): losing a sample never fails delivery.
    console.warn("debugger push failed", { sourceId: chunk.sourceId, error: String(error) });
  }
}

export async function consumeIngestBatch(
  batch: MessageBatch<IngestChunk>,
  env: Env,
): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await storeChunk(env, message.body);
        message.ack();
      } catch (error) {
        console.error("chunk storage failed", {
          chunkId: message.body.chunkId,
          attempts: message.attempts,
          error: String(error),
        });
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
        return;
      }
      await showInDebugger(env, message.body);
    }),
  );
}
