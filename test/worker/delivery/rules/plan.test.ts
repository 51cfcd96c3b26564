import { describe, expect, it } from "vitest";
import { DESTINATIONS, destinationAdapter } from "../../../../worker/destinations/catalog.ts";
import {
  consentAllows,
  integrationsAllow,
  planDelivery,
  type DestinationRoute,
} from "../../../../worker/delivery/rules/plan.ts";
import { orderCompleted } from "../../destinations/recording-fetch.ts";

const route: DestinationRoute = {
  integrationName: "Amplitude",
  consentCategories: ["analytics"],
  filters: [],
  subscription: 'type = "track" and event = "Order Completed"',
};

function withConsent(preferences: unknown) {
  return orderCompleted({
    context: {
      ...orderCompleted().context,
      consent: { categoryPreferences: preferences as never },
    },
  });
}

describe("consentAllows (Segment consent-management rules)", () => {
  it("enforces only when a consent object is present", () => {
    expect(consentAllows(orderCompleted(), ["analytics"])).toBe(true);
    expect(consentAllows(withConsent({ analytics: true }), ["analytics"])).toBe(true);
    expect(consentAllows(withConsent({ analytics: false }), ["analytics"])).toBe(false);
    expect(consentAllows(withConsent({}), ["analytics"])).toBe(false);
    expect(consentAllows(withConsent({ analytics: true, ads: false }), ["analytics", "ads"])).toBe(
      false,
    );
    expect(consentAllows(withConsent({ analytics: "yes" }), ["analytics"])).toBe(false);
    expect(consentAllows(withConsent("all"), ["analytics"])).toBe(false);
    expect(consentAllows(withConsent({}), [])).toBe(true);
  });
});

describe("integrationsAllow (common.md §Integrations)", () => {
  it("honours All and per-destination switches", () => {
    expect(integrationsAllow({}, "Amplitude")).toBe(true);
    expect(integrationsAllow({ All: false }, "Amplitude")).toBe(false);
    expect(integrationsAllow({ All: false, Amplitude: true }, "Amplitude")).toBe(true);
    expect(integrationsAllow({ Amplitude: false }, "Amplitude")).toBe(false);
    expect(integrationsAllow({ Amplitude: { apiKey: "x" } }, "Amplitude")).toBe(true);
  });
});

describe("planDelivery", () => {
  it("delivers a matching, consented event", () => {
    expect(planDelivery(withConsent({ analytics: true }), route)).toEqual({
      deliver: true,
      event: withConsent({ analytics: true }),
    });
  });

  it("says why it refuses, in Segment's order", () => {
    const denied = { ...withConsent({ analytics: false }), integrations: { All: false } };
    expect(planDelivery(denied, route)).toEqual({
      deliver: false,
      reason: "FILTERED_BY_END_USER_CONSENT",
    });
    expect(
      planDelivery({ ...orderCompleted(), integrations: { Amplitude: false } }, route),
    ).toEqual({
      deliver: false,
      reason: "FILTERED_BY_INTEGRATIONS_OBJECT",
    });
    const dropping = {
      ...route,
      filters: [
        { id: "f", title: "t", enabled: true, if: "all", actions: [{ type: "drop" as const }] },
      ],
    };
    expect(planDelivery(orderCompleted(), dropping)).toEqual({
      deliver: false,
      reason: "FILTERED_BY_RULES",
      detail: "f: dropped",
    });
    expect(planDelivery(orderCompleted({ event: "Order Refunded" }), route)).toEqual({
      deliver: false,
      reason: "NO_MATCHING_MAPPING",
    });
    expect(
      planDelivery(orderCompleted(), { ...route, subscription: 'type = "track" and' }),
    ).toEqual({
      deliver: false,
      reason: "NO_MATCHING_MAPPING",
    });
  });

  it("sends the filtered copy", () => {
    const trimming = {
      ...route,
      filters: [
        {
          id: "f",
          title: "t",
          enabled: true,
          if: "all",
          actions: [{ type: "drop_properties" as const, fields: { context: ["ip"] } }],
        },
      ],
    };
    const plan = planDelivery(orderCompleted(), trimming);
    expect(plan.deliver && plan.event.context).not.toHaveProperty("ip");
  });
});

describe("catalog", () => {
  it("lists every shipped destination under its own slug, each with a settings schema", () => {
    expect(Object.keys(DESTINATIONS).sort()).toEqual([
      "amplitude",
      "braze",
      "ga4",
      "klaviyo",
      "meta-conversions",
      "mixpanel",
      "webhook",
    ]);
    for (const [slug, adapter] of Object.entries(DESTINATIONS)) {
      expect(adapter.name).toBe(slug);
      expect(destinationAdapter(slug)).toBe(adapter);
      expect(adapter.settingsSchema.safeParse({}).success).toBe(false);
    }
    expect(destinationAdapter("segment")).toBeUndefined();
    expect(destinationAdapter("constructor")).toBeUndefined();
  });
});
