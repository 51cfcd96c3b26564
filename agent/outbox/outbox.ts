// The durable outbox (docs/architecture.md invariant 6): `append` returns only after the SQLite commit,
// so callers may answer the device right after it.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { OutboxClass, OutboxMessage } from "../controllers/deps.ts";
import { inTransaction } from "./database.ts";
import { EVICTION_RANK, OUTBOX_CLASSES, isOutboxClass } from "./eviction.ts";
import { assertOutboxMessage } from "./validate.ts";
import { migrateOutbox } from "./schema.ts";

export interface OutboxOptions {
  /** Rows kept (pending + parked) before the eviction policy applies. */
  maxRows: number;
  /** How long a leased batch stays invisible to the next `lease`. */
  leaseMs?: number;
  /** How long delivered messageIds are remembered as tombstones (dedup of late re-appends). */
  deliveredRetentionMs?: number;
  now?: () => number;
}

export interface LeasedItem {
  id: number;
  messageId: string;
  cls: OutboxClass;
  attempts: number;
  message: OutboxMessage;
}

export interface OutboxStats {
  /** Pending (undelivered, not parked) messages. */
  depth: number;
  /** ISO time the oldest pending message was appended, or null when empty. */
  oldestUndelivered: string | null;
  parked: number;
  evicted: Record<OutboxClass, number>;
  maxRows: number;
}

/** The agent's SQLite outbox; one instance per database file and process. */
export class Outbox {
  readonly #db: DatabaseSync;
  readonly #maxRows: number;
  readonly #leaseMs: number;
  readonly #retentionMs: number;
  readonly #now: () => number;
  #stored: number;
  readonly #insert: StatementSync;

  constructor(db: DatabaseSync, options: OutboxOptions) {
    if (!Number.isInteger(options.maxRows) || options.maxRows < 1) {
      throw new RangeError(`outbox maxRows must be a positive integer, got ${options.maxRows}`);
    }
    this.#db = db;
    this.#maxRows = options.maxRows;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#retentionMs = options.deliveredRetentionMs ?? 48 * 3600_000;
    this.#now = options.now ?? Date.now;
    migrateOutbox(db);
    // A lease belongs to a process; after a restart every leased row is deliverable again.
    db.exec("UPDATE outbox SET lease_until = NULL WHERE lease_until IS NOT NULL");
    this.#stored = this.#count("state != 'delivered'");
    this.#insert = db.prepare(
      `INSERT INTO outbox (message_id, cls, rank, body, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (message_id) DO NOTHING`,
    );
  }

  /**
   * Appends messages in one committed transaction. A messageId already present (pending, parked or
   * recently delivered) is skipped. When the bound is exceeded the lowest class goes first
   * (eviction.ts), which may be the message just appended; evictions are counted per class.
   * @returns how many messages were newly stored.
   * @throws OutboxValidationError (and stores nothing) when any message is malformed.
   */
  append(messages: readonly OutboxMessage[], cls: OutboxClass): number {
    return this.appendGroups([{ messages, cls }]);
  }

  /**
   * Appends several groups in ONE committed transaction (one fsync): the group commit behind
   * `GroupCommit`. Every group is validated first; one bad group refuses the whole call.
   */
  appendGroups(
    groups: readonly { messages: readonly OutboxMessage[]; cls: OutboxClass }[],
  ): number {
    for (const { messages, cls } of groups) {
      if (!isOutboxClass(cls)) throw new RangeError(`unknown outbox class ${String(cls)}`);
      messages.forEach((m, i) => assertOutboxMessage(m, i));
    }
    if (groups.every((g) => g.messages.length === 0)) return 0;
    const now = this.#now();
    return inTransaction(this.#db, () => {
      let added = 0;
      for (const { messages, cls } of groups) {
        for (const m of messages) {
          const r = this.#insert.run(m.messageId, cls, EVICTION_RANK[cls], JSON.stringify(m), now);
          added += Number(r.changes);
        }
      }
      this.#stored += added;
      if (this.#stored > this.#maxRows) this.#evict(this.#stored - this.#maxRows);
      return added;
    });
  }

  #evict(excess: number): void {
    const victims = this.#db
      .prepare(
        `SELECT seq, cls FROM outbox WHERE state != 'delivered'
         ORDER BY rank ASC, (state = 'parked') DESC, seq ASC LIMIT ?`,
      )
      .all(excess);
    const del = this.#db.prepare("DELETE FROM outbox WHERE seq = ?");
    const bump = this.#db.prepare(
      "INSERT INTO outbox_evicted (cls, n) VALUES (?, 1) ON CONFLICT (cls) DO UPDATE SET n = n + 1",
    );
    for (const v of victims) {
      del.run(Number(v.seq));
      bump.run(String(v.cls));
    }
    this.#stored -= victims.length;
  }

  /** Leases up to `n` pending messages, oldest first, hiding them from other leases for leaseMs. */
  lease(n: number): LeasedItem[] {
    const now = this.#now();
    return inTransaction(this.#db, () => {
      const rows = this.#db
        .prepare(
          `SELECT seq, message_id, cls, attempts, body FROM outbox
           WHERE state = 'pending' AND (lease_until IS NULL OR lease_until <= ?)
           ORDER BY seq ASC LIMIT ?`,
        )
        .all(now, Math.max(0, Math.floor(n)));
      const mark = this.#db.prepare(
        "UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE seq = ?",
      );
      return rows.map((r) => {
        mark.run(now + this.#leaseMs, Number(r.seq));
        const cls = isOutboxClass(r.cls) ? r.cls : "presence";
        return {
          id: Number(r.seq),
          messageId: String(r.message_id),
          cls,
          attempts: Number(r.attempts) + 1,
          message: JSON.parse(String(r.body)) as OutboxMessage,
        };
      });
    });
  }

  /** Marks leased messages delivered (the edge answered 200 for them). Unknown ids are ignored. */
  ack(ids: readonly number[]): void {
    const now = this.#now();
    inTransaction(this.#db, () => {
      const done = this.#db.prepare(
        `UPDATE outbox SET state = 'delivered', body = NULL, lease_until = NULL, done_at = ?
         WHERE seq = ? AND state = 'pending'`,
      );
      for (const id of ids) this.#stored -= Number(done.run(now, id).changes);
      this.#db
        .prepare("DELETE FROM outbox WHERE state = 'delivered' AND done_at < ?")
        .run(now - this.#retentionMs);
    });
  }

  /** Returns leased messages to the queue (a retryable failure: 5xx, 429, network). */
  release(ids: readonly number[]): void {
    inTransaction(this.#db, () => {
      const free = this.#db.prepare(
        "UPDATE outbox SET lease_until = NULL WHERE seq = ? AND state = 'pending'",
      );
      for (const id of ids) free.run(id);
    });
  }

  /** Parks a message the edge rejected (4xx): kept with the reason, never retried. */
  park(id: number, reason: string): void {
    this.#db
      .prepare(
        "UPDATE outbox SET state = 'parked', park_reason = ?, lease_until = NULL, done_at = ? WHERE seq = ? AND state = 'pending'",
      )
      .run(reason.slice(0, 500), this.#now(), id);
  }

  /** Depth, age of the oldest pending message, parked and evicted counts. */
  stats(): OutboxStats {
    return { ...readOutboxStats(this.#db), maxRows: this.#maxRows };
  }

  #count(where: string): number {
    return Number(
      this.#db.prepare(`SELECT count(*) AS n FROM outbox WHERE ${where}`).get()?.n ?? 0,
    );
  }
}

/** Reads outbox statistics from any handle (also a read-only one, for `agent status`). */
export function readOutboxStats(db: DatabaseSync): Omit<OutboxStats, "maxRows"> {
  const depth = db
    .prepare("SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE state = 'pending'")
    .get();
  const parked = db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'parked'").get();
  const evicted = Object.fromEntries(OUTBOX_CLASSES.map((c) => [c, 0])) as Record<
    OutboxClass,
    number
  >;
  for (const row of db.prepare("SELECT cls, n FROM outbox_evicted").all()) {
    if (isOutboxClass(row.cls)) evicted[row.cls] = Number(row.n);
  }
  const oldest = depth?.oldest;
  return {
    depth: Number(depth?.n ?? 0),
    oldestUndelivered: typeof oldest === "number" ? new Date(oldest).toISOString() : null,
    parked: Number(parked?.n ?? 0),
    evicted,
  };
}
