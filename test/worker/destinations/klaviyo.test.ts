import { describe, expect, it } from "vitest";
import {
  KLAVIYO_REVISION,
  klaviyoDestination,
  klaviyoSettingsSchema,
} from "../../../worker/destinations/klaviyo.ts";
import { bodyAt, identifyCall, json, orderCompleted, recordingContext } from "./recording-fetch.ts";

// https://developers.klaviyo.com/en/reference/create_event (POST /api/events, JSON:API, 202),
// https://developers.klaviyo.com/en/reference/create_or_update_profile (POST /api/profile-import),
// https://developers.klaviyo.com/en/reference/request_profile_deletion.
const settings = klaviyoSettingsSchema.parse({ privateApiKey: "pk_0123456789abcdef" });

function expectKlaviyoHeaders(headers: Record<string, string> | undefined) {
  expect(headers).toMatchObject({
    authorization: "Klaviyo-API-Key pk_0123456789abcdef",
    revision: KLAVIYO_REVISION,
    accept: "application/vnd.api+json",
    "content-type": "application/vnd.api+json",
  });
}

describe("klaviyo destination", () => {
  it("creates an event with its metric and profile", async () => {
    const { ctx, requests } = recordingContext([new Response(null, { status: 202 })]);
    expect(await klaviyoDestination.send(orderCompleted(), settings, ctx)).toEqual({
      status: "delivered",
      httpStatus: 202,
    });
    expect(requests[0]?.url).toBe("https://a.klaviyo.com/api/events");
    expectKlaviyoHeaders(requests[0]?.headers);
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      data: {
        type: "event",
        attributes: {
          properties: orderCompleted().properties,
          time: "2026-01-15T09:59:00.000Z",
          unique_id: "msg-0001",
          value: 25,
          value_currency: "EUR",
          metric: { data: { type: "metric", attributes: { name: "Order Completed" } } },
          profile: {
            data: {
              type: "profile",
              attributes: {
                email: " John_Smith@gmail.com ",
                phone_number: "+1 (650) 555-1212",
                external_id: "user-123",
                anonymous_id: "anon-456",
              },
            },
          },
        },
      },
    });
  });

  it("imports a profile on identify with custom properties apart", async () => {
    const { ctx, requests } = recordingContext([
      json({ data: { type: "profile", id: "01H" } }, 201),
    ]);
    expect((await klaviyoDestination.send(identifyCall(), settings, ctx)).status).toBe("delivered");
    expect(requests[0]?.url).toBe("https://a.klaviyo.com/api/profile-import");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      data: {
        type: "profile",
        attributes: {
          email: "guest@example.com",
          first_name: "Ada",
          last_name: "Lovelace",
          phone_number: "+33 6 12 34 56 78",
          external_id: "user-123",
          anonymous_id: "anon-456",
          properties: { plan: "gold" },
        },
      },
    });
  });

  it("maps errors: 400 fails, 429 retries after Retry-After", async () => {
    const invalid = json({ errors: [{ status: 400, code: "invalid", detail: "bad" }] }, 400);
    expect(
      (await klaviyoDestination.send(orderCompleted(), settings, recordingContext([invalid]).ctx))
        .status,
    ).toBe("failed");
    const throttled = json({ errors: [{ status: 429, code: "throttled" }] }, 429, {
      "retry-after": "12",
    });
    expect(
      await klaviyoDestination.send(orderCompleted(), settings, recordingContext([throttled]).ctx),
    ).toMatchObject({ status: "retry", retryAfter: 12 });
  });

  it("requests deletion by email (or phone), not by user id", async () => {
    const { ctx, requests } = recordingContext([new Response(null, { status: 202 })]);
    expect(
      (
        await klaviyoDestination.deleteUser?.(
          { userId: "u", email: "guest@example.com" },
          settings,
          ctx,
        )
      )?.status,
    ).toBe("delivered");
    expect(requests[0]?.url).toBe("https://a.klaviyo.com/api/data-privacy-deletion-jobs");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      data: {
        type: "data-privacy-deletion-job",
        attributes: {
          profile: { data: { type: "profile", attributes: { email: "guest@example.com" } } },
        },
      },
    });
    await klaviyoDestination.deleteUser?.({ phone: "+15005550006" }, settings, ctx);
    expect(bodyAt(requests[1], "data.attributes.profile.data.attributes")).toEqual({
      phone_number: "+15005550006",
    });
    expect((await klaviyoDestination.deleteUser?.({ userId: "u" }, settings, ctx))?.error).toMatch(
      /^MISSING_IDENTIFIER/,
    );
    expect(requests).toHaveLength(2);
  });

  // Screen calls and events without an identifier: the adapter contract (adapter-contract.test.ts).
  it("refuses bad keys", () => {
    for (const bad of [{ privateApiKey: "0123456789abcdef" }, { privateApiKey: "pk_short" }, {}]) {
      expect(klaviyoSettingsSchema.safeParse(bad).success).toBe(false);
    }
  });
});
