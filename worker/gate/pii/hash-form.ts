// The normalized form a personal value is hashed in, so that a hash matches the one an ad platform
// computes from its own copy:
// - email: leading/trailing spaces trimmed, lower case — Meta Conversions API `em` ("Trim any
//   leading and trailing spaces. Convert all characters to lowercase") and Google Ads enhanced
//   conversions ("remove leading and trailing whitespace, convert to lowercase").
// - phone: E.164 (`+` country code, subscriber number, no separators), Google Ads' stated form
//   ("format phone numbers using the E.164 standard"). Meta's `ph` wants the same digits without
//   the `+` ("Remove symbols, letters, and any leading zeros … must include a country code"):
//   the `digits` format. Both come from the one contact normalizer (worker/message/contact.ts): a
//   national number (no `+`/`00`) gets the policy's default calling code after its trunk zeros
//   are removed; without one, its digits are taken as already international.
// - names, address: trimmed, lower case, inner whitespace collapsed (both platforms' rule).
// - birthday: `YYYYMMDD` when the value starts with an ISO date (Meta `db`).
import { normalizeEmail, normalizePhone } from "../../message/index.ts";
import type { PiiClass } from "./classifier.ts";

export type PhoneFormat = "e164" | "digits";

export interface NormalizeOptions {
  phoneFormat: PhoneFormat;
  /** ITU-T E.164 country calling code for national numbers, e.g. "44" (no `+`). */
  defaultCallingCode?: string;
}

export type NormalizedValue = { value: string; normalized: boolean };

function text(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, " ");
}

/** The form `value` of class `cls` is hashed in; `normalized: false` when it did not fit the class. */
export function normalizeForHash(
  cls: PiiClass,
  value: string | number,
  options: NormalizeOptions,
): NormalizedValue {
  const raw = String(value);
  switch (cls) {
    case "email": {
      const email = normalizeEmail(raw);
      return email.ok
        ? { value: email.value, normalized: true }
        : { value: raw.trim().toLowerCase(), normalized: false };
    }
    case "phone": {
      const e164 = normalizePhone(raw, { defaultCallingCode: options.defaultCallingCode });
      if (!e164.ok) return { value: text(raw), normalized: false };
      const value = e164.value;
      return { value: options.phoneFormat === "digits" ? value.slice(1) : value, normalized: true };
    }
    case "birthday": {
      const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw.trim());
      return iso
        ? { value: `${iso[1]}${iso[2]}${iso[3]}`, normalized: true }
        : { value: text(raw), normalized: false };
    }
    default:
      return { value: text(raw), normalized: true };
  }
}
