// One-time RADIUS credentials the captive portal issues after a login, and the MAC authorizations
// that let a returning guest in without the portal (MAC-auth). Stored in the agent's SQLite file;
// passwords as SHA-256 (they are random 144-bit tokens, so a fast hash is enough) and, for CHAP,
// sealed under a key the database does not hold (sealed-password.ts), only until used or expired.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import { verifyChap, type ChapProof } from "./chap.ts";
import { migrateCredentials, readCredentialRow, type CredentialRow } from "./credential-rows.ts";
import { deriveSealingKey, openSealedPassword, sealPassword } from "./sealed-password.ts";

export interface IssuedCredential {
  username: string;
  password: string;
  expiresAt: string;
}

/** Why a credential was refused (a counter suffix, safe to log). */
export type CredentialFailure =
  | "unknown_user"
  | "bad_password"
  | "expired"
  | "already_used"
  | "mac_mismatch"
  /** CHAP, but the store has no sealing secret. */
  | "chap_disabled"
  /** CHAP, but the row has no sealed password (issued before CHAP support or without a secret). */
  | "chap_not_stored"
  /** CHAP, but the sealed password does not open: the venue key changed since it was issued. */
  | "chap_key_mismatch";

export type CredentialCheck =
  { ok: true; macHash: string | null } | { ok: false; reason: CredentialFailure };

export interface CredentialStoreOptions {
  /**
   * The agent's venue key. With it, issued passwords are also kept sealed until used or expired,
   * so that CHAP Access-Requests can be verified; without it, CHAP is refused (`chap_disabled`).
   */
  sealingSecret?: string;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Portal-issued credentials and MAC authorizations, backed by the agent's SQLite file. */
export class CredentialStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #key: Buffer | null;

  constructor(
    db: DatabaseSync,
    now: () => number = Date.now,
    options: CredentialStoreOptions = {},
  ) {
    this.#db = db;
    this.#now = now;
    this.#key = options.sealingSecret ? deriveSealingKey(options.sealingSecret) : null;
    migrateCredentials(db);
    this.#wipeExpired();
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
    const sealed = this.#key ? sealPassword(this.#key, username, password) : null;
    this.#db
      .prepare(
        "INSERT INTO radius_credentials (username, password_sha256, password_sealed, mac_hash, expires_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run(username, sha256(password), sealed, macHash, expiresAt);
    this.#db
      .prepare("DELETE FROM radius_credentials WHERE expires_at < ?")
      .run(this.#now() - 86_400_000);
    this.#wipeExpired();
    return { username, password, expiresAt: new Date(expiresAt).toISOString() };
  }

  /**
   * Checks and, on success, consumes a credential (one use only). `password` is the clear text
   * (PAP) or a CHAP response, verified against the sealed password.
   */
  consume(
    username: string,
    password: string | ChapProof,
    callerMacHash: string | null,
  ): CredentialCheck {
    this.#wipeExpired();
    const row = readCredentialRow(this.#db, username);
    if (!row) return { ok: false, reason: "unknown_user" };
    const failure =
      typeof password === "string"
        ? checkPap(row, password)
        : this.#checkChap(username, row, password);
    if (failure) return { ok: false, reason: failure };
    if (row.usedAt !== null) return { ok: false, reason: "already_used" };
    if (row.expiresAt < this.#now()) return { ok: false, reason: "expired" };
    if (row.macHash !== null && row.macHash !== callerMacHash)
      return { ok: false, reason: "mac_mismatch" };
    // Using it wipes the sealed copy too: a used one-time password has no reason to exist.
    const used = this.#db
      .prepare(
        "UPDATE radius_credentials SET used_at = ?, password_sealed = NULL WHERE username = ? AND used_at IS NULL",
      )
      .run(this.#now(), username);
    if (Number(used.changes) !== 1) return { ok: false, reason: "already_used" };
    return { ok: true, macHash: row.macHash ?? callerMacHash };
  }

  /** Verifies a CHAP response against the sealed password; null when it matches. */
  #checkChap(username: string, row: CredentialRow, proof: ChapProof): CredentialFailure | null {
    if (!this.#key) return "chap_disabled";
    if (row.passwordSealed === null) {
      // Wiped on use and on expiry (#wipeExpired ran first): name that, not "not stored".
      if (row.usedAt !== null) return "already_used";
      return row.expiresAt < this.#now() ? "expired" : "chap_not_stored";
    }
    const clear = openSealedPassword(this.#key, username, row.passwordSealed);
    if (clear === null) return "chap_key_mismatch";
    return verifyChap(proof, [clear]) ? null : "bad_password";
  }

  /** An expired one-time password is worthless: wipe its sealed copy now, not a day later. */
  #wipeExpired(): void {
    this.#db
      .prepare(
        "UPDATE radius_credentials SET password_sealed = NULL WHERE password_sealed IS NOT NULL AND expires_at < ?",
      )
      .run(this.#now());
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

function checkPap(row: CredentialRow, password: string): "bad_password" | null {
  const given = sha256(password);
  const ok =
    row.passwordSha256.length === given.length && timingSafeEqual(row.passwordSha256, given);
  return ok ? null : "bad_password";
}
