import { describe, expect, it } from "vitest";
import {
  ga4Destination,
  ga4SettingsSchema,
  toGa4Payload,
} from "../../../worker/destinations/ga4.ts";
import { identifyCall, orderCompleted, recordingContext } from "./recording-fetch.ts";

// https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events:
// POST /mp/collect?measurement_id=…&api_secret=…, body {client_id, user_id?, timestamp_micros, events:[{name, params}]}.
const settings = ga4SettingsSchema.parse({ measurementId: "G-TEST123", apiSecret: "SECRET" });

describe("ga4 destination", () => {
  it("sends Order Completed as the recommended purchase event", async () => {
    const { ctx, requests } = recordingContext([new Response(null, { status: 204 })]);
    expect(await ga4Destination.send(orderCompleted(), settings, ctx)).toEqual({
      status: "delivered",
      httpStatus: 204,
    });
    expect(requests[0]?.url).toBe(
      "https://www.google-analytics.com/mp/collect?measurement_id=G-TEST123&api_secret=SECRET",
    );
    expect(requests[0]?.method).toBe("POST");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      client_id: "anon-456",
      user_id: "user-123",
      timestamp_micros: Date.parse("2026-01-15T09:59:00.000Z") * 1000,
      events: [
        {
          name: "purchase",
          params: {
            order_id: "50314b8e",
            total: 27.5,
            revenue: 25,
            currency: "EUR",
            engagement_time_msec: 1,
            value: 25,
            transaction_id: "50314b8e",
            items: [{ item_id: "507f1f77", item_name: "Brunch for two", price: 25, quantity: 1 }],
          },
        },
      ],
    });
  });

  it("turns custom names into GA4-safe names and pages into page_view", () => {
    const custom = toGa4Payload(
      orderCompleted({
        event: "WiFi Login Completed",
        properties: { venue: "lyon-1", nested: { a: 1 } },
      }),
    );
    expect(typeof custom !== "string" && custom.events).toEqual([
      { name: "WiFi_Login_Completed", params: { venue: "lyon-1", engagement_time_msec: 1 } },
    ]);
    const page = toGa4Payload(
      orderCompleted({
        type: "page",
        event: undefined,
        properties: {},
        context: { page: { url: "https://x.example/", title: "X" } },
      }),
    );
    expect(typeof page !== "string" && page.events).toEqual([
      {
        name: "page_view",
        params: { engagement_time_msec: 1, page_location: "https://x.example/", page_title: "X" },
      },
    ]);
  });

  it("refuses what GA4 would silently drop, without sending", async () => {
    const { ctx, requests } = recordingContext([new Response(null, { status: 204 })]);
    const cases = [
      orderCompleted({ event: "session_start" }),
      orderCompleted({ event: "firebase_thing" }),
      orderCompleted({ event: "_private" }),
      orderCompleted({ event: "9 lives" }),
      orderCompleted({
        properties: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, i])),
      }),
      identifyCall(),
    ];
    for (const event of cases)
      expect((await ga4Destination.send(event, settings, ctx)).error).toMatch(
        /^UNSUPPORTED_EVENT_TYPE/,
      );
    expect(requests).toHaveLength(0);
  });

  it("has no deletion (needs OAuth) and rejects bad settings", () => {
    expect("deleteUser" in ga4Destination).toBe(false);
    for (const bad of [
      { measurementId: "UA-1234-1", apiSecret: "s" },
      { measurementId: "G-TEST123" },
      { measurementId: "G-TEST123", apiSecret: "" },
    ]) {
      expect(ga4SettingsSchema.safeParse(bad).success).toBe(false);
    }
  });
});
