// node:sqlite implementation of `PresenceStore`. Tables are prefixed `presence_` so the store can
// share the agent's SQLite file with the outbox without colliding.
import { DatabaseSync } from "node:sqlite";
import type { PresenceChanges, PresenceStore } from "./store.ts";
import type { VisitState } from "./visit-machine.ts";

/** Opens (and creates) the presence tables in `db`, or in a new database at `path`. */
export function openSqlitePresenceStore(dbOrPath: DatabaseSync | string): PresenceStore {
  const db = typeof dbOrPath === "string" ? new DatabaseSync(dbOrPath) : dbOrPath;
  db.exec(`
    CREATE TABLE IF NOT EXISTS presence_open_visits (
      mac_hash TEXT PRIMARY KEY,
      state_json TEXT NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS presence_visit_history (
      mac_hash TEXT PRIMARY KEY,
      last_ended_at TEXT NOT NULL
    ) STRICT;`);
  const getOpen = db.prepare("SELECT state_json FROM presence_open_visits WHERE mac_hash = ?");
  const allOpen = db.prepare("SELECT state_json FROM presence_open_visits ORDER BY mac_hash");
  const getEnd = db.prepare("SELECT last_ended_at FROM presence_visit_history WHERE mac_hash = ?");
  const upsert = db.prepare(
    "INSERT INTO presence_open_visits (mac_hash, state_json) VALUES (?, ?) " +
      "ON CONFLICT (mac_hash) DO UPDATE SET state_json = excluded.state_json",
  );
  const remove = db.prepare("DELETE FROM presence_open_visits WHERE mac_hash = ?");
  // MAX keeps the later end if an old, late-delivered end arrives after a newer one.
  const recordEnd = db.prepare(
    "INSERT INTO presence_visit_history (mac_hash, last_ended_at) VALUES (?, ?) " +
      "ON CONFLICT (mac_hash) DO UPDATE SET last_ended_at = MAX(last_ended_at, excluded.last_ended_at)",
  );
  const prune = db.prepare("DELETE FROM presence_visit_history WHERE last_ended_at < ?");
  const parse = (row: unknown): VisitState =>
    JSON.parse((row as { state_json: string }).state_json) as VisitState;

  return {
    openVisit: (macHash) => {
      const row = getOpen.get(macHash);
      return row === undefined ? undefined : parse(row);
    },
    openVisits: () => allOpen.all().map(parse),
    lastVisitEnd: (macHash) =>
      (getEnd.get(macHash) as { last_ended_at: string } | undefined)?.last_ended_at,
    apply: (changes: PresenceChanges) => {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const hash of changes.remove) remove.run(hash);
        for (const state of changes.upsert) upsert.run(state.macHash, JSON.stringify(state));
        for (const end of changes.ended) recordEnd.run(end.macHash, end.endedAt);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    pruneHistory: (before) => Number(prune.run(before.toISOString()).changes),
  };
}
