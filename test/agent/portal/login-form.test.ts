import { describe, expect, it } from "vitest";
import {
  toE164,
  validateLoginForm,
  type FormFieldModes,
} from "../../../agent/portal/form/login-form.ts";

const emailOnly: FormFieldModes = { name: "off", phone: "off" };
const all: FormFieldModes = { name: "required", phone: "required" };
const optional: FormFieldModes = { name: "optional", phone: "optional" };

describe("validateLoginForm", () => {
  it("accepts the minimal form: email and terms; every consent defaults to false", () => {
    expect(validateLoginForm({ email: " Ana@Example.COM ", terms: "yes" }, emailOnly)).toEqual({
      ok: true,
      login: {
        email: "Ana@example.com",
        consent: { marketingEmail: false, analytics: false, advertising: false },
      },
    });
  });

  it("records exactly the ticked consent boxes", () => {
    const r = validateLoginForm(
      { email: "a@b.co", terms: "yes", consent_marketing: "yes", consent_advertising: "yes" },
      emailOnly,
    );
    expect(r.ok && r.login.consent).toEqual({
      marketingEmail: true,
      analytics: false,
      advertising: true,
    });
  });

  it("treats any value other than yes as not ticked", () => {
    const r = validateLoginForm(
      { email: "a@b.co", terms: "yes", consent_analytics: "on", consent_marketing: "true" },
      emailOnly,
    );
    expect(r.ok && r.login.consent).toEqual({
      marketingEmail: false,
      analytics: false,
      advertising: false,
    });
  });

  it("lists every problem at once, each with its field", () => {
    expect(validateLoginForm({}, all)).toEqual({
      ok: false,
      errors: [
        { field: "email", key: "email.missing" },
        { field: "name", key: "name.missing" },
        { field: "phone", key: "phone.missing" },
        { field: "terms", key: "terms.missing" },
      ],
    });
  });

  it.each([
    "plainaddress",
    "a@b",
    "a@@b.co",
    "a b@c.co",
    "a@b..co",
    "@b.co",
    "a@-b.co",
    `${"a".repeat(250)}@b.co`,
  ])("rejects the email %j", (email) => {
    expect(validateLoginForm({ email, terms: "yes" }, emailOnly)).toEqual({
      ok: false,
      errors: [{ field: "email", key: "email.invalid" }],
    });
  });

  it("requires terms even when everything else is right", () => {
    expect(validateLoginForm({ email: "a@b.co", terms: "no" }, emailOnly)).toEqual({
      ok: false,
      errors: [{ field: "terms", key: "terms.missing" }],
    });
  });

  it("keeps optional name and phone, normalizing the phone to E.164", () => {
    const r = validateLoginForm(
      { email: "a@b.co", terms: "yes", name: "  Ana Lima ", phone: "+44 7700 900123" },
      optional,
    );
    expect(r.ok && r.login).toMatchObject({ name: "Ana Lima", phone: "+447700900123" });
  });

  it("leaves empty optional fields out", () => {
    const r = validateLoginForm({ email: "a@b.co", terms: "yes", name: "", phone: " " }, optional);
    expect(r.ok && r.login).toEqual({
      email: "a@b.co",
      consent: { marketingEmail: false, analytics: false, advertising: false },
    });
  });

  it("ignores name and phone when the venue turned them off", () => {
    const r = validateLoginForm(
      { email: "a@b.co", terms: "yes", name: "x".repeat(500), phone: "nonsense" },
      emailOnly,
    );
    expect(r.ok && r.login).toEqual({
      email: "a@b.co",
      consent: { marketingEmail: false, analytics: false, advertising: false },
    });
  });

  it("rejects a phone without country code and an over-long or control-character name", () => {
    expect(
      validateLoginForm(
        { email: "a@b.co", terms: "yes", phone: "07700 900123", name: "a\u0000b" },
        optional,
      ),
    ).toEqual({
      ok: false,
      errors: [
        { field: "name", key: "name.invalid" },
        { field: "phone", key: "phone.invalid" },
      ],
    });
    expect(
      validateLoginForm({ email: "a@b.co", terms: "yes", name: "n".repeat(101) }, optional),
    ).toEqual({
      ok: false,
      errors: [{ field: "name", key: "name.invalid" }],
    });
  });
});

describe("toE164", () => {
  it.each([
    ["+44 7700 900123", "+447700900123"],
    ["0033 6 12 34 56 78", "+33612345678"],
    ["+1 (415) 555-0100", "+14155550100"],
    ["+33.6.12.34.56.78", "+33612345678"],
  ])("%s -> %s", (input, out) => expect(toE164(input)).toBe(out));
  it.each(["07700900123", "+0 123456789", "+1234567", "+1234567890123456", "+44 7700 9001a3", ""])(
    "rejects %j",
    (input) => expect(toE164(input)).toBeUndefined(),
  );
});
