// Outbox tables. `state` is pending → delivered (kept as a body-less tombstone for the retention
// window so a late re-append of the same messageId stays a no-op) or parked (rejected by the edge
// with a 4xx: kept for the operator, never retried).
import type { DatabaseSync } from "node:sqlite";

/** Creates the outbox tables if absent (idempotent; safe on every start). */
export function migrateOutbox(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      message_id TEXT NOT NULL UNIQUE,
      cls TEXT NOT NULL,
      rank INTEGER NOT NULL,
      body TEXT,
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'parked')),
      lease_until INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0,
      park_reason TEXT,
      done_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, seq);
    CREATE INDEX IF NOT EXISTS outbox_evict ON outbox (state, rank, seq);
    CREATE TABLE IF NOT EXISTS outbox_evicted (cls TEXT PRIMARY KEY, n INTEGER NOT NULL);
  `);
}
