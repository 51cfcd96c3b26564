// Returning guests, kept in the agent's SQLite file without PII: a random guest id, the consent
// the guest gave, and the hashed MACs it logged in from. A MAC is a time-boxed alias (iOS and
// Android rotate private addresses, https://source.android.com/docs/core/connect/wifi-mac-randomization-behavior), so MAC lookups honour a window.
import type { DatabaseSync } from "node:sqlite";
import type { ConsentChoices } from "../form/login-form.ts";

export interface KnownGuest {
  guestId: string;
  consent: ConsentChoices;
  lastLoginAt: number;
}

function parseConsent(json: unknown): ConsentChoices {
  const value = JSON.parse(String(json)) as Partial<ConsentChoices>;
  return {
    marketingEmail: value.marketingEmail === true,
    analytics: value.analytics === true,
    advertising: value.advertising === true,
  };
}

/** Guest ids, their consent and their hashed MACs. */
export class GuestStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS portal_guests (
        guest_id TEXT PRIMARY KEY, consent_json TEXT NOT NULL, last_login_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS portal_guest_macs (
        mac_hash TEXT PRIMARY KEY, guest_id TEXT NOT NULL, last_seen_at INTEGER NOT NULL);
    `);
  }

  /**
   * Records a login: the guest's latest consent and, when the MAC was confirmed, that `macHash`
   * belongs to it as of `at` (`null`: nothing is bound to a MAC).
   */
  recordLogin(guestId: string, macHash: string | null, consent: ConsentChoices, at: number): void {
    this.#db
      .prepare(
        `INSERT INTO portal_guests (guest_id, consent_json, last_login_at) VALUES (?, ?, ?)
         ON CONFLICT (guest_id) DO UPDATE SET consent_json = excluded.consent_json,
           last_login_at = excluded.last_login_at`,
      )
      .run(guestId, JSON.stringify(consent), at);
    if (macHash === null) return;
    this.#db
      .prepare(
        `INSERT INTO portal_guest_macs (mac_hash, guest_id, last_seen_at) VALUES (?, ?, ?)
         ON CONFLICT (mac_hash) DO UPDATE SET guest_id = excluded.guest_id,
           last_seen_at = excluded.last_seen_at`,
      )
      .run(macHash, guestId, at);
  }

  /** The guest behind a guest id (from the signed cookie), or undefined. */
  byGuestId(guestId: string): KnownGuest | undefined {
    const row = this.#db
      .prepare("SELECT guest_id, consent_json, last_login_at FROM portal_guests WHERE guest_id = ?")
      .get(guestId);
    if (row === undefined) return undefined;
    return {
      guestId: String(row.guest_id),
      consent: parseConsent(row.consent_json),
      lastLoginAt: Number(row.last_login_at),
    };
  }

  /** The guest whose login used `macHash` no earlier than `since` (epoch ms), or undefined. */
  byMacSince(macHash: string, since: number): KnownGuest | undefined {
    const row = this.#db
      .prepare("SELECT guest_id, last_seen_at FROM portal_guest_macs WHERE mac_hash = ?")
      .get(macHash);
    if (row === undefined || Number(row.last_seen_at) < since) return undefined;
    return this.byGuestId(String(row.guest_id));
  }
}
