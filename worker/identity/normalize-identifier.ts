// Normalization of identifier values before blocking and hashing, so that the same person's
// email or phone written two ways maps to one identifier. The forms match what ad platforms
// expect for hashed matching (trimmed lower-case email, E.164 phone), see ARCHITECTURE.md.

/** Segment does not cap identifier length except `groupId` (500, product-limits.md); Foyer caps all. */
export const MAX_IDENTIFIER_LENGTH = 500;

/** Why a value found in an identifier field did not become an identifier. */
export type RejectReason = "blocked" | "invalid" | "too_long" | "duplicate_of_wifi_mac";

export type Normalized = { ok: true; value: string } | { ok: false; reason: RejectReason };

/** Trimmed and lower-cased; must hold one `@` with text either side (RFC 5321 §4.5.3.1.3: ≤ 254). */
export function normalizeEmail(raw: unknown): Normalized {
  if (typeof raw !== "string") return { ok: false, reason: "invalid" };
  const value = raw.trim().toLowerCase();
  if (value.length > 254) return { ok: false, reason: "too_long" };
  if (!/^[^\s@]+@[^\s@]+$/.test(value)) return { ok: false, reason: "invalid" };
  return { ok: true, value };
}

/**
 * E.164-ish: separators (spaces, dashes, dots, parentheses, slashes) removed, a leading `00`
 * international prefix turned into `+`, and a `+` added when missing. E.164 allows at most 15
 * digits (ITU-T E.164 §6.1); fewer than 7 cannot be a subscriber number. No country is inferred
 * for national numbers: "0612 345 678" becomes "+0612345678", consistently for every event.
 */
export function normalizePhone(raw: unknown): Normalized {
  if (typeof raw !== "string" && typeof raw !== "number") return { ok: false, reason: "invalid" };
  let value = String(raw)
    .trim()
    .replace(/[\s\-.()/]/g, "");
  if (value.startsWith("00")) value = `+${value.slice(2)}`;
  if (!value.startsWith("+")) value = `+${value}`;
  if (!/^\+\d{7,15}$/.test(value)) return { ok: false, reason: "invalid" };
  return { ok: true, value };
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
