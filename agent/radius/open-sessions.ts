// Sessions a NAS has started and not stopped, so Accounting-On/Off (the NAS rebooted; RFC 2866
// §5.1) can end them. Keyed by (NAS, Acct-Session-Id) per RFC 2866 §5.5. Each keeps the address
// the NAS framed for the guest (Framed-IP-Address), which is how the captive portal confirms that
// the MAC a redirect claims is the device really asking (agent/portal/http/mac-binding.ts).
import type { DatabaseSync } from "node:sqlite";

export interface OpenSession {
  sessionId: string;
  macHash: string;
  randomized: boolean;
  startedAt: number;
  /** Framed-IP-Address, when the NAS sent one (Start or a later Interim-Update). */
  framedIp?: string;
}

/** The open-session table in the agent's SQLite file. */
export class OpenSessions {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS radius_open_sessions (
      nas TEXT NOT NULL, session_id TEXT NOT NULL, mac_hash TEXT NOT NULL, randomized INTEGER NOT NULL,
      started_at INTEGER NOT NULL, PRIMARY KEY (nas, session_id))`);
    const columns = db.prepare("SELECT name FROM pragma_table_info('radius_open_sessions')").all();
    if (!columns.some((c) => c.name === "framed_ip"))
      db.exec("ALTER TABLE radius_open_sessions ADD COLUMN framed_ip TEXT");
    db.exec(
      "CREATE INDEX IF NOT EXISTS radius_open_sessions_ip ON radius_open_sessions (framed_ip)",
    );
  }

  /** Records a started (or updated) session; the first start time wins, a later address too. */
  open(nas: string, s: OpenSession): void {
    this.#db
      .prepare(
        `INSERT INTO radius_open_sessions (nas, session_id, mac_hash, randomized, started_at, framed_ip)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (nas, session_id) DO UPDATE SET framed_ip = coalesce(excluded.framed_ip, framed_ip)`,
      )
      .run(nas, s.sessionId, s.macHash, s.randomized ? 1 : 0, s.startedAt, s.framedIp ?? null);
  }

  /**
   * The MAC hash of the newest open session the NAS framed `ip` for, or undefined. An address is
   * reused only after its session ends (stop removes the row), so the newest is the device now.
   */
  macHashAt(ip: string): string | undefined {
    const row = this.#db
      .prepare(
        "SELECT mac_hash FROM radius_open_sessions WHERE framed_ip = ? ORDER BY started_at DESC LIMIT 1",
      )
      .get(ip);
    return row === undefined ? undefined : String(row.mac_hash);
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
