import { describe, expect, it } from "vitest";
import {
  decideDeliveries,
  decideDelivery,
  integrationsAllow,
  readEventConsent,
} from "../../../worker/gate/consent/event.ts";
import {
  DEFAULT_CONSENT_SETTINGS,
  parseConsentSettings,
  type ConsentSettings,
} from "../../../worker/gate/consent/settings.ts";
import { PrivacyInputError } from "../../../worker/gate/privacy-input-error.ts";
import { pageEvent } from "./consent-fixtures.ts";

const SETTINGS: ConsentSettings = parseConsentSettings({
  categories: ["C0001", "C0002", "C0003", "C0004"],
  destinations: {
    "Google Analytics 4": ["C0002"],
    "Facebook Conversions API": ["C0004"],
    "Google Ads Conversions": ["C0002", "C0004"],
    "Fraud Check": ["C0001"],
  },
  strictlyNecessary: ["C0001"],
});
const REQUIRED = { ...SETTINGS, requireConsent: true };
const ALL_GRANTED = { C0001: true, C0002: true, C0003: true, C0004: true };

describe("readEventConsent", () => {
  it("reads the preferences analytics-consent-tools stamps", () => {
    expect(readEventConsent(pageEvent({ C0001: true, C0004: false }).context)).toEqual({
      kind: "present",
      preferences: { C0001: true, C0004: false },
    });
  });

  it.each([
    ["no consent object", {}],
    ["consent null", { consent: null }],
    ["empty consent object", { consent: {} }],
    ["categoryPreferences not an object", { consent: { categoryPreferences: [true] } }],
  ])("treats %s as absent", (_, context) => {
    expect(readEventConsent(context)).toEqual({ kind: "absent" });
  });

  it("grants only a literal true", () => {
    const read = readEventConsent({
      consent: { categoryPreferences: { A: "true", B: 1, C: true } },
    });
    expect(read).toEqual({ kind: "present", preferences: { A: false, B: false, C: true } });
  });
});

describe("decideDelivery: event consent", () => {
  it("delivers to a destination whose only category is granted", () => {
    const event = pageEvent({ C0001: true, C0002: true, C0003: false, C0004: false });
    expect(decideDelivery(event, "Google Analytics 4", SETTINGS)).toEqual({
      allowed: true,
      reason: "CONSENT_GRANTED",
    });
  });

  it("needs ALL mapped categories: one false blocks and is named", () => {
    const event = pageEvent({ C0001: true, C0002: true, C0003: false, C0004: false });
    const decision = decideDelivery(event, "Google Ads Conversions", SETTINGS);
    expect(decision).toMatchObject({
      allowed: false,
      reason: "FILTERED_BY_END_USER_CONSENT",
      missingCategories: ["C0004"],
    });
  });

  it("delivers to unmapped destinations whatever the consent says", () => {
    const event = pageEvent({ C0001: false, C0002: false, C0003: false, C0004: false });
    expect(decideDelivery(event, "Webhooks", SETTINGS)).toEqual({
      allowed: true,
      reason: "DESTINATION_NOT_MAPPED",
    });
  });

  it("treats empty categoryPreferences as every category false", () => {
    const event = pageEvent({});
    expect(decideDelivery(event, "Fraud Check", SETTINGS)).toMatchObject({
      allowed: false,
      missingCategories: ["C0001"],
    });
    expect(decideDelivery(event, "Webhooks", SETTINGS).allowed).toBe(true);
  });

  it("blocks when a mapped category is missing from the consent manager's stamp", () => {
    const event = pageEvent({ C0001: true, C0002: true });
    expect(decideDelivery(event, "Facebook Conversions API", SETTINGS)).toMatchObject({
      allowed: false,
      missingCategories: ["C0004"],
    });
  });

  it("ignores categories the consent manager sends that the space does not know", () => {
    const event = pageEvent({ C0002: true, C0099: false });
    expect(decideDelivery(event, "Google Analytics 4", SETTINGS).allowed).toBe(true);
  });

  it("does not enforce anything without a consent object when consent is optional", () => {
    for (const destination of ["Google Ads Conversions", "Fraud Check", "Webhooks"]) {
      expect(decideDelivery(pageEvent(), destination, SETTINGS)).toEqual({
        allowed: true,
        reason: "CONSENT_NOT_ENFORCED",
      });
    }
  });

  it("limits an event without consent to strictly necessary categories when consent is required", () => {
    const event = pageEvent();
    expect(decideDelivery(event, "Fraud Check", REQUIRED)).toEqual({
      allowed: true,
      reason: "CONSENT_GRANTED",
    });
    expect(decideDelivery(event, "Google Analytics 4", REQUIRED)).toMatchObject({
      allowed: false,
      reason: "FILTERED_BY_END_USER_CONSENT",
      missingCategories: ["C0002"],
    });
    expect(decideDelivery(event, "Webhooks", REQUIRED)).toMatchObject({
      allowed: false,
      reason: "FILTERED_BY_END_USER_CONSENT",
      missingCategories: [],
    });
  });

  it("applies the event's own consent when consent is required and present", () => {
    const event = pageEvent(ALL_GRANTED);
    expect(decideDelivery(event, "Google Ads Conversions", REQUIRED).allowed).toBe(true);
    expect(decideDelivery(event, "Webhooks", REQUIRED).reason).toBe("DESTINATION_NOT_MAPPED");
  });
});

describe("decideDelivery: integrations object", () => {
  it("blocks a destination set to false even with full consent", () => {
    const event = pageEvent(ALL_GRANTED, { "Google Analytics 4": false });
    expect(decideDelivery(event, "Google Analytics 4", SETTINGS)).toMatchObject({
      allowed: false,
      reason: "FILTERED_BY_INTEGRATIONS_OBJECT",
    });
  });

  it("blocks everything not named when All is false", () => {
    const event = pageEvent(ALL_GRANTED, { All: false, "Google Analytics 4": true });
    expect(decideDelivery(event, "Google Analytics 4", SETTINGS).allowed).toBe(true);
    expect(decideDelivery(event, "Webhooks", SETTINGS).reason).toBe(
      "FILTERED_BY_INTEGRATIONS_OBJECT",
    );
  });

  it("reports consent first when both consent and integrations block", () => {
    const event = pageEvent({ C0004: false }, { "Facebook Conversions API": false });
    expect(decideDelivery(event, "Facebook Conversions API", SETTINGS).reason).toBe(
      "FILTERED_BY_END_USER_CONSENT",
    );
  });

  it.each([
    [{}, "Mixpanel", true],
    [{ All: true, Salesforce: false }, "Salesforce", false],
    [{ All: false, Appsflyer: { appsflyerId: "1528-abc" } }, "Appsflyer", true],
    [{ All: false }, "Mixpanel", false],
    [{ mixpanel: false }, "Mixpanel", true],
    [{ Mixpanel: null }, "Mixpanel", true],
  ])("integrations %j for %s → %s", (integrations, destination, expected) => {
    expect(integrationsAllow(integrations, destination)).toBe(expected);
  });
});

describe("decideDeliveries", () => {
  it("answers for every destination at once", () => {
    const event = pageEvent({ C0001: true, C0002: true, C0003: false, C0004: false });
    const decisions = decideDeliveries(
      event,
      ["Google Analytics 4", "Facebook Conversions API"],
      SETTINGS,
    );
    expect(Object.keys(decisions)).toEqual(["Google Analytics 4", "Facebook Conversions API"]);
    expect(decisions["Google Analytics 4"]?.allowed).toBe(true);
    expect(decisions["Facebook Conversions API"]?.allowed).toBe(false);
  });
});

describe("parseConsentSettings", () => {
  it("fills defaults", () => {
    expect(parseConsentSettings({})).toEqual(DEFAULT_CONSENT_SETTINGS);
  });

  it.each([
    ["not an object", [], "not_an_object", ""],
    ["unknown field", { categorys: [] }, "unknown_field", "categorys"],
    [
      "category starting with a digit",
      { categories: ["1Ads"] },
      "invalid_category_id",
      "categories[0]",
    ],
    [
      "category of 35 characters",
      { categories: ["a".repeat(35)] },
      "invalid_category_id",
      "categories[0]",
    ],
    [
      "category with a space",
      { categories: ["Ad Tracking"] },
      "invalid_category_id",
      "categories[0]",
    ],
    ["duplicate category", { categories: ["Ads", "Ads"] }, "duplicate_category", "categories[1]"],
    ["categories not an array", { categories: "Ads" }, "not_an_array", "categories"],
    [
      "destination mapped to an unknown category",
      { categories: ["Ads"], destinations: { Braze: ["Analytics"] } },
      "unknown_category",
      "destinations.Braze[0]",
    ],
    [
      "destination mapped to nothing",
      { categories: ["Ads"], destinations: { Braze: [] } },
      "empty_mapping",
      "destinations.Braze",
    ],
    ["destinations an array", { destinations: [] }, "not_an_object", "destinations"],
    ["requireConsent a string", { requireConsent: "yes" }, "not_a_boolean", "requireConsent"],
    [
      "strictly necessary category unknown",
      { categories: ["Ads"], strictlyNecessary: ["Necessary"] },
      "unknown_category",
      "strictlyNecessary[0]",
    ],
  ])("refuses %s", (_, input, code, field) => {
    let error: unknown;
    try {
      parseConsentSettings(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PrivacyInputError);
    expect(error).toMatchObject({ code, field });
  });

  it("accepts a 34-character category id (Segment: fewer than 35)", () => {
    expect(parseConsentSettings({ categories: ["a".repeat(34)] }).categories).toHaveLength(1);
  });
});
