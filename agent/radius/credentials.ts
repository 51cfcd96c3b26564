// One-time RADIUS credentials the captive portal issues after a login, and the MAC authorizations
// that let a returning guest in without the portal (MAC-auth). Stored in the agent's SQLite file;
// passwords only as SHA-256 (they are random 128-bit tokens, so a fast hash is enough).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";

export interface IssuedCredential {
  username: string;
  password: string;
  expiresAt: string;
}

export type CredentialCheck =
  | { ok: true; macHash: string | null }
  | {
      ok: false;
      reason: "unknown_user" | "bad_password" | "expired" | "already_used" | "mac_mismatch";
    };

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Portal-issued credentials and MAC authorizations, backed by the agent's SQLite file. */
export class CredentialStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;

  constructor(db: DatabaseSync, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
    db.exec(`
      CREATE TABLE IF NOT EXISTS radius_credentials (
        username TEXT PRIMARY KEY, password_sha256 BLOB NOT NULL, mac_hash TEXT,
        expires_at INTEGER NOT NULL, used_at INTEGER);
      CREATE TABLE IF NOT EXISTS radius_mac_authorizations (mac_hash TEXT PRIMARY KEY, authorized_at INTEGER NOT NULL);
    `);
  }

  /**
   * Issues a one-time credential valid for `ttlSeconds`. With `macHash`, only an Access-Request
   * whose Calling-Station-Id hashes to it may use it (a credential leaked to another device fails).
   */
  issue(macHash: string | null, ttlSeconds: number): IssuedCredential {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new RangeError("ttlSeconds must be a positive integer");
    const username = `g-${randomBytes(9).toString("base64url")}`;
    const password = randomBytes(18).toString("base64url");
    const expiresAt = this.#now() + ttlSeconds * 1000;
    this.#db
      .prepare(
        "INSERT INTO radius_credentials (username, password_sha256, mac_hash, expires_at) VALUES (?, ?, ?, ?)",
      )
      .run(username, sha256(password), macHash, expiresAt);
    this.#db
      .prepare("DELETE FROM radius_credentials WHERE expires_at < ?")
      .run(this.#now() - 86_400_000);
    return { username, password, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Checks and, on success, consumes a credential (one use only). */
  consume(username: string, password: string, callerMacHash: string | null): CredentialCheck {
    const row = this.#db
      .prepare(
        "SELECT password_sha256, mac_hash, expires_at, used_at FROM radius_credentials WHERE username = ?",
      )
      .get(username);
    if (!row) return { ok: false, reason: "unknown_user" };
    const stored = Buffer.from(row.password_sha256 as Uint8Array);
    if (!timingSafeEqual(stored, sha256(password))) return { ok: false, reason: "bad_password" };
    if (row.used_at !== null) return { ok: false, reason: "already_used" };
    if (Number(row.expires_at) < this.#now()) return { ok: false, reason: "expired" };
    const boundMac = row.mac_hash === null ? null : String(row.mac_hash);
    if (boundMac !== null && boundMac !== callerMacHash)
      return { ok: false, reason: "mac_mismatch" };
    const used = this.#db
      .prepare("UPDATE radius_credentials SET used_at = ? WHERE username = ? AND used_at IS NULL")
      .run(this.#now(), username);
    if (Number(used.changes) !== 1) return { ok: false, reason: "already_used" };
    return { ok: true, macHash: boundMac ?? callerMacHash };
  }

  /** Records that this (hashed) MAC logged in through the portal now. */
  authorizeMac(macHash: string): void {
    this.#db
      .prepare(
        "INSERT INTO radius_mac_authorizations (mac_hash, authorized_at) VALUES (?, ?) ON CONFLICT (mac_hash) DO UPDATE SET authorized_at = excluded.authorized_at",
      )
      .run(macHash, this.#now());
  }

  /** True when the MAC was authorized within the last `windowMs`. */
  isMacAuthorized(macHash: string, windowMs: number): boolean {
    const row = this.#db
      .prepare("SELECT authorized_at FROM radius_mac_authorizations WHERE mac_hash = ?")
      .get(macHash);
    return row !== undefined && Number(row.authorized_at) >= this.#now() - windowMs;
  }
}
