// Value patterns that identify personal data whatever key it sits under. Each is strict enough to
// keep false positives rare on event data: card numbers need a known issuer prefix, a valid length
// and the Luhn check digit (ISO/IEC 7812-1 Annex B); IBANs need a registered country length and
// the ISO 13616 mod-97 check; phone numbers need an international prefix or separators.
import { parseIp } from "./ip-address.ts";

/** ISO/IEC 7812-1 Annex B (Luhn): doubles every second digit from the right. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the card networks (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro). */
const CARD_ISSUER =
  /^(4\d{12}(\d{3}|\d{6})?|5[1-5]\d{14}|2(2[2-9]|[3-6]\d|7[01])\d{13}|2720\d{12}|3[47]\d{13}|3(0[0-5]|[68]\d)\d{11}|6011\d{12,15}|64[4-9]\d{13,16}|65\d{14,17}|35(2[89]|[3-8]\d)\d{12,15}|62\d{14,17}|(50|5[6-9]|6[0-9])\d{10,17})$/;

/** A payment card number: 12–19 digits (spaces or dashes allowed), issuer prefix, Luhn. */
export function isCardNumber(value: string): boolean {
  const digits = value.replace(/[ -]/g, "");
  return /^\d{12,19}$/.test(digits) && CARD_ISSUER.test(digits) && passesLuhn(digits);
}

/** IBAN length per country, from the SWIFT IBAN Registry (ISO 13616). */
// prettier-ignore
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27,
  GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24,
  ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24,
  TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** ISO 13616-1: move the first four characters to the end, letters to 10–35, the number mod 97 is 1. */
export function isIban(value: string): boolean {
  const compact = value.replace(/ /g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  if (IBAN_LENGTHS[compact.slice(0, 2)] !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : char;
    for (const digit of digits) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value);
}

export function isMacAddress(value: string): boolean {
  return (
    /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(value) ||
    /^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i.test(value)
  );
}

/**
 * A phone number written as people write one: an international prefix (`+`, `00`) or separators
 * between digit groups, 7–15 digits (ITU-T E.164 §6.1). Bare digit strings are ids, not phones.
 */
export function isPhoneNumber(value: string): boolean {
  const international = /^(\+|00)/.test(value);
  const allowed = international ? /^(\+|00)[\d\s\-().]+$/ : /^[\d\s\-()]+$/;
  if (!allowed.test(value)) return false;
  if (!international && !/\d[\s\-()]+\d/.test(value) && !/^\(/.test(value)) return false;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return false;
  const digits = value.replace(/\D/g, "").length;
  return digits >= 7 && digits <= 15;
}

export function isIpAddress(value: string): boolean {
  return parseIp(value) !== undefined;
}

/** Candidate card numbers and IBANs inside free text (whole tokens only). */
const EMBEDDED_CARD = /(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d-])/g;
const EMBEDDED_IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;

/** Whether free text contains a card number or an IBAN anywhere. */
export function findEmbeddedPayment(text: string): "card_number" | "iban" | undefined {
  for (const match of text.matchAll(EMBEDDED_CARD))
    if (isCardNumber(match[0])) return "card_number";
  for (const match of text.matchAll(EMBEDDED_IBAN)) if (isIban(match[0])) return "iban";
  return undefined;
}
