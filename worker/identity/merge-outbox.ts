// The durable merge hand-off inside the IdentityGraph Durable Object. When the graph folds a
// profile it writes one row here in the same storage transaction as the fold itself (no await in
// between, so SQLite commits both or neither). The row stays until the survivor's ProfileObject
// has pulled the folded profile's traits and history and someone acknowledged that: the feed after
// its apply calls succeeded, or the graph's own alarm, which rolls every due row forward.
//
// Sharding (a later identity index split into several graph objects): a row already names
// everything a roll-forward needs — folded, survivor, collection, the message that caused it — and
// no shard-local state. A cross-shard fold would write the row on the shard that commits the fold,
// add one `pending_shards` column listing the other shards that must move the folded profile's
// identifiers, and clear the row only when that list and the profile apply are both done.
import type { Collection } from "./identifiers.ts";

/** One fold the profiles have not all applied yet. */
export interface MergeRecord {
  folded: string;
  survivor: string;
  collection: Collection;
  messageId: string;
  attempts: number;
  nextAttemptAt: number;
}

export class MergeOutbox {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    // A profile is folded once (afterwards the graph only ever sees its survivor), so `folded`
    // is the key and a re-placed event cannot add a second row.
    sql.exec(`CREATE TABLE IF NOT EXISTS merge_outbox (
      folded TEXT PRIMARY KEY, survivor TEXT NOT NULL, collection TEXT NOT NULL,
      message_id TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL)`);
  }

  /** Records that `folded` went into `survivor`; first roll-forward attempt at `dueAt`. */
  record(
    survivor: string,
    folded: string,
    collection: Collection,
    messageId: string,
    dueAt: number,
  ): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO merge_outbox (folded, survivor, collection, message_id, next_attempt_at)
       VALUES (?, ?, ?, ?, ?)`,
      folded,
      survivor,
      collection,
      messageId,
      dueAt,
    );
  }

  /**
   * Folded profiles still waiting to be absorbed by `profileId`, directly or through a survivor
   * that was itself folded into `profileId` later (the graph keeps `merged_into` canonical).
   */
  pendingInto(profileId: string): string[] {
    return this.sql
      .exec<{ folded: string }>(
        `SELECT folded FROM merge_outbox WHERE survivor = ?1
           OR survivor IN (SELECT id FROM profiles WHERE merged_into = ?1) ORDER BY folded`,
        profileId,
      )
      .toArray()
      .map((r) => r.folded);
  }

  /** Rows whose next attempt is due at `now`, oldest fold first. */
  due(now: number): MergeRecord[] {
    return this.sql
      .exec<{
        folded: string;
        survivor: string;
        collection: Collection;
        message_id: string;
        attempts: number;
        next_attempt_at: number;
      }>("SELECT * FROM merge_outbox WHERE next_attempt_at <= ? ORDER BY rowid", now)
      .toArray()
      .map((r) => ({
        folded: r.folded,
        survivor: r.survivor,
        collection: r.collection,
        messageId: r.message_id,
        attempts: r.attempts,
        nextAttemptAt: r.next_attempt_at,
      }));
  }

  /** Every row, for tests and the admin view. */
  all(): MergeRecord[] {
    return this.due(Number.MAX_SAFE_INTEGER);
  }

  /** Clears the rows of folds the profiles acknowledged. */
  settle(folded: readonly string[]): void {
    this.sql.exec(
      "DELETE FROM merge_outbox WHERE folded IN (SELECT value FROM json_each(?))",
      JSON.stringify(folded),
    );
  }

  /** A roll-forward attempt failed: count it and wait until `at`. */
  retryAt(folded: string, at: number): void {
    this.sql.exec(
      "UPDATE merge_outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE folded = ?",
      at,
      folded,
    );
  }

  /** The earliest next attempt, or undefined when every fold is applied. */
  nextAttemptAt(): number | undefined {
    const row = this.sql
      .exec<{ at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM merge_outbox")
      .toArray()[0];
    return row?.at ?? undefined;
  }
}
