// The login form's validation: raw form fields in, either a typed login or the list of fields to
// fix (each with a message key the views translate). Pure, so every rule is unit-tested.
import { normalizePhone } from "../../../worker/message/contact.ts";

export type FieldMode = "off" | "optional" | "required";

export interface FormFieldModes {
  name: FieldMode;
  phone: FieldMode;
  /** ISO 3166-1 alpha-2 country for numbers typed without `+` (e.g. "FR"); none: `+` required. */
  phoneCountry?: string | undefined;
}

export interface ConsentChoices {
  marketingEmail: boolean;
  analytics: boolean;
  advertising: boolean;
}

export interface LoginForm {
  email: string;
  name?: string;
  /** E.164 (`+` and 8 to 15 digits), the form ad platforms and the edge's PII hashing expect. */
  phone?: string;
  consent: ConsentChoices;
}

export type FormErrorKey =
  | "email.missing"
  | "email.invalid"
  | "name.missing"
  | "name.invalid"
  | "phone.missing"
  | "phone.invalid"
  | "terms.missing";

export type FormField = "email" | "name" | "phone" | "terms";

export interface FieldError {
  field: FormField;
  key: FormErrorKey;
}

export type FormResult = { ok: true; login: LoginForm } | { ok: false; errors: FieldError[] };

// Deliberately simple (WHATWG `input type=email` grammar): one @, a dotted domain, no spaces.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(fields: Readonly<Record<string, string>>, name: string): string {
  return (fields[name] ?? "").trim();
}

/**
 * A typed phone number in E.164, or `undefined` when it cannot be one: the one contact normalizer
 * (worker/message/contact.ts) the edge uses too, so the guest's number keys the same identity as the
 * same number sent through `/v1/identify`. A national number needs the venue's `phoneCountry`.
 */
export function toE164(input: string, country?: string): string | undefined {
  const result = normalizePhone(input, country);
  return result.ok ? result.value : undefined;
}

/** A checkbox counts as ticked only with the value the form sends (`yes`). */
function ticked(fields: Readonly<Record<string, string>>, name: string): boolean {
  return fields[name] === "yes";
}

/**
 * Validates the submitted form against the venue's field modes. Terms must be accepted; consent
 * choices default to `false` (unticked boxes are not sent at all).
 */
export function validateLoginForm(
  fields: Readonly<Record<string, string>>,
  modes: FormFieldModes,
): FormResult {
  const errors: FieldError[] = [];
  const email = text(fields, "email");
  if (email === "") errors.push({ field: "email", key: "email.missing" });
  else if (email.length > 254 || !EMAIL.test(email))
    errors.push({ field: "email", key: "email.invalid" });

  const name = modes.name === "off" ? "" : text(fields, "name");
  if (modes.name === "required" && name === "") errors.push({ field: "name", key: "name.missing" });
  else if (name.length > 100 || CONTROL.test(name))
    errors.push({ field: "name", key: "name.invalid" });

  const rawPhone = modes.phone === "off" ? "" : text(fields, "phone");
  const phone = rawPhone === "" ? undefined : toE164(rawPhone, modes.phoneCountry);
  if (modes.phone === "required" && rawPhone === "")
    errors.push({ field: "phone", key: "phone.missing" });
  else if (rawPhone !== "" && phone === undefined)
    errors.push({ field: "phone", key: "phone.invalid" });

  if (!ticked(fields, "terms")) errors.push({ field: "terms", key: "terms.missing" });
  if (errors.length > 0) return { ok: false, errors };

  const [local, domain] = [
    email.slice(0, email.lastIndexOf("@")),
    email.slice(email.lastIndexOf("@") + 1),
  ];
  const login: LoginForm = {
    email: `${local}@${domain.toLowerCase()}`,
    consent: {
      marketingEmail: ticked(fields, "consent_marketing"),
      analytics: ticked(fields, "consent_analytics"),
      advertising: ticked(fields, "consent_advertising"),
    },
  };
  if (name !== "") login.name = name;
  if (phone !== undefined) login.phone = phone;
  return { ok: true, login };
}
