// A space's privacy configuration in D1 (`space_privacy`): consent settings, PII policy, the
// space-wide retention ceiling and the suppression key. Absent rows and NULL columns mean the
// defaults, so a space works before anyone configures it.
import { toHex } from "../crypto/digest.ts";
import {
  DEFAULT_CONSENT_SETTINGS,
  parseConsentSettings,
  type ConsentSettings,
} from "./consent-settings.ts";
import { DEFAULT_PRIVACY_POLICY, type PrivacyPolicy } from "./pii-policy-types.ts";
import { parsePrivacyPolicy } from "./pii-policy-validate.ts";

/** Segment's default retention for the archive and event history (segment.md §8.3). */
export const DEFAULT_RETENTION_DAYS = 90;

interface Row {
  consent: string | null;
  privacy_policy: string | null;
  retention_days: number | null;
  suppression_secret: string;
}

export interface SpacePrivacy {
  consent: ConsentSettings;
  policy: PrivacyPolicy;
  retentionDays: number;
  /** Whether the space set its own retention (otherwise the default applies). */
  retentionConfigured: boolean;
  suppressionSecret: string;
}

function newSecret(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** Creates the space's row (with a fresh suppression key) if it has none; returns it. */
async function ensureRow(env: Env, spaceId: string): Promise<Row> {
  await env.DB.prepare(
    `INSERT INTO space_privacy (space_id, suppression_secret, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (space_id) DO NOTHING`,
  )
    .bind(spaceId, newSecret(), Date.now())
    .run();
  const row = await env.DB.prepare(
    "SELECT consent, privacy_policy, retention_days, suppression_secret FROM space_privacy WHERE space_id = ?",
  )
    .bind(spaceId)
    .first<Row>();
  if (!row) throw new Error("space_privacy row missing after insert");
  return row;
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
