/**
 * One contact normalizer for emails and phones, shared by worker, agent and
 * portal. Pure: no Workers or Node globals. Phones use libphonenumber-js with
 * its MIN metadata (https://gitlab.com/catamphetamine/libphonenumber-js#min-vs-max-vs-mobile).
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";

/** Result of normalizing a contact value. */
export type ContactResult = { ok: true; value: string } | { ok: false; reason: string };

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

/** Trims and lowercases an email; the (possibly unicode/IDN) domain is kept as is. */
export function normalizeEmail(raw: unknown): ContactResult {
  if (typeof raw !== "string") return { ok: false, reason: "email_not_string" };
  const value = raw.trim().toLowerCase();
  if (!EMAIL_SHAPE.test(value)) return { ok: false, reason: "email_invalid" };
  return { ok: true, value };
}

/** True when `code` is an ISO 3166-1 alpha-2 shape (two uppercase letters). */
export function isCountryCode(code: unknown): code is CountryCode {
  return typeof code === "string" && /^[A-Z]{2}$/u.test(code);
}

/** How to read a national number (no `+` or `00`): a country, or a calling code such as "44". */
export interface PhoneContext {
  defaultCountry?: string | undefined;
  defaultCallingCode?: string | undefined;
}

/** E.164 allows at most 15 digits after the `+` (ITU-T E.164 §6.1); fewer than 7 is no number. */
const E164 = /^\+[1-9]\d{6,14}$/u;

/** `+digits` as libphonenumber reads it when it knows the plan, else by E.164's length rule. */
function international(candidate: string): string | undefined {
  const parsed = parsePhoneNumberFromString(candidate);
  if (parsed) return parsed.isPossible() ? parsed.number : undefined;
  const compact = `+${candidate.replace(/\D/gu, "")}`;
  return E164.test(compact) ? compact : undefined;
}

/**
 * Normalizes a phone to E.164 with '+': the one rule for identity keys, stored and destination
 * hashes and the portal form, so one person's number written two ways is one value. "00" and
 * "tel:" prefixes and a UK-style "(0)" trunk are accepted; a national number needs a country or a
 * calling code (its trunk zeros are dropped); bare digits without either are read as already
 * international. Plausibility is libphonenumber's `isPossible` (length per numbering plan), not
 * `isValid`, so numbers from ranges reserved for examples still normalize.
 */
export function normalizePhone(raw: unknown, context?: string | PhoneContext): ContactResult {
  if (typeof raw !== "string" && typeof raw !== "number")
    return { ok: false, reason: "phone_not_string" };
  const { defaultCountry, defaultCallingCode } =
    typeof context === "string"
      ? { defaultCountry: context, defaultCallingCode: undefined }
      : (context ?? {});
  let text = String(raw).trim().replace(/^tel:/iu, "").trim().replace(/\(0\)/gu, "");
  if (/[a-z]/iu.test(text)) return { ok: false, reason: "phone_has_letters" };
  if (text.startsWith("00")) text = `+${text.slice(2)}`;
  let value: string | undefined;
  if (text.startsWith("+")) value = international(text);
  else {
    const country = isCountryCode(defaultCountry) ? defaultCountry : undefined;
    if (country) {
      const parsed = parsePhoneNumberFromString(text, country);
      value = parsed?.isPossible() ? parsed.number : undefined;
    } else if (defaultCallingCode !== undefined && /^\d{1,3}$/u.test(defaultCallingCode)) {
      // Digits that already start with the code (Meta's `ph` advice) are read as international.
      const digits = text.replace(/\D/gu, "");
      value =
        international(`+${defaultCallingCode}${digits.replace(/^0+/u, "")}`) ??
        (digits.startsWith(defaultCallingCode) ? international(`+${digits}`) : undefined);
    } else if (!/^\s*0/u.test(text)) {
      value = international(`+${text.replace(/\D/gu, "")}`);
    }
  }
  return value === undefined ? { ok: false, reason: "phone_invalid" } : { ok: true, value };
}

/** Meta Conversions API `ph`: E.164 digits without '+'. */
export function phoneForMeta(raw: unknown, context?: string | PhoneContext): ContactResult {
  const r = normalizePhone(raw, context);
  return r.ok ? { ok: true, value: r.value.slice(1) } : r;
}
