// A space's privacy configuration in D1 (`space_privacy`): consent settings, PII policy, the
// space-wide retention ceiling and the suppression key. Absent rows and NULL columns mean the
// defaults, so a space works before anyone configures it.
import { toHex } from "../platform/index.ts";
import {
  DEFAULT_CONSENT_SETTINGS,
  parseConsentSettings,
  type ConsentSettings,
} from "./consent/settings.ts";
import { DEFAULT_PRIVACY_POLICY, type PrivacyPolicy } from "./pii/policy-types.ts";
import { parsePrivacyPolicy } from "./pii/policy-validate.ts";

/** Segment's default retention for the archive and event history (https://segment.com/docs/privacy/data-retention-policy/). */
export const DEFAULT_RETENTION_DAYS = 90;

interface Row {
  consent: string | null;
  privacy_policy: string | null;
  retention_days: number | null;
  suppression_secret: string;
  hash_secret: string | null;
}

export interface SpacePrivacy {
  consent: ConsentSettings;
  policy: PrivacyPolicy;
  retentionDays: number;
  /** Whether the space set its own retention (otherwise the default applies). */
  retentionConfigured: boolean;
  suppressionSecret: string;
  /** Hex key of the stored PII hashes (storage-hash.ts). */
  hashSecret: string;
}

function newSecret(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

const SELECT_ROW = `SELECT consent, privacy_policy, retention_days, suppression_secret, hash_secret
  FROM space_privacy WHERE space_id = ?`;

/**
 * Creates the space's row (with fresh suppression and hash keys) if it has none, gives a row from
 * before the hash key its own, and returns it.
 */
async function ensureRow(env: Env, spaceId: string): Promise<Row> {
  const row = await env.DB.prepare(SELECT_ROW).bind(spaceId).first<Row>();
  if (row?.hash_secret) return row;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO space_privacy (space_id, suppression_secret, hash_secret, updated_at)
       VALUES (?, ?, ?, ?) ON CONFLICT (space_id) DO NOTHING`,
    ).bind(spaceId, newSecret(), newSecret(), Date.now()),
    env.DB.prepare(
      "UPDATE space_privacy SET hash_secret = ? WHERE space_id = ? AND hash_secret IS NULL",
    ).bind(newSecret(), spaceId),
  ]);
  const created = await env.DB.prepare(SELECT_ROW).bind(spaceId).first<Row>();
  if (!created?.hash_secret) throw new Error("space_privacy row missing after insert");
  return created;
}

/**
 * Replaces the space's storage hash key (README "Security", rotation). Events stored from now on
 * hash PII under the new key; what is already stored keeps the old key's hashes until retention
 * removes it. A deletion request still finds those events through the person's ids and profile
 * history, but no longer by the old hash of an email that appears nowhere else.
 */
export function rotateHashSecretStatement(env: Env, spaceId: string): D1PreparedStatement {
  return env.DB.prepare(
    "UPDATE space_privacy SET hash_secret = ?, updated_at = ? WHERE space_id = ?",
  ).bind(newSecret(), Date.now(), spaceId);
}

/** The space's privacy configuration, stored values re-validated (they were valid when saved). */
export async function readSpacePrivacy(env: Env, spaceId: string): Promise<SpacePrivacy> {
  const row = await ensureRow(env, spaceId);
  return {
    consent:
      row.consent === null
        ? DEFAULT_CONSENT_SETTINGS
        : parseConsentSettings(JSON.parse(row.consent)),
    policy:
      row.privacy_policy === null
        ? DEFAULT_PRIVACY_POLICY
        : parsePrivacyPolicy(JSON.parse(row.privacy_policy)),
    retentionDays: row.retention_days ?? DEFAULT_RETENTION_DAYS,
    retentionConfigured: row.retention_days !== null,
    suppressionSecret: row.suppression_secret,
    hashSecret: row.hash_secret ?? "",
  };
}

export type SpacePrivacyChange =
  { consent: ConsentSettings } | { policy: PrivacyPolicy } | { retentionDays: number | null };

/** The statement that saves one already-validated change (batched with its audit entry). */
export async function spacePrivacyStatement(
  env: Env,
  spaceId: string,
  change: SpacePrivacyChange,
): Promise<D1PreparedStatement> {
  await ensureRow(env, spaceId);
  const [column, value] =
    "consent" in change
      ? ["consent", JSON.stringify(change.consent)]
      : "policy" in change
        ? ["privacy_policy", JSON.stringify(change.policy)]
        : ["retention_days", change.retentionDays];
  return env.DB.prepare(
    `UPDATE space_privacy SET ${column} = ?, updated_at = ? WHERE space_id = ?`,
  ).bind(value, Date.now(), spaceId);
}
