// Normalization of identifier values before blocking and hashing, so that the same person's
// email or phone written two ways maps to one identifier. Emails and phones go through the one
// contact normalizer (worker/message/contact.ts) that every other part uses.
import {
  normalizeEmail as normalizeContactEmail,
  normalizePhone as normalizeContactPhone,
} from "../message/index.ts";

/** Segment does not cap identifier length except `groupId` (500, product-limits.md); Foyer caps all. */
export const MAX_IDENTIFIER_LENGTH = 500;

/** Why a value found in an identifier field did not become an identifier. */
export type RejectReason = "blocked" | "invalid" | "too_long" | "duplicate_of_wifi_mac";

export type Normalized = { ok: true; value: string } | { ok: false; reason: RejectReason };

/**
 * Trimmed and lower-cased by the one contact normalizer (worker/message/contact.ts); at most 254
 * characters (RFC 5321 §4.5.3.1.3).
 */
export function normalizeEmail(raw: unknown): Normalized {
  if (typeof raw === "string" && raw.trim().length > 254) return { ok: false, reason: "too_long" };
  const email = normalizeContactEmail(raw);
  return email.ok ? { ok: true, value: email.value } : { ok: false, reason: "invalid" };
}

/**
 * E.164 by the one contact normalizer (worker/message/contact.ts), as the portal, stored hashes and
 * destinations write it. A national number (no `+`/`00`, leading trunk zero) has no country here
 * and is not an identifier: "0612 345 678" could be anyone's in any country.
 */
export function normalizePhone(raw: unknown): Normalized {
  const phone = normalizeContactPhone(raw);
  return phone.ok ? { ok: true, value: phone.value } : { ok: false, reason: "invalid" };
}

/**
 * The venue agent sends `HMAC-SHA256(venue key, mac)` as 64 hex digits. Anything else (a raw MAC
 * above all) is refused so that a clear MAC can never become a stored identifier.
 */
export function normalizeMacHash(raw: unknown): Normalized {
  if (typeof raw !== "string") return { ok: false, reason: "invalid" };
  const value = raw.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(value)) return { ok: false, reason: "invalid" };
  return { ok: true, value };
}

/** Ids (`userId`, `anonymousId`, `groupId`, device ids) are matched exactly as sent, never trimmed. */
export function normalizePlainId(raw: unknown): Normalized {
  if (typeof raw === "number" && Number.isFinite(raw)) return { ok: true, value: String(raw) };
  if (typeof raw !== "string") return { ok: false, reason: "invalid" };
  if (raw.length > MAX_IDENTIFIER_LENGTH) return { ok: false, reason: "too_long" };
  return { ok: true, value: raw };
}

/** Normalizes a value of identifier `type` with the rule of that type. */
export function normalizeIdentifierValue(type: string, raw: unknown): Normalized {
  if (type === "email") return normalizeEmail(raw);
  if (type === "phone") return normalizePhone(raw);
  if (type === "wifi_mac") return normalizeMacHash(raw);
  return normalizePlainId(raw);
}
