import { describe, expect, it } from "vitest";
import {
  EMPTY_PROFILE_CONSENT,
  applyConsentUpdate,
  consentUpdateFromMessage,
  consentUpdateFromPortalLogin,
  foldConsentUpdates,
  profileConsentAllows,
  type ConsentUpdate,
} from "../../../worker/gate/consent/profile.ts";
import { PrivacyInputError } from "../../../worker/gate/privacy-input-error.ts";
import { consentUpdated, pageEvent } from "./consent-fixtures.ts";

const MONDAY = consentUpdated(
  { Advertising: true, Analytics: true, Functional: true, DataSharing: false },
  "2026-06-01T09:00:00.000Z",
  "m-monday",
);
const TUESDAY = consentUpdated({ Advertising: false }, "2026-06-02T09:00:00.000Z", "m-tuesday");

function update(message: Parameters<typeof consentUpdateFromMessage>[0]): ConsentUpdate {
  const found = consentUpdateFromMessage(message);
  if (!found) throw new Error("expected a consent update");
  return found;
}

describe("consentUpdateFromMessage", () => {
  it("reads Segment Consent Preference Updated", () => {
    expect(update(MONDAY)).toEqual({
      via: "event",
      at: "2026-06-01T09:00:00.000Z",
      messageId: "m-monday",
      preferences: { Advertising: true, Analytics: true, Functional: true, DataSharing: false },
    });
  });

  it("ignores every other message, even one carrying consent", () => {
    expect(consentUpdateFromMessage(pageEvent({ Advertising: true }))).toBeUndefined();
    expect(consentUpdateFromMessage({ ...MONDAY, event: "Order Completed" })).toBeUndefined();
  });

  it("refuses the consent event without categoryPreferences, with Segment's message", () => {
    expect(() =>
      consentUpdateFromMessage(consentUpdated(undefined, MONDAY.timestamp, "x")),
    ).toThrow("context.consent.categoryPreferences object is required");
  });

  it("refuses a non-boolean preference", () => {
    const bad = consentUpdated({ Advertising: "yes" }, MONDAY.timestamp, "x");
    expect(() => consentUpdateFromMessage(bad)).toThrow(PrivacyInputError);
  });
});

describe("consentUpdateFromPortalLogin", () => {
  it("turns what the guest ticked into a portal update", () => {
    expect(
      consentUpdateFromPortalLogin({
        loginId: "portal-login-91",
        at: "2026-06-03T18:30:00.000Z",
        preferences: { Advertising: true, Analytics: false },
      }),
    ).toEqual({
      via: "portal",
      at: "2026-06-03T18:30:00.000Z",
      messageId: "portal-login-91",
      preferences: { Advertising: true, Analytics: false },
    });
  });

  it.each([
    [
      "a ticked box sent as a string",
      { loginId: "l1", at: "2026-06-03T18:30:00Z", preferences: { Advertising: "on" } },
    ],
    ["no login id", { loginId: "", at: "2026-06-03T18:30:00Z", preferences: {} }],
    ["a bad time", { loginId: "l1", at: "18:30", preferences: {} }],
  ])("refuses %s", (_, login) => {
    expect(() => consentUpdateFromPortalLogin(login)).toThrow(PrivacyInputError);
  });
});

describe("profile consent reducer", () => {
  it("keeps the latest preference per category by event time", () => {
    const state = foldConsentUpdates([update(MONDAY), update(TUESDAY)]);
    expect(state.categories.Advertising).toMatchObject({ granted: false, messageId: "m-tuesday" });
    expect(state.categories.Analytics).toMatchObject({ granted: true, messageId: "m-monday" });
  });

  it("gives the same result whatever order updates arrive in", () => {
    const portal: ConsentUpdate = {
      via: "portal",
      at: "2026-06-01T12:00:00.000Z",
      messageId: "portal-login-77",
      preferences: { Advertising: true, DataSharing: true },
    };
    const tie: ConsentUpdate = {
      ...portal,
      via: "event",
      messageId: "portal-login-78",
      preferences: { DataSharing: false },
    };
    const all = [update(MONDAY), update(TUESDAY), portal, tie];
    const expected = foldConsentUpdates(all);
    const orders = [
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ];
    for (const order of orders) {
      expect(foldConsentUpdates(order.map((i) => all[i] as ConsentUpdate))).toEqual(expected);
    }
    expect(expected.categories.DataSharing).toMatchObject({
      granted: false,
      messageId: "portal-login-78",
    });
    expect(expected.categories.Advertising).toMatchObject({ granted: false, via: "event" });
  });

  it("lets a later portal login overrule an earlier event", () => {
    const portal: ConsentUpdate = {
      via: "portal",
      at: "2026-06-03T18:30:00.000Z",
      messageId: "portal-login-91",
      preferences: { Advertising: true },
    };
    const state = foldConsentUpdates([update(TUESDAY), portal]);
    expect(state.categories.Advertising).toEqual({
      granted: true,
      at: portal.at,
      messageId: portal.messageId,
      via: "portal",
    });
  });

  it("never mutates the state it is given", () => {
    const before = foldConsentUpdates([update(MONDAY)]);
    const snapshot = structuredClone(before);
    applyConsentUpdate(before, update(TUESDAY));
    expect(before).toEqual(snapshot);
  });

  it.each([
    ["a bad timestamp", { at: "last tuesday" }],
    ["an empty messageId", { messageId: "" }],
    ["a non-boolean", { preferences: { Advertising: 1 as unknown as boolean } }],
  ])("refuses an update with %s and changes nothing", (_, patch) => {
    const state = foldConsentUpdates([update(MONDAY)]);
    const bad = { ...update(TUESDAY), ...patch };
    expect(() => applyConsentUpdate(state, bad)).toThrow(PrivacyInputError);
    expect(state.categories.Advertising?.granted).toBe(true);
  });
});

describe("profileConsentAllows", () => {
  const state = foldConsentUpdates([update(MONDAY)]);

  it("allows when every mapped category is granted", () => {
    expect(profileConsentAllows(state, ["Advertising", "Analytics"])).toEqual({
      allowed: true,
      reason: "CONSENT_GRANTED",
    });
  });

  it("blocks on a refused or never-collected category (missing ⇒ false)", () => {
    expect(
      profileConsentAllows(state, ["Advertising", "DataSharing", "Personalization"]),
    ).toMatchObject({
      allowed: false,
      reason: "FILTERED_BY_END_USER_CONSENT",
      missingCategories: ["DataSharing", "Personalization"],
    });
    expect(profileConsentAllows(EMPTY_PROFILE_CONSENT, ["Analytics"]).allowed).toBe(false);
  });

  it("allows unmapped destinations", () => {
    expect(profileConsentAllows(EMPTY_PROFILE_CONSENT, []).reason).toBe("DESTINATION_NOT_MAPPED");
  });
});
