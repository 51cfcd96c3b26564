// Deduplication by (source, messageId) after the Queue, in shards (issue 14: no object per source
// on the per-event path). A messageId belongs to one of CLAIM_SHARDS shards of its source (a
// SourceGate object named `<sourceId>#claims-<n>`), chosen by a hash of the id; the ingest
// consumer asks each shard a batch touches once, with every id of the batch in it, and drops the
// events another chunk claimed first within the dedup window (at least 24 h,
// https://segment.com/docs/guides/duplicate-data/). So a Queue batch of 100 chunks costs at most
// CLAIM_SHARDS requests whatever its size, and no shard sees more than its share of a source's ids.

/**
 * Shards per source. Fixed: a messageId must map to the same shard for the whole dedup window.
 * At 50,000 events/s in one source each shard takes about 3,100 ids/s in at most one request per
 * consumer batch.
 */
export const CLAIM_SHARDS = 16;

/** The shard of a messageId (FNV-1a, 32 bits). Pure. */
export function claimShard(messageId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++)
    hash = Math.imul(hash ^ messageId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % CLAIM_SHARDS;
}

export function claimShardName(sourceId: string, shard: number): string {
  return `${sourceId}#claims-${shard}`;
}

export interface ClaimedChunk {
  chunkId: string;
  sourceId: string;
  messages: readonly { messageId: string }[];
}

/**
 * Claims every message of `chunks` for its chunk; answers, per chunkId, the messageIds another
 * chunk claimed first (to drop). One request per (source, shard) touched.
 */
export async function claimMessages(
  env: Env,
  chunks: readonly ClaimedChunk[],
): Promise<Map<string, Set<string>>> {
  const calls = new Map<string, { sourceId: string; shard: number; pairs: [string, string][] }>();
  for (const chunk of chunks)
    for (const { messageId } of chunk.messages) {
      const shard = claimShard(messageId);
      const key = `${chunk.sourceId}\n${shard}`;
      let call = calls.get(key);
      if (!call) calls.set(key, (call = { sourceId: chunk.sourceId, shard, pairs: [] }));
      call.pairs.push([messageId, chunk.chunkId]);
    }
  const answers = await Promise.all(
    [...calls.values()].map(async (call) => {
      const stub = shardStub(env, claimShardName(call.sourceId, call.shard));
      return { call, duplicates: await stub.claim(call.pairs) };
    }),
  );
  const dropped = new Map<string, Set<string>>();
  for (const { call, duplicates } of answers)
    for (const index of duplicates) {
      const [messageId, chunkId] = call.pairs[index] ?? [];
      if (messageId === undefined || chunkId === undefined) continue;
      let set = dropped.get(chunkId);
      if (!set) dropped.set(chunkId, (set = new Set()));
      set.add(messageId);
    }
  return dropped;
}

/** The claim shard named `name` (a SourceGate object). */
function shardStub(env: Env, name: string) {
  return env.SOURCE_GATE.get(env.SOURCE_GATE.idFromName(name));
}

/**
 * Chunk ids by the shard that records their archive object: the claim shard of `chunk:<chunkId>`.
 * One record per chunk, kept for the dedup window, replaces the D1 row per chunk the archive once
 * kept (a row per event for single-event traffic, issue 14).
 */
function byChunkShard<T extends { sourceId: string; chunkId: string }>(
  items: readonly T[],
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = claimShardName(item.sourceId, claimShard(`chunk:${item.chunkId}`));
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}

/** The archive object each chunk was last recorded in (absent: never written). */
export async function chunkObjectKeys(
  env: Env,
  chunks: readonly { sourceId: string; chunkId: string }[],
): Promise<Map<string, string>> {
  const answers = await Promise.all(
    [...byChunkShard(chunks)].map(([name, group]) =>
      shardStub(env, name).chunkObjects(group.map((c) => c.chunkId)),
    ),
  );
  return new Map(answers.flatMap((answer) => Object.entries(answer)));
}

/** Records each chunk's archive object key, before the object is put. */
export async function recordChunkObjects(
  env: Env,
  entries: readonly { sourceId: string; chunkId: string; key: string }[],
): Promise<void> {
  await Promise.all(
    [...byChunkShard(entries)].map(([name, group]) =>
      shardStub(env, name).recordChunkObjects(group.map((e) => [e.chunkId, e.key] as const)),
    ),
  );
}
