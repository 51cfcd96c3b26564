import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../worker/platform/digest.ts";
import { actionFor, applyPiiPolicy } from "../../../worker/gate/pii/policy.ts";
import { normalizeForHash } from "../../../worker/gate/pii/hash-form.ts";
import { normalizePhone } from "../../../worker/message/contact.ts";
import {
  DEFAULT_PII_POLICY,
  DEFAULT_PRIVACY_POLICY,
  policyForDestination,
} from "../../../worker/gate/pii/policy-types.ts";
import { parsePiiPolicy, parsePrivacyPolicy } from "../../../worker/gate/pii/policy-validate.ts";
import { PrivacyInputError } from "../../../worker/gate/privacy-input-error.ts";
import type { JsonObject } from "../../../worker/message/message.ts";
import { identifyWithPii, orderWithPayment } from "./pii-fixtures.ts";

// Expected hashes published in Meta's Conversions API "Customer Information Parameters" table.
const META_EMAIL_SHA256 = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
const META_PHONE_SHA256 = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";
const META_FIRST_NAME_SHA256 = "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe("normalization before hashing", () => {
  it.each([
    ["+1 (650) 555-1212", undefined, "+16505551212"],
    ["001 650 555 1212", undefined, "+16505551212"],
    ["(650) 555-1212", "1", "+16505551212"],
    ["020 7946 0958", "44", "+442079460958"],
    ["16505551212", undefined, "+16505551212"],
    ["555", undefined, undefined],
    ["+0 650 555 1212", undefined, undefined],
    ["+1234567890123456", undefined, undefined],
  ])("the one contact normalizer: %j with calling code %j → %j", (raw, code, expected) => {
    const result = normalizePhone(raw, { defaultCallingCode: code });
    expect(result.ok ? result.value : undefined).toBe(expected);
  });

  it("reproduces Meta's documented email, phone and first-name hashes", async () => {
    const meta = { phoneFormat: "digits" as const, defaultCallingCode: "1" };
    const email = normalizeForHash("email", " John_Smith@gmail.com ", meta);
    const phone = normalizeForHash("phone", "(650)555-1212", meta);
    const first = normalizeForHash("first_name", "Mary", meta);
    expect(await sha256Hex(email.value)).toBe(META_EMAIL_SHA256);
    expect(await sha256Hex(phone.value)).toBe(META_PHONE_SHA256);
    expect(await sha256Hex(first.value)).toBe(META_FIRST_NAME_SHA256);
  });

  it("uses E.164 with + for Google's form and YYYYMMDD for birthdays", () => {
    expect(normalizeForHash("phone", "+1 650-555-1212", { phoneFormat: "e164" })).toEqual({
      value: "+16505551212",
      normalized: true,
    });
    expect(
      normalizeForHash("birthday", "1990-04-23T00:00:00Z", { phoneFormat: "e164" }).value,
    ).toBe("19900423");
    expect(normalizeForHash("email", "not an email", { phoneFormat: "e164" })).toEqual({
      value: "not an email",
      normalized: false,
    });
  });
});

describe("applyPiiPolicy with the default storage policy", () => {
  it("hashes PII, drops payment data and MACs, keeps the rest, and never mutates", async () => {
    const input = deepFreeze(identifyWithPii());
    const { message, report } = await applyPiiPolicy(input, DEFAULT_PII_POLICY);
    const traits = message.traits as JsonObject;
    expect(traits.email).toBe(META_EMAIL_SHA256);
    expect(traits.firstName).toBe(META_FIRST_NAME_SHA256);
    expect(traits["Phone Number"]).toBe(await sha256Hex("+16505551212"));
    expect(traits.birthday).toBe(await sha256Hex("19900423"));
    expect(traits.address).toEqual({
      street: await sha256Hex("1 harbour row"),
      city: await sha256Hex("portsmouth"),
      postalCode: await sha256Hex("po1 3ax"),
      country: await sha256Hex("uk"),
    });
    expect("notes" in traits).toBe(false);
    expect(traits.plan).toBe("premium");
    expect(traits.company).toEqual({ name: "Harbour Café Ltd", plan: "enterprise" });
    expect(message.context.ip).toBe("203.0.113.42");
    expect(message.context.consent).toEqual({ categoryPreferences: { Advertising: true } });
    expect(input.traits?.email).toBe("  John_Smith@Gmail.com ");
    expect(report).toContainEqual({
      path: "traits.notes",
      class: "card_number",
      matchedBy: "value",
      outcome: "dropped",
    });
    expect(report).toContainEqual({
      path: "traits.email",
      class: "email",
      matchedBy: "key",
      outcome: "hashed",
      normalized: true,
    });
    expect(JSON.stringify(report)).not.toMatch(/john|mary|4111|harbour row/i);
  });

  it("drops every card number and IBAN even under a policy of raw", async () => {
    const rawEverything = parsePiiPolicy({ default: "raw", classes: { mac: "raw" } });
    const { message, report } = await applyPiiPolicy(orderWithPayment(), rawEverything);
    const text = JSON.stringify(message);
    for (const secret of ["5555 5555 5555 4444", "GB82", "4111111111111111"])
      expect(text).not.toContain(secret);
    expect(message.properties?.payment).toEqual({});
    expect(message.properties?.contact).toBe("guest@example.org");
    expect(message.properties?.device_mac).toBe("a4:83:e7:12:34:56");
    expect(
      report
        .filter((r) => r.outcome === "dropped")
        .map((r) => r.class)
        .sort(),
    ).toEqual(["card_number", "card_number", "iban", "iban"]);
  });

  it("applies the source's IP mode to every IP field kept raw", async () => {
    const { message, report } = await applyPiiPolicy(orderWithPayment(), DEFAULT_PII_POLICY, {
      ipMode: "truncate",
    });
    expect(message.context.ip).toBe("198.51.100.0");
    expect(message.properties?.client_ip).toBe("2001:db8:85a3::");
    expect(report).toContainEqual({
      path: "context.ip",
      class: "ip",
      matchedBy: "key",
      outcome: "truncated",
    });
  });

  it("nulls dropped array elements so other paths stay valid", async () => {
    const event = {
      ...orderWithPayment(),
      properties: { cards: ["4111111111111111", "guest@example.org"] },
    };
    const { message } = await applyPiiPolicy(event, DEFAULT_PII_POLICY);
    expect(message.properties?.cards).toEqual([null, await sha256Hex("guest@example.org")]);
  });

  it("reports hashed values that did not fit their class", async () => {
    const event = { ...identifyWithPii(), traits: { email: "n/a" } };
    const { report } = await applyPiiPolicy(event, DEFAULT_PII_POLICY);
    expect(report.filter((r) => r.path.startsWith("traits"))).toEqual([
      {
        path: "traits.email",
        class: "email",
        matchedBy: "key",
        outcome: "hashed",
        normalized: false,
      },
    ]);
  });
});

describe("per-destination policies", () => {
  const policy = parsePrivacyPolicy({
    destinations: {
      "Facebook Conversions API": { phoneFormat: "digits", defaultCallingCode: "1" },
      "Customer.io": { default: "raw" },
      "Google Analytics 4": { default: "dropped", classes: { ip: "dropped" } },
    },
  });

  it("gives Meta its own phone form and Customer.io raw email", async () => {
    const identify = identifyWithPii();
    const meta = await applyPiiPolicy(
      identify,
      policyForDestination(policy, "Facebook Conversions API"),
    );
    expect(meta.message.traits?.["Phone Number"]).toBe(META_PHONE_SHA256);
    const cio = await applyPiiPolicy(identify, policyForDestination(policy, "Customer.io"));
    expect(cio.message.traits?.email).toBe("  John_Smith@Gmail.com ");
    const ga = await applyPiiPolicy(identify, policyForDestination(policy, "Google Analytics 4"));
    expect(ga.message.traits?.email).toBeUndefined();
    expect(ga.message.context.ip).toBeUndefined();
  });

  it("falls back to the destination default", () => {
    expect(policyForDestination(policy, "Webhooks")).toEqual(DEFAULT_PII_POLICY);
    expect(policyForDestination(DEFAULT_PRIVACY_POLICY, "x")).toBe(DEFAULT_PII_POLICY);
  });

  it("never lets a policy raise an always-dropped class", () => {
    expect(
      actionFor({ ...DEFAULT_PII_POLICY, classes: { card_number: "raw" } }, "card_number"),
    ).toBe("dropped");
  });
});

describe("policy validation", () => {
  it.each([
    ["not an object", "raw", "not_an_object", ""],
    ["unknown field", { defualt: "raw" }, "unknown_field", "defualt"],
    ["unknown class", { classes: { emial: "hashed" } }, "unknown_class", "classes.emial"],
    ["unknown action", { classes: { email: "encrypted" } }, "invalid_action", "classes.email"],
    [
      "card numbers raised",
      { classes: { card_number: "hashed" } },
      "always_dropped",
      "classes.card_number",
    ],
    ["IBANs raised", { classes: { iban: "raw" } }, "always_dropped", "classes.iban"],
    ["bad default", { default: "none" }, "invalid_action", "default"],
    ["bad phone format", { phoneFormat: "E164" }, "invalid_phone_format", "phoneFormat"],
    [
      "calling code with +",
      { defaultCallingCode: "+44" },
      "invalid_calling_code",
      "defaultCallingCode",
    ],
    [
      "calling code as number",
      { defaultCallingCode: 44 },
      "invalid_calling_code",
      "defaultCallingCode",
    ],
    ["classes an array", { classes: [] }, "not_an_object", "classes"],
  ])("refuses %s", (_, input, code, field) => {
    expect(() => parsePiiPolicy(input)).toThrow(PrivacyInputError);
    try {
      parsePiiPolicy(input);
    } catch (error) {
      expect(error).toMatchObject({ code, field });
    }
  });

  it("names the nested field in a space policy", () => {
    expect(() =>
      parsePrivacyPolicy({ destinations: { Braze: { classes: { iban: "raw" } } } }),
    ).toThrow("destinations.Braze.classes.iban: iban is always dropped and cannot be raw");
    expect(() => parsePrivacyPolicy({ storage: { default: 1 } })).toThrow(/^storage\.default:/);
    expect(() => parsePrivacyPolicy({ retention: 30 })).toThrow(PrivacyInputError);
  });

  it("accepts explicit dropped for always-dropped classes and keeps defaults", () => {
    const policy = parsePiiPolicy({ classes: { card_number: "dropped", email: "raw" } });
    expect(policy.classes).toEqual({
      ip: "raw",
      mac: "dropped",
      card_number: "dropped",
      email: "raw",
    });
    expect(policy.default).toBe("hashed");
  });
});
