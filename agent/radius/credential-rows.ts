// The credential tables in the agent's SQLite file, and typed reads of their rows. Files written
// by earlier agents lack `password_sealed` (added for CHAP): it is added in place, and their rows,
// which have no sealed password, keep working for PAP and get the CHAP reject `chap_not_stored`.
import type { DatabaseSync } from "node:sqlite";

export interface CredentialRow {
  passwordSha256: Buffer;
  /** sealed-password.ts; NULL once used or expired, and for rows issued without a sealing key. */
  passwordSealed: Buffer | null;
  macHash: string | null;
  expiresAt: number;
  usedAt: number | null;
}

/** Creates the credential tables, or brings an existing file's tables up to date. */
export function migrateCredentials(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS radius_credentials (
      username TEXT PRIMARY KEY, password_sha256 BLOB NOT NULL, mac_hash TEXT,
      expires_at INTEGER NOT NULL, used_at INTEGER, password_sealed BLOB);
    CREATE TABLE IF NOT EXISTS radius_mac_authorizations (mac_hash TEXT PRIMARY KEY, authorized_at INTEGER NOT NULL);
  `);
  const columns = db.prepare("PRAGMA table_info(radius_credentials)").all();
  if (!columns.some((c) => c.name === "password_sealed"))
    db.exec("ALTER TABLE radius_credentials ADD COLUMN password_sealed BLOB");
}

/** The row of `username`, or undefined. */
export function readCredentialRow(db: DatabaseSync, username: string): CredentialRow | undefined {
  const row = db
    .prepare(
      "SELECT password_sha256, password_sealed, mac_hash, expires_at, used_at FROM radius_credentials WHERE username = ?",
    )
    .get(username);
  if (!row) return undefined;
  const blob = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v) : null);
  return {
    passwordSha256: blob(row.password_sha256) ?? Buffer.alloc(0),
    passwordSealed: blob(row.password_sealed),
    macHash: row.mac_hash === null ? null : String(row.mac_hash),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
  };
}
