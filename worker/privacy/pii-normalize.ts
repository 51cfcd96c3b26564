// The normalized form a personal value is hashed in, so that a hash matches the one an ad platform
// computes from its own copy:
// - email: leading/trailing spaces trimmed, lower case — Meta Conversions API `em` ("Trim any
//   leading and trailing spaces. Convert all characters to lowercase") and Google Ads enhanced
//   conversions ("remove leading and trailing whitespace, convert to lowercase").
// - phone: E.164 (`+` country code, subscriber number, no separators), Google Ads' stated form
//   ("format phone numbers using the E.164 standard"). Meta's `ph` wants the same digits without
//   the `+` ("Remove symbols, letters, and any leading zeros … must include a country code"):
//   the `digits` format. A national number (no `+`/`00`) gets the policy's default calling code
//   after its trunk zeros are removed; without one, its digits are taken as already international.
// - names, address: trimmed, lower case, inner whitespace collapsed (both platforms' rule).
// - birthday: `YYYYMMDD` when the value starts with an ISO date (Meta `db`).
import type { PiiClass } from "./pii-classifier.ts";

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

/** E.164 from the ways people write phone numbers; `undefined` if it cannot be one (ITU-T E.164 §6.1). */
export function toE164(raw: string, defaultCallingCode?: string): string | undefined {
  const trimmed = raw.trim();
  let digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("+")) {
    // already international
  } else if (trimmed.startsWith("00")) {
    digits = digits.slice(2);
  } else {
    digits = digits.replace(/^0+/, "");
    if (defaultCallingCode !== undefined) digits = defaultCallingCode + digits;
  }
  return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : undefined;
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
      const email = raw.trim().toLowerCase();
      return { value: email, normalized: /^[^\s@]+@[^\s@]+$/.test(email) };
    }
    case "phone": {
      const e164 = toE164(raw, options.defaultCallingCode);
      if (!e164) return { value: text(raw), normalized: false };
      return { value: options.phoneFormat === "digits" ? e164.slice(1) : e164, normalized: true };
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
