// SourceGate: per source, the limiter (the object named after the source) and the messageId claim
// shards (named `<sourceId>#claims-<n>`, claims.ts). The limiter holds the source's enabled state,
// its write key hash and its token bucket, and hands isolates leases of tokens (lease.ts), so the
// edge asks it about once a second per isolate, not once per request. The shards decide, after the
// Queue, whether a messageId is new (Invariant 2). The decisions are pure functions beside it
// (token-bucket.ts, lease.ts, claims.ts).
import { meterEnv, meterStorage } from "../../platform/index.ts";
import { DurableObject } from "cloudflare:workers";
import type { SourceSnapshot } from "../../sources/index.ts";
import { takeTokens, type BucketState } from "./token-bucket.ts";
import type { LeaseRequest, LeaseResult } from "./lease.ts";

const HOUR_MS = 3_600_000;

/** The limiter of a source (its claim shards are named apart, claims.ts). */
export function sourceGate(env: Env, sourceId: string) {
  return env.SOURCE_GATE.get(env.SOURCE_GATE.idFromName(sourceId));
}

export class SourceGate extends DurableObject<Env> {
  private config: SourceSnapshot | undefined;
  private bucket: BucketState | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env));
    meterStorage(env, ctx.storage, "SourceGate");
    // The per-source `seen` table of the edge's former dedup: the claim shards replace it.
    ctx.storage.sql.exec("DROP TABLE IF EXISTS seen");
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, chunk TEXT NOT NULL,
       at INTEGER NOT NULL) WITHOUT ROWID`,
    );
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS chunk_objects (chunk TEXT PRIMARY KEY, key TEXT NOT NULL,
       at INTEGER NOT NULL) WITHOUT ROWID`,
    );
    this.config = ctx.storage.kv.get<SourceSnapshot>("config");
  }

  /** Applies a source change from the admin API (enable/disable, key rotation, limits). */
  configure(source: SourceSnapshot): void {
    if (this.config && this.config.updatedAt >= source.updatedAt) return;
    this.config = source;
    this.bucket = undefined;
    this.ctx.storage.kv.put("config", source);
  }

  /**
   * A lease of tokens for an isolate (lease.ts): `needed` in full or a 429, and as much of the
   * rest of `wanted` as the bucket holds. Refuses a disabled source and a key not in force.
   */
  lease(request: LeaseRequest): LeaseResult {
    this.configure(request.source);
    const config = this.config ?? request.source;
    if (!config.enabled) return { status: "disabled" };
    if (config.writeKeyHash !== request.keyHash) return { status: "invalid_key" };
    const limit = { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst };
    const taken = takeTokens(this.bucket, request.needed, limit, Date.now());
    if (!taken.ok) return { status: "rate_limited", retryAfter: taken.retryAfterSeconds };
    const extra = Math.max(
      0,
      Math.min(request.wanted - request.needed, Math.floor(taken.state.tokens)),
    );
    this.bucket = { tokens: taken.state.tokens - extra, at: taken.state.at };
    return { status: "ok", granted: Math.min(request.needed, limit.burst) + extra };
  }

  /**
   * A dedup shard's call (claims.ts): each `[messageId, chunkId]` claims the messageId for its
   * chunk unless another chunk claimed it first. Answers the indexes of the pairs whose messageId
   * another chunk holds (the duplicates to drop); a chunk's own claims stand, so its redelivery
   * keeps its events. One call is atomic: nothing awaits between the read and the write.
   */
  async claim(pairs: readonly (readonly [string, string])[]): Promise<number[]> {
    const sql = this.ctx.storage.sql;
    const held = new Map(
      sql
        .exec<{ id: string; chunk: string }>(
          "SELECT id, chunk FROM claims WHERE id IN (SELECT value ->> 0 FROM json_each(?))",
          JSON.stringify(pairs),
        )
        .toArray()
        .map((row) => [row.id, row.chunk]),
    );
    const duplicates: number[] = [];
    const fresh: (readonly [string, string])[] = [];
    pairs.forEach(([id, chunk], index) => {
      const holder = held.get(id);
      if (holder === undefined) {
        held.set(id, chunk);
        fresh.push([id, chunk]);
      } else if (holder !== chunk) duplicates.push(index);
    });
    if (fresh.length > 0) {
      sql.exec(
        `INSERT INTO claims (id, chunk, at) SELECT value ->> 0, value ->> 1, ? FROM json_each(?)`,
        Date.now(),
        JSON.stringify(fresh),
      );
    }
    // After the synchronous read and write above: no other claim interleaves with them.
    if (fresh.length > 0) await this.scheduleExpiry();
    return duplicates;
  }

  /**
   * The archive object each of `chunkIds` was last written to (claims.ts: a chunk shard's call), for
   * the consumer to tell a redelivered chunk that is archived already from one whose write failed.
   */
  chunkObjects(chunkIds: readonly string[]): Record<string, string> {
    const rows = this.ctx.storage.sql
      .exec<{ chunk: string; key: string }>(
        "SELECT chunk, key FROM chunk_objects WHERE chunk IN (SELECT value FROM json_each(?))",
        JSON.stringify(chunkIds),
      )
      .toArray();
    // A plain object crosses RPC; its keys are chunk ids this worker minted.
    const out: Record<string, string> = {};
    for (const row of rows) out[row.chunk] = row.key;
    return out;
  }

  /** Records `[chunkId, objectKey]` pairs before the objects are put (write-ahead, claims.ts). */
  async recordChunkObjects(entries: readonly (readonly [string, string])[]): Promise<void> {
    if (entries.length === 0) return;
    this.ctx.storage.sql.exec(
      `INSERT OR REPLACE INTO chunk_objects (chunk, key, at)
       SELECT value ->> 0, value ->> 1, ? FROM json_each(?)`,
      Date.now(),
      JSON.stringify(entries),
    );
    await this.scheduleExpiry();
  }

  private async scheduleExpiry(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + HOUR_MS);
    }
  }

  /** Forgets claims older than the dedup window (at least 24 h, https://segment.com/docs/guides/duplicate-data/). */
  override async alarm(): Promise<void> {
    const hours = Math.max(24, Number(this.env.DEDUP_WINDOW_HOURS) || 48);
    this.ctx.storage.sql.exec("DELETE FROM claims WHERE at < ?", Date.now() - hours * HOUR_MS);
    this.ctx.storage.sql.exec(
      "DELETE FROM chunk_objects WHERE at < ?",
      Date.now() - hours * HOUR_MS,
    );
    await this.ctx.storage.setAlarm(Date.now() + HOUR_MS);
  }
}
