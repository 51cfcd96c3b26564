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

/**
 * Normalizes a phone to E.164 with '+'. "00" international prefix and a UK-style
 * "(0)" trunk are accepted; bare digits that already carry a calling code are
 * tried as international when the national reading fails.
 */
export function normalizePhone(raw: unknown, defaultCountry?: string): ContactResult {
  if (typeof raw !== "string") return { ok: false, reason: "phone_not_string" };
  let text = raw.trim().replace(/\(0\)/gu, "");
  if (/[a-z]/iu.test(text)) return { ok: false, reason: "phone_has_letters" };
  if (text.startsWith("00")) text = `+${text.slice(2)}`;
  const country = isCountryCode(defaultCountry) ? defaultCountry : undefined;
  const candidates = text.startsWith("+")
    ? [text]
    : [...(country ? [text] : []), `+${text.replace(/\D/gu, "")}`];
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(
      candidate,
      candidate.startsWith("+") ? undefined : country,
    );
    if (parsed?.isValid()) return { ok: true, value: parsed.number };
  }
  return { ok: false, reason: "phone_invalid" };
}

/** Meta Conversions API `ph`: E.164 digits without '+'. */
export function phoneForMeta(raw: unknown, defaultCountry?: string): ContactResult {
  const r = normalizePhone(raw, defaultCountry);
  return r.ok ? { ok: true, value: r.value.slice(1) } : r;
}
