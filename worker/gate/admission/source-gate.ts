// SourceGate: one Durable Object per source that admits events. It is the single place that
// decides, exactly, whether a messageId is new (Invariant 2), enforces the source's rate limit and
// enabled state, and puts new events in the Queue before any caller hears "accepted"
// (Invariant 1). The decisions are pure functions beside it (token-bucket.ts, chunks.ts).
import { meterEnv, meterStorage } from "../../platform/index.ts";
import { DurableObject } from "cloudflare:workers";
import type { SourceSnapshot } from "../../sources/index.ts";
import { chunkLines } from "../../message/index.ts";
import { takeTokens, type BucketState } from "./token-bucket.ts";

export interface AdmitRequest {
  source: SourceSnapshot;
  keyHash: string;
  requestId: string;
  receivedAt: string;
  /** messageIds, parallel to `lines`. */
  ids: string[];
  /** Each normalized message as one JSON line. */
  lines: string[];
}

export type AdmitResult =
  | { status: "ok"; accepted: number; duplicates: number }
  | { status: "rate_limited"; retryAfter: number }
  | { status: "disabled" }
  | { status: "invalid_key" }
  | { status: "unavailable"; retryAfter: number };

/** Where admitted chunks (wire text, see chunks.ts) go; the Queue in production, replaceable to inject faults. */
export interface ChunkSink {
  send(chunk: string): Promise<void>;
}

const HOUR_MS = 3_600_000;

export class SourceGate extends DurableObject<Env> {
  private config: SourceSnapshot | undefined;
  private bucket: BucketState | undefined;
  /** messageIds whose Queue send is in flight, so a concurrent copy waits for the outcome. */
  private readonly pending = new Map<string, Promise<boolean>>();
  sink: ChunkSink;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env));
    meterStorage(env, ctx.storage, "SourceGate");
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID",
    );
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, chunk TEXT NOT NULL,
       at INTEGER NOT NULL) WITHOUT ROWID`,
    );
    this.sink = {
      send: async (chunk) => {
        await this.env.EVENTS.send(chunk, { contentType: "text" });
      },
    };
    this.config = ctx.storage.kv.get<SourceSnapshot>("config");
  }

  /** Applies a source change from the admin API (enable/disable, key rotation, limits). */
  configure(source: SourceSnapshot): void {
    if (this.config && this.config.updatedAt >= source.updatedAt) return;
    this.config = source;
    this.bucket = undefined;
    this.ctx.storage.kv.put("config", source);
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    this.configure(request.source);
    const config = this.config ?? request.source;
    if (!config.enabled) return { status: "disabled" };
    if (config.writeKeyHash !== request.keyHash) return { status: "invalid_key" };

    const taken = takeTokens(
      this.bucket,
      request.ids.length,
      { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
      Date.now(),
    );
    if (!taken.ok) return { status: "rate_limited", retryAfter: taken.retryAfterSeconds };
    this.bucket = taken.state;

    const known = this.knownIds(request.ids);
    const freshIds: string[] = [];
    const freshLines: string[] = [];
    const waits: Promise<boolean>[] = [];
    const inRequest = new Set<string>();
    let duplicates = 0;
    request.ids.forEach((id, i) => {
      if (inRequest.has(id) || known.has(id)) return void duplicates++;
      inRequest.add(id);
      const inFlight = this.pending.get(id);
      if (inFlight) return void waits.push(inFlight);
      freshIds.push(id);
      freshLines.push(request.lines[i] ?? "");
    });

    const enqueued = await this.enqueue(request, config, freshIds, freshLines);
    // A copy that was in flight elsewhere counts as a duplicate only if that send succeeded;
    // otherwise this caller must retry, since nothing holds the event yet.
    const waited = await Promise.all(waits);
    duplicates += waited.filter(Boolean).length;
    if (!enqueued || waited.some((ok) => !ok)) return { status: "unavailable", retryAfter: 2 };
    await this.scheduleExpiry();
    return { status: "ok", accepted: freshIds.length, duplicates };
  }

  /**
   * A dedup shard's call (claims.ts): each `[messageId, chunkId]` claims the messageId for its
   * chunk unless another chunk claimed it first. Answers the indexes of the pairs whose messageId
   * another chunk holds (the duplicates to drop); a chunk's own claims stand, so its redelivery
   * keeps its events. One call is atomic: nothing awaits between the read and the write.
   */
  claim(pairs: readonly (readonly [string, string])[]): number[] {
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
      void this.scheduleExpiry();
    }
    return duplicates;
  }

  /** Which of `ids` this source has already queued (one query for the whole request). */
  private knownIds(ids: readonly string[]): Set<string> {
    const rows = this.ctx.storage.sql
      .exec<{ id: string }>(
        "SELECT id FROM seen WHERE id IN (SELECT value FROM json_each(?))",
        JSON.stringify(ids),
      )
      .toArray();
    return new Set(rows.map((row) => row.id));
  }

  private async enqueue(
    request: AdmitRequest,
    config: SourceSnapshot,
    ids: string[],
    lines: string[],
  ): Promise<boolean> {
    if (ids.length === 0) return true;
    const chunks = chunkLines({
      requestId: request.requestId,
      spaceId: config.spaceId,
      sourceId: config.id,
      receivedAt: request.receivedAt,
      lines,
    });
    const settle = new Map<string, (ok: boolean) => void>();
    for (const id of ids) {
      this.pending.set(id, new Promise<boolean>((resolve) => settle.set(id, resolve)));
    }
    const results = await Promise.allSettled(chunks.map((chunk) => this.sink.send(chunk.text)));
    let allSent = true;
    let offset = 0;
    const queued: string[] = [];
    results.forEach((result, i) => {
      const count = chunks[i]?.count ?? 0;
      const chunkIds = ids.slice(offset, offset + count);
      offset += count;
      const ok = result.status === "fulfilled";
      if (ok) queued.push(...chunkIds);
      else {
        allSent = false;
        console.error("queue send failed", { sourceId: config.id, error: String(result.reason) });
      }
      for (const id of chunkIds) {
        this.pending.delete(id);
        settle.get(id)?.(ok);
      }
    });
    // Remember only what is durably queued: a failed chunk must be accepted on retry.
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO seen (id, at) SELECT value, ? FROM json_each(?)",
      Date.now(),
      JSON.stringify(queued),
    );
    return allSent;
  }

  private async scheduleExpiry(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + HOUR_MS);
    }
  }

  /** Forgets messageIds older than the dedup window (at least 24 h, https://segment.com/docs/guides/duplicate-data/). */
  override async alarm(): Promise<void> {
    const hours = Math.max(24, Number(this.env.DEDUP_WINDOW_HOURS) || 48);
    this.ctx.storage.sql.exec("DELETE FROM seen WHERE at < ?", Date.now() - hours * HOUR_MS);
    this.ctx.storage.sql.exec("DELETE FROM claims WHERE at < ?", Date.now() - hours * HOUR_MS);
    await this.ctx.storage.setAlarm(Date.now() + HOUR_MS);
  }
}
