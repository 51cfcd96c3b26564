// Small persisted facts for `agent status` when the agent is not running: the last uplink result
// and the per-input counters. Stored beside the outbox in the same SQLite file.
import type { DatabaseSync } from "node:sqlite";

/** Creates the state tables if absent. */
export function migrateAgentState(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS agent_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS agent_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `);
}

/** Stores one JSON value under `key`. */
export function writeAgentState(db: DatabaseSync, key: string, value: unknown): void {
  db.prepare(
    "INSERT INTO agent_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(key, JSON.stringify(value));
}

/** Reads the JSON value stored under `key`, or null (also when the table does not exist yet). */
export function readAgentState(db: DatabaseSync, key: string): unknown {
  try {
    const row = db.prepare("SELECT value FROM agent_state WHERE key = ?").get(key);
    return row ? (JSON.parse(String(row.value)) as unknown) : null;
  } catch {
    return null;
  }
}

/** Reads all persisted counters (empty when the table does not exist yet). */
export function readCounters(db: DatabaseSync): Record<string, number> {
  try {
    const rows = db.prepare("SELECT name, value FROM agent_counters ORDER BY name").all();
    return Object.fromEntries(rows.map((r) => [String(r.name), Number(r.value)]));
  } catch {
    return {};
  }
}

/**
 * Per-input counters (`radius.acct.accepted`, `meraki.scanning.accepted`…). Counted in memory on
 * the hot path and flushed in one transaction, so counting never costs an fsync per packet.
 */
export class Counters {
  readonly #db: DatabaseSync;
  readonly #pending = new Map<string, number>();
  readonly #totals: Map<string, number>;

  constructor(db: DatabaseSync) {
    this.#db = db;
    migrateAgentState(db);
    this.#totals = new Map(Object.entries(readCounters(db)));
  }

  /** Adds `by` (default 1) to `name`. */
  count(name: string, by = 1): void {
    this.#pending.set(name, (this.#pending.get(name) ?? 0) + by);
    this.#totals.set(name, (this.#totals.get(name) ?? 0) + by);
  }

  /** Current totals, including counts not yet flushed. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#totals].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Writes pending counts to SQLite. */
  flush(): void {
    if (this.#pending.size === 0) return;
    const add = this.#db.prepare(
      "INSERT INTO agent_counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
    );
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const [name, by] of this.#pending) add.run(name, by);
      this.#db.exec("COMMIT");
      this.#pending.clear();
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}
