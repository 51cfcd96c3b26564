// The ingest Queue's consumer. For each Queue batch: archive the new chunks in R2 — one NDJSON
// object per source and hour of the batch, named after the chunks it holds, its key recorded in
// D1 before the put (write-ahead.ts) with the Bloom filter of its events' ids and email forms
// (token-filter.ts), each chunk's object recorded in the source's claim shards — and mark the
// objects stored in D1 in one batch (one D1 row per object, none per event or chunk: issue 14);
// then place the events in the identity graph and show them in the sources' debuggers. Every step
// is idempotent (a chunk's record says whether it is archived already), so a redelivery changes
// nothing (Invariant 2).
import { sha256Hex } from "../platform/index.ts";
import {
  chunkObjectKeys,
  claimMessages,
  recordChunkObjects,
  DEFAULT_CONSENT_SETTINGS,
  storedForm,
  DEFAULT_PRIVACY_POLICY,
  type PrivacyPolicy,
  readSpacePrivacy,
  storageHashKey,
} from "../gate/index.ts";
import { decodeChunk, type IngestChunk } from "../message/index.ts";
import { feedIdentity } from "../identity/index.ts";
import { ACTIVATION_SOURCE } from "../activation/index.ts";
import { enqueueDeliveries } from "../delivery/index.ts";
import {
  archivePrefix,
  retryDelaySeconds,
  markStored,
  recordWriteIntent,
  buildTokenFilter,
  eventTokens,
  type ArchiveObjectRow,
} from "../archive/index.ts";

type Chunk = IngestChunk & { lines: string[] };

const encoder = new TextEncoder();

/**
 * The chunks archived already: their recorded object (claims.ts, one record per chunk in the
 * source's claim shards) is `stored`. A chunk recorded in an unfinished object, or in one that
 * retention or a deletion request removed, is archived again.
 */
async function archivedAlready(env: Env, chunks: readonly Chunk[]): Promise<Set<string>> {
  const recorded = await chunkObjectKeys(env, chunks);
  if (recorded.size === 0) return new Set();
  const { results } = await env.DB.prepare(
    `SELECT key FROM archive_objects
      WHERE key IN (SELECT value FROM json_each(?)) AND state = 'stored'`,
  )
    .bind(JSON.stringify([...new Set(recorded.values())]))
    .all<{ key: string }>();
  const stored = new Set(results.map((r) => r.key));
  return new Set([...recorded].filter(([, key]) => stored.has(key)).map(([chunk]) => chunk));
}

/** The filter of the tokens of a group's events (in their stored form). */
function tokenFilter(group: readonly Chunk[]): string {
  const tokens = new Set<string>();
  for (const chunk of group) for (const message of chunk.messages) eventTokens(message, tokens);
  return buildTokenFilter(tokens);
}

/**
 * The space's storage policy (default: PII hashed, cards and IBANs dropped) as `storedForm` takes
 * it. The edge has applied the source's IP mode already, so the address is kept as it arrived.
 */
function storageConfig(policy: PrivacyPolicy = DEFAULT_PRIVACY_POLICY) {
  return { consent: DEFAULT_CONSENT_SETTINGS, policy, ipMode: "keep" } as const;
}

/**
 * The chunk as the archive keeps it: each line in its stored form. Identity
 * resolution gets the raw messages (it keys PII itself); raw PII then lives only in profiles.
 */
export async function storedChunk(
  chunk: Chunk,
  hashKey: CryptoKey,
  policy?: PrivacyPolicy,
): Promise<Chunk> {
  const config = storageConfig(policy);
  const stored = await Promise.all(chunk.messages.map((m) => storedForm(m, config, hashKey)));
  return {
    ...chunk,
    messages: stored.map((s) => s.message),
    lines: stored.map((s) => JSON.stringify(s.message)),
  };
}

/**
 * Archives and indexes a Queue batch's chunks (already in their stored form). `now` stamps the
 * write intents, whose age tells the hourly sweep which unfinished objects are orphans.
 */
export async function storeChunks(
  env: Env,
  chunks: readonly Chunk[],
  now = Date.now(),
): Promise<void> {
  const done = await archivedAlready(env, chunks);
  const groups = new Map<string, Chunk[]>();
  for (const chunk of chunks) {
    if (done.has(chunk.chunkId)) continue;
    const prefix = archivePrefix(
      chunk.sourceId,
      chunk.receivedAt.slice(0, 10),
      chunk.receivedAt.slice(11, 13),
    );
    groups.set(prefix, [...(groups.get(prefix) ?? []), chunk]);
  }
  const objects = await Promise.all(
    [...groups].map(async ([prefix, group]) => {
      const ids = group.map((c) => c.chunkId).sort();
      const key = `${prefix}${(await sha256Hex(ids.join("\n"))).slice(0, 32)}.ndjson`;
      const body = encoder.encode(`${group.flatMap((c) => c.lines).join("\n")}\n`);
      const first = group[0]!;
      const receipts = group.map((c) => Date.parse(c.receivedAt));
      const row: ArchiveObjectRow = {
        key,
        sourceId: first.sourceId,
        receivedAt: Math.min(...receipts),
        lastReceivedAt: Math.max(...receipts),
        eventCount: group.reduce((n, c) => n + c.lines.length, 0),
        bytes: body.byteLength,
        tokens: tokenFilter(group),
      };
      return { row, body, group, chunkCount: ids.length };
    }),
  );
  if (objects.length === 0) return;
  // Each chunk's object is recorded before anything is put (write-ahead, like the intent row):
  // the object is `stored` only after its record exists, so a redelivery that finds it stored
  // through the record archives nothing twice.
  await recordChunkObjects(
    env,
    objects.flatMap(({ row, group }) =>
      group.map((c) => ({ sourceId: c.sourceId, chunkId: c.chunkId, key: row.key })),
    ),
  );
  await Promise.all(
    objects.map(async ({ row, body, chunkCount }) => {
      await recordWriteIntent(env, row, now);
      await env.ARCHIVE.put(row.key, body, {
        httpMetadata: { contentType: "application/x-ndjson" },
        customMetadata: { sourceId: row.sourceId, chunks: String(chunkCount) },
      });
    }),
  );
  await env.DB.batch(objects.map(({ row }) => markStored(env, row, now)));
}

/** The chunk without the messages whose ids are in `drop` (its lines follow its messages). */
function withoutDuplicates(chunk: Chunk, drop: ReadonlySet<string> | undefined): Chunk {
  if (!drop || drop.size === 0) return chunk;
  const keep = chunk.messages.map((m) => !drop.has(m.messageId));
  return {
    ...chunk,
    messages: chunk.messages.filter((_, i) => keep[i]),
    lines: chunk.lines.filter((_, i) => keep[i]),
  };
}

async function showInDebugger(env: Env, sourceId: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  try {
    const debug = env.SOURCE_DEBUGGER.get(env.SOURCE_DEBUGGER.idFromName(sourceId));
    await debug.push(lines);
  } catch (error) {
    // The debugger is a live sample (https://segment.com/docs/connections/sources/debugger/): losing a sample never fails delivery.
    console.warn("debugger push failed", { sourceId, error: String(error) });
  }
}

export async function consumeIngestBatch(batch: MessageBatch<string>, env: Env): Promise<void> {
  const chunks: { message: Message<string>; chunk: Chunk }[] = [];
  for (const message of batch.messages) {
    try {
      chunks.push({ message, chunk: decodeChunk(message.body) });
    } catch (error) {
      // Not a chunk this worker wrote: retrying cannot help, so it goes to the dead-letter queue.
      console.error("undecodable ingest message", { id: message.id, error: String(error) });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
  let stored: Chunk[];
  try {
    // Repeats of a messageId another chunk holds are dropped here, by the source's claim shards.
    const dropped = await claimMessages(
      env,
      chunks.map((c) => c.chunk),
    );
    if (dropped.size > 0) {
      for (const c of chunks) c.chunk = withoutDuplicates(c.chunk, dropped.get(c.chunk.chunkId));
      console.warn("duplicate messageIds dropped", {
        chunks: dropped.size,
        events: [...dropped.values()].reduce((n, set) => n + set.size, 0),
      });
      // A chunk of repeats only is done: nothing of it is stored again.
      for (let i = chunks.length - 1; i >= 0; i--)
        if (chunks[i]!.chunk.messages.length === 0) chunks.splice(i, 1)[0]!.message.ack();
    }
    const spaces = [...new Set(chunks.map((c) => c.chunk.spaceId))];
    const privacy = new Map(
      await Promise.all(
        spaces.map(async (id) => {
          const settings = await readSpacePrivacy(env, id);
          const hashKey = await storageHashKey(settings.hashSecret);
          return [id, { policy: settings.policy, hashKey }] as const;
        }),
      ),
    );
    stored = await Promise.all(
      chunks.map((c) => {
        const space = privacy.get(c.chunk.spaceId);
        if (!space) throw new Error(`no privacy settings read for ${c.chunk.spaceId}`);
        return storedChunk(c.chunk, space.hashKey, space.policy);
      }),
    );
    await storeChunks(env, stored);
  } catch (error) {
    console.error("chunk storage failed", { chunks: chunks.length, error: String(error) });
    for (const { message } of chunks)
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return;
  }
  // One identity feed per space and source: a person with events in several of the batch's chunks
  // is placed in one graph call and applied in one profile call.
  const groups = new Map<string, number[]>();
  chunks.forEach(({ chunk }, i) => {
    const key = `${chunk.spaceId}\n${chunk.sourceId}`;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const group = indexes.map((i) => chunks[i]!);
      const { spaceId, sourceId } = group[0]!.chunk;
      try {
        const changes = await feedIdentity(
          env,
          group.map((c) => c.chunk),
        );
        // Delivery has its own Queue: one message per (destination, bundle) for the chunks' events,
        // and for the activation changes they caused; the destinations' ledgers drop repeats, so a
        // redelivered chunk queues nothing that is sent twice.
        await enqueueDeliveries(
          env,
          spaceId,
          sourceId,
          group.flatMap((c) => c.chunk.messages),
        );
        await enqueueDeliveries(env, spaceId, ACTIVATION_SOURCE, changes);
        for (const { message } of group) message.ack();
      } catch (error) {
        console.error("identity feed or delivery hand-off failed", {
          chunkIds: group.map((c) => c.chunk.chunkId),
          error: String(error),
        });
        for (const { message } of group)
          message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
        return;
      }
      await showInDebugger(
        env,
        sourceId,
        indexes.flatMap((i) => stored[i]?.lines ?? []),
      );
    }),
  );
}
