// A destination's delivery ledger inside its DestinationObject (SQLite storage): one row per event
// the destination was handed, keyed by source and messageId, so a redelivered queue message changes
// nothing (Invariant 2) while another source's event that reuses a messageId is its own row
// (Invariant 8: ids a client sends never name storage across sources). It is also the destination's own queue: rows `pending` or `retrying` hold the event
// in the form it will be sent and when to try next, and rows in `failed` are the dead-letter store.
import type { FilterReason } from "./destination-judge.ts";

export type LedgerStatus = "pending" | "filtered" | "delivered" | "retrying" | "failed";

export type LedgerRow = {
  message_id: string;
  status: LedgerStatus;
  reason: string | null;
  attempts: number;
  received_at: number;
  updated_at: number;
  latency_ms: number | null;
  error: string | null;
  /** The event as it will be sent (the destination's PII form); kept until delivered. */
  body: string | null;
  next_attempt_at: number | null;
  /** Start of the current retry window: acceptance, or the replay that released the event. */
  window_start: number | null;
  /** When the edge received the event (epoch ms): the origin of the latency figures. */
  origin_at: number | null;
  /** The event's source; `""` on rows written before the ledger was keyed by source. */
  source_id: string;
  /** JSON array of fields the PII policy dropped, to explain a vendor refusing the event. */
  dropped: string | null;
  allow_reason: string | null;
  /** The event as delivery received it, kept only while it waits: re-judged if the config changes. */
  original: string | null;
  /** The destination configuration's version the body was judged under. */
  config_version: number | null;
  /** JSON array of the consent categories a filtered event lacked (the lineage's answer). */
  missing: string | null;
};

/** A ledger row's identity: the messageId within its source. */
export interface LedgerKey {
  sourceId: string;
  messageId: string;
}

/** The key of a stored row. */
export function rowKey(row: Pick<LedgerRow, "source_id" | "message_id">): LedgerKey {
  return { sourceId: row.source_id, messageId: row.message_id };
}

/** One string per key, for in-memory sets (a source id never contains `/`). */
export function keyText(key: LedgerKey): string {
  return `${key.sourceId}/${key.messageId}`;
}

const COLUMNS = `message_id, status, reason, attempts, received_at, updated_at, latency_ms, error,
  body, next_attempt_at, window_start, origin_at, source_id, dropped, allow_reason, original,
  config_version, missing`;

/**
 * WITHOUT ROWID: the primary key is the table, so an insert writes no separate key index (one row
 * of about six per delivery, billed as rows written). Ledgers created before keep their rowid
 * layout; the statements below work on both.
 */
const TABLE = `CREATE TABLE IF NOT EXISTS deliveries (
  source_id TEXT NOT NULL DEFAULT '', message_id TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  latency_ms INTEGER, error TEXT, body TEXT, next_attempt_at INTEGER, window_start INTEGER,
  origin_at INTEGER, dropped TEXT, allow_reason TEXT, original TEXT, config_version INTEGER,
  missing TEXT, PRIMARY KEY (source_id, message_id)) WITHOUT ROWID`;

/** Rebuilds a ledger keyed by messageId alone into one keyed by (source, messageId). */
function rekeyBySource(sql: SqlStorage): void {
  const keyed = sql
    .exec<{ name: string }>("SELECT name FROM pragma_table_info('deliveries') WHERE pk > 0")
    .toArray()
    .map((c) => c.name);
  if (keyed.includes("source_id")) return;
  sql.exec("ALTER TABLE deliveries RENAME TO deliveries_by_message");
  sql.exec(TABLE);
  sql.exec(
    `INSERT INTO deliveries (${COLUMNS}) SELECT ${COLUMNS.replace("source_id", "coalesce(source_id, '')")}
     FROM deliveries_by_message`,
  );
  sql.exec("DROP TABLE deliveries_by_message");
}

/** What the Durable Object stores for an event it will send. */
export interface AcceptedEvent {
  messageId: string;
  body: string;
  original: string;
  configVersion: number;
  originAt: number | null;
  sourceId: string | null;
  dropped: readonly string[];
  allowReason: string;
}

/** Delivered and filtered rows older than this are pruned (Segment's overview goes back 2 weeks). */
export const LEDGER_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;
/** The p95 is taken over this many most recent deliveries. */
const LATENCY_SAMPLE = 1_000;

/** Columns added after the first release; added in place to ledgers created before them. */
const LATER_COLUMNS = [
  ["window_start", "INTEGER"],
  ["origin_at", "INTEGER"],
  ["source_id", "TEXT"],
  ["dropped", "TEXT"],
  ["allow_reason", "TEXT"],
  ["original", "TEXT"],
  ["config_version", "INTEGER"],
  ["missing", "TEXT"],
] as const;

/**
 * Rows written when the delivery Queue, not this ledger, held waiting events: `received` and body-less
 * `retrying` rows have no event to send (their Queue message is redelivered and accepted afresh once
 * the row is gone); `retrying` rows with a body were released for replay and wait again, due now.
 */
function upgradeFirstReleaseRows(sql: SqlStorage, now: number): void {
  sql.exec(
    "DELETE FROM deliveries WHERE status = 'received' OR (status = 'retrying' AND body IS NULL)",
  );
  sql.exec(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, window_start = ?
     WHERE status = 'retrying'`,
    now,
    now,
  );
}

/**
 * Rows whose key is in the JSON list bound first (`keyList`): a row-value IN over the primary key,
 * so SQLite looks each key up instead of joining the whole ledger against the list.
 */
const KEY_IN = `(source_id, message_id) IN
  (SELECT value ->> 0, value ->> 1 FROM json_each(?1))`;

function keyList(keys: readonly LedgerKey[]): string {
  return JSON.stringify(keys.map((k) => [k.sourceId, k.messageId]));
}

export class DeliveryLedger {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(TABLE);
    const present = new Set(
      sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('deliveries')")
        .toArray()
        .map((c) => c.name),
    );
    for (const [name, type] of LATER_COLUMNS)
      if (!present.has(name)) sql.exec(`ALTER TABLE deliveries ADD COLUMN ${name} ${type}`);
    if (!present.has("window_start")) upgradeFirstReleaseRows(sql, Date.now());
    rekeyBySource(sql);
    sql.exec("CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status, updated_at)");
    // The dispatcher's queue order, over waiting rows only (only they have a next_attempt_at, so a
    // settled row leaves the index instead of being rewritten in it). `status` is left out (and
    // written `+status` in the queries, which keeps SQLite from choosing a status index and
    // sorting the whole backlog on every pick).
    sql.exec("DROP INDEX IF EXISTS deliveries_due");
    sql.exec("DROP INDEX IF EXISTS deliveries_next");
    sql.exec(
      `CREATE INDEX IF NOT EXISTS deliveries_waiting ON deliveries (next_attempt_at, message_id)
       WHERE next_attempt_at IS NOT NULL`,
    );
  }

  get(key: LedgerKey): LedgerRow | undefined {
    return this.sql
      .exec<LedgerRow>(
        "SELECT * FROM deliveries WHERE source_id = ? AND message_id = ?",
        key.sourceId,
        key.messageId,
      )
      .toArray()[0];
  }

  /**
   * The keys among `keys` that have a row, as `keyText`: one statement for a whole bundle, where a
   * `get` per event was one statement each (issue 14: statements are most of the ledger's CPU).
   */
  present(keys: readonly LedgerKey[]): Set<string> {
    if (keys.length === 0) return new Set();
    return new Set(
      this.sql
        .exec<Pick<LedgerRow, "source_id" | "message_id">>(
          `SELECT source_id, message_id FROM deliveries WHERE ${KEY_IN}`,
          keyList(keys),
        )
        .toArray()
        .map((row) => keyText(rowKey(row))),
    );
  }

  /** Every source's row for a messageId (the admin lookup names a messageId, maybe a source). */
  byMessageId(messageId: string, limit = 10): LedgerRow[] {
    return this.sql
      .exec<LedgerRow>(
        "SELECT * FROM deliveries WHERE message_id = ? ORDER BY source_id LIMIT ?",
        messageId,
        limit,
      )
      .toArray();
  }

  /** Queues an event to send now. Returns false when the destination already has it (a repeat). */
  accept(event: AcceptedEvent, now: number): boolean {
    const cursor = this.sql.exec(
      `INSERT OR IGNORE INTO deliveries (message_id, status, received_at, updated_at, body,
       next_attempt_at, window_start, origin_at, source_id, dropped, allow_reason, original,
       config_version) VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      event.messageId,
      now,
      now,
      event.body,
      now,
      now,
      event.originAt,
      event.sourceId ?? "",
      JSON.stringify(event.dropped),
      event.allowReason,
      event.original,
      event.configVersion,
    );
    return cursor.rowsWritten > 0;
  }

  /**
   * Records an event the destination refused: before sending (a new row), or because the vendor
   * refused a PII-stripped event (the waiting row leaves the queue). False for a repeat.
   */
  filtered(
    key: LedgerKey,
    reason: FilterReason,
    detail: string | undefined,
    now: number,
    missingCategories?: readonly string[],
  ): boolean {
    const cursor = this.sql.exec(
      `INSERT INTO deliveries (source_id, message_id, status, reason, error, received_at, updated_at,
       missing) VALUES (?, ?, 'filtered', ?, ?, ?, ?, ?)
       ON CONFLICT (source_id, message_id) DO UPDATE SET status = 'filtered', reason = excluded.reason,
       error = excluded.error, body = NULL, original = NULL, next_attempt_at = NULL,
       updated_at = excluded.updated_at, missing = excluded.missing
       WHERE deliveries.status IN ('pending', 'retrying')`,
      key.sourceId,
      key.messageId,
      reason,
      detail ?? null,
      now,
      now,
      missingCategories ? JSON.stringify(missingCategories) : null,
    );
    return cursor.rowsWritten > 0;
  }

  /**
   * Keys of rows due for an attempt, soonest first, skipping the ones already taken: one index
   * range read (deliveries_next), no bodies. The caller reads each row with `waiting` when its
   * turn comes.
   */
  dueKeys(now: number, taken: ReadonlySet<string>, limit: number): LedgerKey[] {
    return this.sql
      .exec<Pick<LedgerRow, "source_id" | "message_id">>(
        `SELECT source_id, message_id FROM deliveries
         WHERE +status IN ('pending', 'retrying') AND next_attempt_at <= ?
         ORDER BY next_attempt_at, message_id LIMIT ?`,
        now,
        limit + taken.size,
      )
      .toArray()
      .map(rowKey)
      .filter((key) => !taken.has(keyText(key)))
      .slice(0, limit);
  }

  /** The row if it still waits and is due at `now` (a regulation, replay or rejudge may have moved it). */
  waiting(key: LedgerKey, now: number): LedgerRow | undefined {
    const row = this.get(key);
    return row &&
      (row.status === "pending" || row.status === "retrying") &&
      row.next_attempt_at !== null &&
      row.next_attempt_at <= now
      ? row
      : undefined;
  }

  /** `waiting` for many keys in one statement: the rows still waiting and due, by `keyText`. */
  waitingRows(keys: readonly LedgerKey[], now: number): Map<string, LedgerRow> {
    if (keys.length === 0) return new Map();
    const rows = this.sql
      .exec<LedgerRow>(
        `SELECT * FROM deliveries
         WHERE ${KEY_IN} AND +status IN ('pending', 'retrying') AND +next_attempt_at <= ?`,
        keyList(keys),
        now,
      )
      .toArray();
    return new Map(rows.map((row) => [keyText(rowKey(row)), row]));
  }

  /** When the next waiting event is due, or undefined when nothing waits. */
  nextDueAt(): number | undefined {
    const row = this.sql
      .exec<{ at: number | null }>(
        `SELECT next_attempt_at AS at FROM deliveries
         WHERE next_attempt_at IS NOT NULL AND +status IN ('pending', 'retrying')
         ORDER BY next_attempt_at LIMIT 1`,
      )
      .toArray()[0];
    return row?.at ?? undefined;
  }

  delivered(key: LedgerKey, attempts: number, latencyMs: number | null, now: number): void {
    this.sql.exec(
      `UPDATE deliveries SET status = 'delivered', attempts = ?, latency_ms = ?, error = NULL,
       body = NULL, dropped = NULL, original = NULL, next_attempt_at = NULL, updated_at = ?
       WHERE source_id = ? AND message_id = ?`,
      attempts,
      latencyMs,
      now,
      key.sourceId,
      key.messageId,
    );
  }

  /**
   * `delivered` for many rows in one statement (a batch the vendor took whole): each row's
   * attempts go up by one and its latency counts from its origin, as `delivered` writes them.
   */
  deliveredMany(keys: readonly LedgerKey[], now: number): void {
    if (keys.length === 0) return;
    this.sql.exec(
      `UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,
       latency_ms = CASE WHEN origin_at IS NULL THEN NULL ELSE MAX(0, ?2 - origin_at) END,
       error = NULL, body = NULL, dropped = NULL, original = NULL, next_attempt_at = NULL,
       updated_at = ?2 WHERE ${KEY_IN}`,
      keyList(keys),
      now,
    );
  }

  retrying(key: LedgerKey, attempts: number, error: string, delaySeconds: number, now: number) {
    this.sql.exec(
      `UPDATE deliveries SET status = 'retrying', attempts = ?, error = ?, updated_at = ?,
       next_attempt_at = ? WHERE source_id = ? AND message_id = ?`,
      attempts,
      error,
      now,
      now + delaySeconds * 1000,
      key.sourceId,
      key.messageId,
    );
  }

  /** Moves the event to the dead-letter store, keeping the form it would be sent in. */
  deadLetter(key: LedgerKey, attempts: number, reason: string, error: string, now: number) {
    this.sql.exec(
      `UPDATE deliveries SET status = 'failed', attempts = ?, reason = ?, error = ?,
       original = NULL, next_attempt_at = NULL, updated_at = ? WHERE source_id = ? AND message_id = ?`,
      attempts,
      reason,
      error,
      now,
      key.sourceId,
      key.messageId,
    );
  }

  /** Forgets everything: the destination is deleted, and its waiting events and dead letters with it. */
  clear(): void {
    this.sql.exec("DELETE FROM deliveries");
  }

  /** Stores the form a waiting event was re-judged into under configuration `version`. */
  rejudged(
    key: LedgerKey,
    body: string,
    dropped: readonly string[],
    allowReason: string,
    version: number,
  ) {
    this.sql.exec(
      `UPDATE deliveries SET body = ?, dropped = ?, allow_reason = ?, config_version = ?
       WHERE source_id = ? AND message_id = ?`,
      body,
      JSON.stringify(dropped),
      allowReason,
      version,
      key.sourceId,
      key.messageId,
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
   * Takes dead letters out of the store for a replay: they become `pending`, due now, with a fresh
   * retry window; a second replay request finds them gone from the store and sends nothing more.
   */
  releaseForReplay(messageIds: readonly string[] | undefined, now: number): string[] {
    const rows = messageIds
      ? messageIds.flatMap((id) => this.byMessageId(id)).filter((r) => r.status === "failed")
      : this.deadLetters(10_000);
    for (const row of rows)
      this.sql.exec(
        `UPDATE deliveries SET status = 'pending', attempts = 0, reason = 'replay',
         allow_reason = 'DEAD_LETTER_REPLAY', next_attempt_at = ?, window_start = ?, updated_at = ?
         WHERE source_id = ? AND message_id = ?`,
        now,
        now,
        now,
        row.source_id,
        row.message_id,
      );
    return rows.map((r) => r.message_id);
  }

  /**
   * Erases a deleted person's rows: their events by messageId, and any waiting or dead-lettered
   * body that names one of their user or anonymous ids (audience and trait changes the profile
   * emitted). Returns how many rows went.
   */
  forget(
    messageIds: readonly string[],
    userIds: readonly string[],
    anonymousIds: readonly string[],
  ) {
    const cursor = this.sql.exec(
      `DELETE FROM deliveries WHERE message_id IN (SELECT value FROM json_each(?))
       OR (body IS NOT NULL AND (json_extract(body, '$.userId') IN (SELECT value FROM json_each(?))
       OR json_extract(body, '$.anonymousId') IN (SELECT value FROM json_each(?))))`,
      JSON.stringify(messageIds),
      JSON.stringify(userIds),
      JSON.stringify(anonymousIds),
    );
    return cursor.rowsWritten;
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
