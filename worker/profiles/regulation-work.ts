// The subjects of the space's running regulations, inside its IdentityGraph: kept here (not in D1)
// so they exist only while a regulation runs and are erased when it ends.
import type { RegulationWork } from "../regulations/runner.ts";
import type { ResolvedSubjects } from "../regulations/subjects.ts";
import type { SubjectType } from "../privacy/regulations.ts";

export class RegulationWorkStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS regulation_work (
      id TEXT PRIMARY KEY, space_id TEXT NOT NULL, subject_type TEXT NOT NULL,
      subjects TEXT NOT NULL, resolved TEXT, created_at INTEGER NOT NULL)`);
  }

  add(work: RegulationWork, at: number): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO regulation_work (id, space_id, subject_type, subjects, created_at)
       VALUES (?, ?, ?, ?, ?)`,
      work.regulationId,
      work.spaceId,
      work.subjectType,
      JSON.stringify(work.subjects),
      at,
    );
  }

  /** Open work, oldest first. */
  list(): RegulationWork[] {
    return this.sql
      .exec<{
        id: string;
        space_id: string;
        subject_type: string;
        subjects: string;
        resolved: string | null;
      }>(
        "SELECT id, space_id, subject_type, subjects, resolved FROM regulation_work ORDER BY created_at, id",
      )
      .toArray()
      .map((r) => ({
        regulationId: r.id,
        spaceId: r.space_id,
        subjectType: r.subject_type as SubjectType,
        subjects: JSON.parse(r.subjects) as string[],
        resolved: r.resolved === null ? null : (JSON.parse(r.resolved) as ResolvedSubjects),
      }));
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
