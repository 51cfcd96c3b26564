// Sessions a NAS has started and not stopped, so Accounting-On/Off (the NAS rebooted; RFC 2866
// §5.1) can end them. Keyed by (NAS, Acct-Session-Id) per RFC 2866 §5.5.
import type { DatabaseSync } from "node:sqlite";

export interface OpenSession {
  sessionId: string;
  macHash: string;
  randomized: boolean;
  startedAt: number;
}

/** The open-session table in the agent's SQLite file. */
export class OpenSessions {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS radius_open_sessions (
      nas TEXT NOT NULL, session_id TEXT NOT NULL, mac_hash TEXT NOT NULL, randomized INTEGER NOT NULL,
      started_at INTEGER NOT NULL, PRIMARY KEY (nas, session_id))`);
  }

  /** Records a started (or updated) session; the first start time wins. */
  open(nas: string, s: OpenSession): void {
    this.#db
      .prepare(
        `INSERT INTO radius_open_sessions (nas, session_id, mac_hash, randomized, started_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (nas, session_id) DO NOTHING`,
      )
      .run(nas, s.sessionId, s.macHash, s.randomized ? 1 : 0, s.startedAt);
  }

  close(nas: string, sessionId: string): void {
    this.#db
      .prepare("DELETE FROM radius_open_sessions WHERE nas = ? AND session_id = ?")
      .run(nas, sessionId);
  }

  /** Removes every open session of a NAS (after their ends are in the outbox). */
  closeAll(nas: string): void {
    this.#db.prepare("DELETE FROM radius_open_sessions WHERE nas = ?").run(nas);
  }

  /** Every open session of a NAS. */
  list(nas: string): OpenSession[] {
    const rows = this.#db
      .prepare(
        "SELECT session_id, mac_hash, randomized, started_at FROM radius_open_sessions WHERE nas = ?",
      )
      .all(nas);
    return rows.map((r) => ({
      sessionId: String(r.session_id),
      macHash: String(r.mac_hash),
      randomized: Number(r.randomized) === 1,
      startedAt: Number(r.started_at),
    }));
  }
}
