// The archive's write-ahead index. An R2 put and the D1 batch that indexes it cannot share a
// transaction, and the Queue may regroup messages on retry, so an object put by a batch whose D1
// write then failed would be archived again under another key and left behind, unindexed, out
// of reach of retention and of deletion requests (docs/architecture.md, Invariant 5). So the key is
// recorded first (`writing`, with each chunk's record in the claim shards pointing at it), the
// object is put, and the consumer's D1 batch flips the row to `stored`. A row left
// `writing` is an orphan that the hourly sweep removes (worker/governance/retention/orphan-sweep.ts).

/** The index row of one archive object, as the consumer writes it. */
export interface ArchiveObjectRow {
  key: string;
  sourceId: string;
  /** Epoch ms of the earliest chunk's receipt: retention counts from here. */
  receivedAt: number;
  /** Epoch ms of the latest chunk's receipt (the object's events were received in between). */
  lastReceivedAt: number;
  eventCount: number;
  bytes: number;
  /** The Bloom filter of its events' tokens (token-filter.ts), base64. */
  tokens: string;
}

/** The consumer may not put the object: the sweep has claimed its key. Retrying later is safe. */
export class ArchiveKeyClaimedError extends Error {
  constructor(key: string) {
    super(`archive object ${key} is being swept as an orphan; retry the batch`);
    this.name = "ArchiveKeyClaimedError";
  }
}

// A retry that regroups the same chunks gets the same key: it refreshes `written_at`, so the row's
// age always counts from the latest attempt. A row the sweep has claimed (`orphan`) is left alone
// (no change), and the put must not happen: the sweep may be about to delete that key in R2.
const RECORD_INTENT = `INSERT INTO archive_objects
    (key, source_id, received_at, event_count, bytes, state, written_at, last_received_at, tokens)
  VALUES (?1, ?2, ?3, ?4, ?5, 'writing', ?6, ?7, ?8)
  ON CONFLICT (key) DO UPDATE SET written_at = excluded.written_at WHERE state <> 'orphan'`;

// An upsert, not an update: the intent row normally exists, but if retention removed it meanwhile
// the object is indexed all the same. Counts stay as recorded with the intent, or as a deletion
// request rewrote them since.
const MARK_STORED = `INSERT INTO archive_objects
    (key, source_id, received_at, event_count, bytes, state, written_at, last_received_at, tokens)
  VALUES (?1, ?2, ?3, ?4, ?5, 'stored', ?6, ?7, ?8)
  ON CONFLICT (key) DO UPDATE SET state = 'stored' WHERE state = 'writing'`;

function bindRow(statement: D1PreparedStatement, row: ArchiveObjectRow, now: number) {
  return statement.bind(
    row.key,
    row.sourceId,
    row.receivedAt,
    row.eventCount,
    row.bytes,
    now,
    row.lastReceivedAt,
    row.tokens,
  );
}

/**
 * Records that `row.key` is about to be put in R2: one D1 statement, run before the put. Throws
 * `ArchiveKeyClaimedError` when the sweep holds the key, so the batch is retried instead.
 */
export async function recordWriteIntent(
  env: Env,
  row: ArchiveObjectRow,
  now: number,
): Promise<void> {
  const result = await bindRow(env.DB.prepare(RECORD_INTENT), row, now).run();
  if (result.meta.changes === 0) throw new ArchiveKeyClaimedError(row.key);
}

/** The statement that completes the intent: the object is complete and readable. */
export function markStored(env: Env, row: ArchiveObjectRow, now: number): D1PreparedStatement {
  return bindRow(env.DB.prepare(MARK_STORED), row, now);
}
