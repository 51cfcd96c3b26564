// The subjects of the space's running regulations, inside its IdentityGraph: kept here (not in D1)
// so they exist only while a regulation runs and are erased when it ends. Each row also holds its
// regulation's next attempt (worker/platform/schedule.ts), so that one regulation
// that is waiting to retry does not hold up the others.
import type { RegulationWork } from "./runner.ts";
import type { ResolvedSubjects } from "./subjects.ts";
import type { SubjectType } from "../../message/index.ts";

// A type, not an interface: SqlStorage rows must be index-compatible records.
type WorkRow = {
  id: string;
  space_id: string;
  subject_type: string;
  subjects: string;
  resolved: string | null;
};

const toWork = (r: WorkRow): RegulationWork => ({
  regulationId: r.id,
  spaceId: r.space_id,
  subjectType: r.subject_type as SubjectType,
  subjects: JSON.parse(r.subjects) as string[],
  resolved: r.resolved === null ? null : (JSON.parse(r.resolved) as ResolvedSubjects),
});

export class RegulationWorkStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS regulation_work (
      id TEXT PRIMARY KEY, space_id TEXT NOT NULL, subject_type TEXT NOT NULL,
      subjects TEXT NOT NULL, resolved TEXT, created_at INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL DEFAULT 0)`);
    // Storage written before per-regulation schedules: its open work becomes due at once.
    const columns = sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('regulation_work')")
      .toArray()
      .map((c) => c.name);
    if (!columns.includes("next_attempt_at"))
      sql.exec("ALTER TABLE regulation_work ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0");
  }

  /** Takes new work, due at `at`; work already held (a repeated call) keeps its schedule. */
  add(work: RegulationWork, at: number): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO regulation_work
         (id, space_id, subject_type, subjects, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      work.regulationId,
      work.spaceId,
      work.subjectType,
      JSON.stringify(work.subjects),
      at,
      at,
    );
  }

  /** Open work with its next attempt (epoch ms), oldest first. */
  open(): { work: RegulationWork; nextAttemptAt: number }[] {
    return this.sql
      .exec<WorkRow & { next_attempt_at: number }>(
        `SELECT id, space_id, subject_type, subjects, resolved, next_attempt_at
         FROM regulation_work ORDER BY created_at, id`,
      )
      .toArray()
      .map((r) => ({ work: toWork(r), nextAttemptAt: r.next_attempt_at }));
  }

  /** The next attempt (epoch ms) of every open work. */
  nextAttempts(): number[] {
    return this.sql
      .exec<{ at: number }>("SELECT next_attempt_at AS at FROM regulation_work")
      .toArray()
      .map((r) => r.at);
  }

  /** Schedules the work's next attempt. */
  retryAt(id: string, at: number): void {
    this.sql.exec("UPDATE regulation_work SET next_attempt_at = ? WHERE id = ?", at, id);
  }

  saveResolved(id: string, resolved: ResolvedSubjects): void {
    this.sql.exec(
      "UPDATE regulation_work SET resolved = ? WHERE id = ?",
      JSON.stringify(resolved),
      id,
    );
  }

  remove(id: string): void {
    this.sql.exec("DELETE FROM regulation_work WHERE id = ?", id);
  }
}
