// The identity graph's storage inside the IdentityGraph Durable Object: identifier → profile,
// profile facts, and the audit outbox. Synchronous SQLite calls only, so a whole plan is applied
// without any other request interleaving (the Durable Object's single-writer guarantee).
import type { Collection, Identifier } from "./identifiers.ts";
import { identifierKey } from "./hashing.ts";
import type { ProfileFacts } from "./profile-facts.ts";

export interface AuditRow {
  id: string;
  messageId: string;
  action: "create" | "attach" | "merge" | "refuse";
  rule: string;
  survivor: string | null;
  folded: string | null;
  identifiers: { type: string; value: string; collection: Collection }[];
  detail: string;
  at: number;
}

export class GraphStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS ids (
      key TEXT PRIMARY KEY, profile_id TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL,
      collection TEXT NOT NULL, strength TEXT NOT NULL, added_at INTEGER NOT NULL)`);
    sql.exec("CREATE INDEX IF NOT EXISTS ids_profile ON ids (profile_id)");
    sql.exec(`CREATE TABLE IF NOT EXISTS profiles (
      id TEXT PRIMARY KEY, collection TEXT NOT NULL, created_at INTEGER NOT NULL,
      merged_into TEXT, merge_count INTEGER NOT NULL DEFAULT 0)`);
    // Merges re-point every profile already folded into the one being folded, and erasure and the
    // merge outbox look up what was folded into a profile: without this, each is a full scan.
    sql.exec("CREATE INDEX IF NOT EXISTS profiles_merged_into ON profiles (merged_into)");
    sql.exec("CREATE TABLE IF NOT EXISTS audit_outbox (id TEXT PRIMARY KEY, row TEXT NOT NULL)");
  }

  profileOf(key: string): string | undefined {
    const row = this.sql
      .exec<{ profile_id: string }>("SELECT profile_id FROM ids WHERE key = ?", key)
      .toArray()[0];
    return row?.profile_id;
  }

  facts(profileId: string): ProfileFacts | undefined {
    const row = this.sql
      .exec<{ created_at: number; merge_count: number }>(
        "SELECT created_at, merge_count FROM profiles WHERE id = ?",
        profileId,
      )
      .toArray()[0];
    if (!row) return undefined;
    const identifiers = this.sql
      .exec<{ type: string; value: string; added_at: number }>(
        "SELECT type, value, added_at FROM ids WHERE profile_id = ?",
        profileId,
      )
      .toArray()
      .map((r) => ({ type: r.type, value: r.value, addedAt: r.added_at }));
    return { id: profileId, createdAt: row.created_at, mergeCount: row.merge_count, identifiers };
  }

  /** Whether a profile with this id was ever created here (folded ones included). */
  hasProfile(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM profiles WHERE id = ?", id).toArray().length > 0;
  }

  createProfile(id: string, collection: Collection, createdAt: number): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO profiles (id, collection, created_at) VALUES (?, ?, ?)",
      id,
      collection,
      createdAt,
    );
  }

  addIdentifiers(profileId: string, identifiers: readonly Identifier[], at: number): void {
    for (const id of identifiers) {
      this.sql.exec(
        `INSERT OR IGNORE INTO ids (key, profile_id, type, value, collection, strength, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        identifierKey(id),
        profileId,
        id.type,
        id.value,
        id.collection,
        id.strength,
        at,
      );
    }
  }

  /** Folds `folded` into `survivor`: its identifiers and forwarding pointers move over. */
  fold(survivor: string, folded: string): void {
    const count = this.sql
      .exec<{ merge_count: number }>("SELECT merge_count FROM profiles WHERE id = ?", folded)
      .toArray()[0]?.merge_count;
    this.sql.exec("UPDATE ids SET profile_id = ? WHERE profile_id = ?", survivor, folded);
    this.sql.exec(
      "UPDATE profiles SET merged_into = ? WHERE id = ? OR merged_into = ?",
      survivor,
      folded,
      folded,
    );
    this.sql.exec(
      "UPDATE profiles SET merge_count = merge_count + ? WHERE id = ?",
      (count ?? 0) + 1,
      survivor,
    );
  }

  /** Follows merge pointers to the profile that holds `profileId`'s data now. */
  canonical(profileId: string): string | undefined {
    const row = this.sql
      .exec<{ id: string; merged_into: string | null }>(
        "SELECT id, merged_into FROM profiles WHERE id = ?",
        profileId,
      )
      .toArray()[0];
    if (!row) return undefined;
    return row.merged_into ?? row.id;
  }

  identifiersOf(
    profileId: string,
  ): { type: string; value: string; collection: Collection; strength: string; addedAt: number }[] {
    return this.sql
      .exec<{
        type: string;
        value: string;
        collection: Collection;
        strength: string;
        added_at: number;
      }>(
        "SELECT type, value, collection, strength, added_at FROM ids WHERE profile_id = ? ORDER BY added_at, key",
        profileId,
      )
      .toArray()
      .map((r) => ({
        type: r.type,
        value: r.value,
        collection: r.collection,
        strength: r.strength,
        addedAt: r.added_at,
      }));
  }

  queueAudit(rows: readonly AuditRow[]): void {
    for (const row of rows) {
      this.sql.exec(
        "INSERT OR IGNORE INTO audit_outbox (id, row) VALUES (?, ?)",
        row.id,
        JSON.stringify(row),
      );
    }
  }

  pendingAudit(limit: number): AuditRow[] {
    return this.sql
      .exec<{ row: string }>("SELECT row FROM audit_outbox ORDER BY id LIMIT ?", limit)
      .toArray()
      .map((r) => JSON.parse(r.row) as AuditRow);
  }

  clearAudit(ids: readonly string[]): void {
    for (const id of ids) this.sql.exec("DELETE FROM audit_outbox WHERE id = ?", id);
  }

  /** Every (identifier key → profile) mapping, for exports and the convergence test. */
  /** Live (not folded) profile ids after `after`, in id order: one bounded page. */
  profileIds(after: string, limit: number): string[] {
    return this.sql
      .exec<{ id: string }>(
        "SELECT id FROM profiles WHERE merged_into IS NULL AND id > ? ORDER BY id LIMIT ?",
        after,
        limit,
      )
      .toArray()
      .map((r) => r.id);
  }

  /** The identifier keys of these profiles, by key. */
  partitionOf(profileIds: readonly string[]): { key: string; profileId: string }[] {
    return this.sql
      .exec<{ key: string; profile_id: string }>(
        `SELECT key, profile_id FROM ids WHERE profile_id IN (SELECT value FROM json_each(?))
         ORDER BY key`,
        JSON.stringify(profileIds),
      )
      .toArray()
      .map((r) => ({ key: r.key, profileId: r.profile_id }));
  }

  /** The whole index (tests and small spaces only: production reads go by `profileIds` pages). */
  partition(): { key: string; profileId: string }[] {
    return this.sql
      .exec<{ key: string; profile_id: string }>("SELECT key, profile_id FROM ids ORDER BY key")
      .toArray()
      .map((r) => ({ key: r.key, profileId: r.profile_id }));
  }
}

/** Profiles folded into any of `profileIds` (their forwarding records), for erasure. */
export function foldedInto(sql: SqlStorage, profileIds: readonly string[]): string[] {
  return sql
    .exec<{ id: string }>(
      "SELECT id FROM profiles WHERE merged_into IN (SELECT value FROM json_each(?)) ORDER BY id",
      JSON.stringify(profileIds),
    )
    .toArray()
    .map((r) => r.id);
}

/**
 * Erases profiles from the identity index: their identifiers, their records and forwarding
 * pointers, their unapplied merge records, and any audit row still waiting for D1 that names them. Returns the identifiers erased.
 */
export function eraseProfiles(sql: SqlStorage, profileIds: readonly string[]): number {
  const ids = JSON.stringify(profileIds);
  const erased = sql.exec(
    "DELETE FROM ids WHERE profile_id IN (SELECT value FROM json_each(?))",
    ids,
  ).rowsWritten;
  sql.exec(
    `DELETE FROM profiles WHERE id IN (SELECT value FROM json_each(?1))
       OR merged_into IN (SELECT value FROM json_each(?1))`,
    ids,
  );
  sql.exec(
    `DELETE FROM merge_outbox WHERE folded IN (SELECT value FROM json_each(?1))
       OR survivor IN (SELECT value FROM json_each(?1))`,
    ids,
  );
  sql.exec(
    "DELETE FROM audit_outbox WHERE EXISTS (SELECT 1 FROM json_each(?) WHERE instr(audit_outbox.row, value) > 0)",
    ids,
  );
  return erased;
}
