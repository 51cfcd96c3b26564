// A destination's delivery ledger inside its DestinationObject (SQLite storage): one row per event
// the destination received, keyed by messageId, so a redelivered queue message changes nothing
// (Invariant 2), plus the dead-letter store (rows in `failed` keep the event as it would be sent).
import type { FilterReason } from "./destination-judge.ts";

export type LedgerStatus = "received" | "filtered" | "delivered" | "retrying" | "failed";

export type LedgerRow = {
  message_id: string;
  owner: string | null;
  status: LedgerStatus;
  reason: string | null;
  attempts: number;
  received_at: number;
  updated_at: number;
  latency_ms: number | null;
  error: string | null;
  body: string | null;
  next_attempt_at: number | null;
};

/** Delivered and filtered rows older than this are pruned (Segment's overview goes back 2 weeks). */
export const LEDGER_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;
/** The p95 is taken over this many most recent deliveries. */
const LATENCY_SAMPLE = 1_000;

export class DeliveryLedger {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS deliveries (
      message_id TEXT PRIMARY KEY, owner TEXT, status TEXT NOT NULL, reason TEXT,
      attempts INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      latency_ms INTEGER, error TEXT, body TEXT, next_attempt_at INTEGER)`);
    sql.exec("CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status, updated_at)");
  }

  get(messageId: string): LedgerRow | undefined {
    return this.sql
      .exec<LedgerRow>("SELECT * FROM deliveries WHERE message_id = ?", messageId)
      .toArray()[0];
  }

  /** Records a first sight of the event, owned by the queue message carrying it. */
  receive(messageId: string, owner: string, now: number): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO deliveries (message_id, owner, status, received_at, updated_at)
       VALUES (?, ?, 'received', ?, ?)`,
      messageId,
      owner,
      now,
      now,
    );
  }

  claim(messageId: string, owner: string): void {
    this.sql.exec("UPDATE deliveries SET owner = ? WHERE message_id = ?", owner, messageId);
  }

  filtered(messageId: string, reason: FilterReason, detail: string | undefined, now: number) {
    this.sql.exec(
      "UPDATE deliveries SET status = 'filtered', reason = ?, error = ?, updated_at = ? WHERE message_id = ?",
      reason,
      detail ?? null,
      now,
      messageId,
    );
  }

  delivered(messageId: string, attempts: number, latencyMs: number | null, now: number): void {
    this.sql.exec(
      `UPDATE deliveries SET status = 'delivered', attempts = ?, latency_ms = ?, error = NULL,
       body = NULL, updated_at = ? WHERE message_id = ?`,
      attempts,
      latencyMs,
      now,
      messageId,
    );
  }

  retrying(messageId: string, attempts: number, error: string, delaySeconds: number, now: number) {
    this.sql.exec(
      `UPDATE deliveries SET status = 'retrying', attempts = ?, error = ?, updated_at = ?,
       next_attempt_at = ? WHERE message_id = ?`,
      attempts,
      error,
      now,
      now + delaySeconds * 1000,
      messageId,
    );
  }

  /** Moves the event to the dead-letter store with the form it would be sent in. */
  deadLetter(
    messageId: string,
    attempts: number,
    reason: string,
    error: string,
    body: string,
    now: number,
  ) {
    this.sql.exec(
      `UPDATE deliveries SET status = 'failed', attempts = ?, reason = ?, error = ?, body = ?,
       updated_at = ? WHERE message_id = ?`,
      attempts,
      reason,
      error,
      body,
      now,
      messageId,
    );
  }

  /** Dead letters, oldest first. */
  deadLetters(limit: number): LedgerRow[] {
    return this.sql
      .exec<LedgerRow>(
        "SELECT * FROM deliveries WHERE status = 'failed' ORDER BY updated_at, message_id LIMIT ?",
        limit,
      )
      .toArray();
  }

  /**
   * Takes dead letters out of the store for a replay: they become `retrying` with no owner, so the
   * first replay message claims each and a second replay request finds nothing to send.
   */
  releaseForReplay(messageIds: readonly string[] | undefined, now: number): string[] {
    const rows = messageIds
      ? messageIds.map((id) => this.get(id)).filter((r) => r?.status === "failed")
      : this.deadLetters(10_000);
    for (const row of rows)
      this.sql.exec(
        `UPDATE deliveries SET status = 'retrying', owner = NULL, attempts = 0, reason = 'replay',
         updated_at = ? WHERE message_id = ?`,
        now,
        row!.message_id,
      );
    return rows.map((r) => r!.message_id);
  }

  counts(): { status: LedgerStatus; reason: string | null; n: number }[] {
    return this.sql
      .exec<{ status: LedgerStatus; reason: string | null; n: number }>(
        "SELECT status, reason, COUNT(*) AS n FROM deliveries GROUP BY status, reason",
      )
      .toArray();
  }

  retries(): number {
    const row = this.sql
      .exec<{ n: number | null }>("SELECT SUM(MAX(attempts - 1, 0)) AS n FROM deliveries")
      .toArray()[0];
    return row?.n ?? 0;
  }

  latencies(): number[] {
    return this.sql
      .exec<{ latency_ms: number }>(
        `SELECT latency_ms FROM deliveries WHERE status = 'delivered' AND latency_ms IS NOT NULL
         ORDER BY updated_at DESC LIMIT ?`,
        LATENCY_SAMPLE,
      )
      .toArray()
      .map((r) => r.latency_ms);
  }

  prune(now: number): void {
    this.sql.exec(
      "DELETE FROM deliveries WHERE status IN ('delivered', 'filtered') AND updated_at < ?",
      now - LEDGER_RETENTION_MS,
    );
  }
}
