// The agent keeps all its state in one SQLite file (outbox, counters, credentials): one file to
// back up, one fsync domain, and `agent status` can read it while the agent runs (WAL readers do
// not block the writer).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

/**
 * `full` fsyncs the WAL at every commit; `normal` only at checkpoints. In WAL mode both survive a
 * process crash (kill -9), but only `full` survives power loss or a kernel panic
 * (https://www.sqlite.org/pragma.html#pragma_synchronous). An Accounting-Response or webhook 200
 * tells the device to forget the record, so the default is `full`.
 */
export type SyncMode = "full" | "normal";

/** Opens (creating if needed) the agent's SQLite file with WAL and the chosen sync mode. */
export function openAgentDatabase(file: string, sync: SyncMode = "full"): DatabaseSync {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new DatabaseSync(file, { timeout: 5_000 });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${sync === "full" ? "FULL" : "NORMAL"}`);
  return db;
}

/** Opens an existing agent database read-only (for `agent status` beside a running agent). */
export function openAgentDatabaseReadOnly(file: string): DatabaseSync {
  return new DatabaseSync(file, { readOnly: true, timeout: 5_000 });
}

/** Runs `work` inside one IMMEDIATE transaction; rolls back and rethrows on error. */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
