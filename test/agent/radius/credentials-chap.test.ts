// The credential store with CHAP: sealed passwords, wiped on use and expiry, and SQLite files
// written before CHAP support (old schema) upgraded in place.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { chapResponse, type ChapProof } from "../../../agent/radius/chap.ts";
import { CredentialStore } from "../../../agent/radius/credentials.ts";
import { tempDir } from "../outbox/outbox-fixture.ts";

const SECRET = "venue-key-for-radius-tests";
const CHALLENGE = Buffer.from("0f403f9473978057bd83d5cb98f4227a", "hex");

function chap(password: string, ident = 7): ChapProof {
  return { ident, challenge: CHALLENGE, response: chapResponse(ident, password, CHALLENGE) };
}

function sealedOf(db: DatabaseSync, username: string): unknown {
  return db
    .prepare("SELECT password_sealed FROM radius_credentials WHERE username = ?")
    .get(username)?.password_sealed;
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function tempFile(): string {
  const { dir, cleanup } = tempDir("foyer-credentials-");
  cleanups.push(cleanup);
  return path.join(dir, "agent.sqlite");
}

describe("CredentialStore over CHAP", () => {
  it("accepts the CHAP response once, then wipes the sealed password", () => {
    const db = new DatabaseSync(":memory:");
    const store = new CredentialStore(db, Date.now, { sealingSecret: SECRET });
    const c = store.issue(null, 60);
    expect(sealedOf(db, c.username)).toBeInstanceOf(Uint8Array);
    expect(store.consume(c.username, chap("not-the-password"), "h1")).toEqual({
      ok: false,
      reason: "bad_password",
    });
    expect(store.consume(c.username, chap(c.password), "h1")).toEqual({ ok: true, macHash: "h1" });
    expect(sealedOf(db, c.username)).toBeNull();
    expect(store.consume(c.username, chap(c.password), "h1")).toEqual({
      ok: false,
      reason: "already_used",
    });
    expect(store.consume(c.username, c.password, "h1")).toEqual({
      ok: false,
      reason: "already_used",
    });
  });

  it("keeps the MAC binding, and a PAP use wipes the sealed copy too", () => {
    const db = new DatabaseSync(":memory:");
    const store = new CredentialStore(db, Date.now, { sealingSecret: SECRET });
    const c = store.issue("h2", 60);
    expect(store.consume(c.username, chap(c.password), "h3")).toEqual({
      ok: false,
      reason: "mac_mismatch",
    });
    expect(store.consume(c.username, c.password, "h2")).toEqual({ ok: true, macHash: "h2" });
    expect(sealedOf(db, c.username)).toBeNull();
  });

  it("wipes sealed passwords as soon as they expire, on the next use of the store", () => {
    let now = 1_000_000;
    const db = new DatabaseSync(":memory:");
    const store = new CredentialStore(db, () => now, { sealingSecret: SECRET });
    const early = store.issue(null, 60);
    now += 61_000;
    const late = store.issue(null, 60);
    expect(sealedOf(db, early.username)).toBeNull();
    expect(sealedOf(db, late.username)).toBeInstanceOf(Uint8Array);
    expect(store.consume(early.username, chap(early.password), null)).toEqual({
      ok: false,
      reason: "expired",
    });
    now += 61_000;
    // A restarted agent wipes on open.
    new CredentialStore(db, () => now, { sealingSecret: SECRET });
    expect(sealedOf(db, late.username)).toBeNull();
  });

  it("refuses CHAP without a sealing secret and after the venue key changed; PAP still works", () => {
    const db = new DatabaseSync(":memory:");
    const plain = new CredentialStore(db);
    const a = plain.issue(null, 60);
    expect(sealedOf(db, a.username)).toBeNull();
    expect(plain.consume(a.username, chap(a.password), null)).toEqual({
      ok: false,
      reason: "chap_disabled",
    });
    const sealing = new CredentialStore(db, Date.now, { sealingSecret: SECRET });
    expect(sealing.consume(a.username, chap(a.password), null)).toEqual({
      ok: false,
      reason: "chap_not_stored",
    });
    const b = sealing.issue(null, 60);
    const rekeyed = new CredentialStore(db, Date.now, { sealingSecret: "a-new-venue-key-0123" });
    expect(rekeyed.consume(b.username, chap(b.password), null)).toEqual({
      ok: false,
      reason: "chap_key_mismatch",
    });
    expect(rekeyed.consume(b.username, b.password, null)).toEqual({ ok: true, macHash: null });
    expect(plain.consume(a.username, a.password, null)).toEqual({ ok: true, macHash: null });
  });

  it("never writes the clear password to the database file or its WAL", () => {
    const file = tempFile();
    const db = openAgentDatabase(file);
    const store = new CredentialStore(db, Date.now, { sealingSecret: SECRET });
    const issued = [store.issue(null, 60), store.issue("h", 60)];
    const bytes = readdirSync(path.dirname(file)).map((f) =>
      readFileSync(path.join(path.dirname(file), f)),
    );
    expect(bytes.reduce((n, b) => n + b.length, 0)).toBeGreaterThan(0);
    for (const c of issued) {
      expect(bytes.some((b) => b.includes(Buffer.from(c.username)))).toBe(true);
      expect(bytes.some((b) => b.includes(Buffer.from(c.password)))).toBe(false);
    }
    db.close();
  });
});

describe("CredentialStore on a SQLite file from before CHAP support", () => {
  it("adds the column in place; old rows work over PAP and get chap_not_stored over CHAP", () => {
    const file = tempFile();
    const old = openAgentDatabase(file);
    // The schema and an issued row exactly as the previous agent wrote them.
    old.exec(`
      CREATE TABLE radius_credentials (
        username TEXT PRIMARY KEY, password_sha256 BLOB NOT NULL, mac_hash TEXT,
        expires_at INTEGER NOT NULL, used_at INTEGER);
      CREATE TABLE radius_mac_authorizations (mac_hash TEXT PRIMARY KEY, authorized_at INTEGER NOT NULL);
    `);
    const sha = (s: string) => createHash("sha256").update(s, "utf8").digest();
    const insert = old.prepare(
      "INSERT INTO radius_credentials (username, password_sha256, mac_hash, expires_at) VALUES (?, ?, ?, ?)",
    );
    insert.run("g-old-pap", sha("old-pap-password"), null, Date.now() + 60_000);
    insert.run("g-old-chap", sha("old-chap-password"), null, Date.now() + 60_000);
    old.prepare("INSERT INTO radius_mac_authorizations VALUES (?, ?)").run("mh", Date.now());
    old.close();

    const db = openAgentDatabase(file);
    const store = new CredentialStore(db, Date.now, { sealingSecret: SECRET });
    new CredentialStore(db, Date.now, { sealingSecret: SECRET }); // idempotent
    const columns = db.prepare("PRAGMA table_info(radius_credentials)").all();
    expect(columns.map((c) => c.name)).toContain("password_sealed");
    expect(store.consume("g-old-pap", "old-pap-password", null)).toEqual({
      ok: true,
      macHash: null,
    });
    expect(store.consume("g-old-chap", chap("old-chap-password"), null)).toEqual({
      ok: false,
      reason: "chap_not_stored",
    });
    expect(store.isMacAuthorized("mh", 60_000)).toBe(true);
    const fresh = store.issue(null, 60);
    expect(store.consume(fresh.username, chap(fresh.password), null)).toEqual({
      ok: true,
      macHash: null,
    });
    db.close();
  });
});
