import { describe, expect, it } from "vitest";
import {
  amplitudeDestination,
  amplitudeSettingsSchema,
} from "../../../worker/destinations/amplitude.ts";
import { bodyAt, identifyCall, json, orderCompleted, recordingContext } from "./recording-fetch.ts";

// Request shapes: https://amplitude.com/docs/apis/analytics/http-v2 (POST /2/httpapi, JSON
// {api_key, events}), https://amplitude.com/docs/apis/analytics/identify (form api_key +
// identification), https://amplitude.com/docs/apis/analytics/user-privacy (POST /api/2/deletions/users).
const settings = amplitudeSettingsSchema.parse({ apiKey: "AMP_API_KEY", secretKey: "AMP_SECRET" });
const ingested = json({
  code: 200,
  events_ingested: 1,
  payload_size_bytes: 300,
  server_upload_time: 1768471200000,
});

describe("amplitude destination", () => {
  it("sends a track call to the HTTP V2 API", async () => {
    const { ctx, requests } = recordingContext([ingested]);
    expect(await amplitudeDestination.send(orderCompleted(), settings, ctx)).toEqual({
      status: "delivered",
      httpStatus: 200,
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe("https://api2.amplitude.com/2/httpapi");
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      api_key: "AMP_API_KEY",
      events: [
        {
          event_type: "Order Completed",
          time: Date.parse("2026-01-15T09:59:00.000Z"),
          insert_id: "msg-0001",
          user_id: "user-123",
          device_id: "anon-456",
          ip: "203.0.113.7",
          revenue: 25,
          library: "analytics.js",
          event_properties: orderCompleted().properties,
        },
      ],
    });
  });

  it("uses the EU host and names page views the way Segment does", async () => {
    const { ctx, requests } = recordingContext([ingested]);
    const eu = amplitudeSettingsSchema.parse({ apiKey: "k", region: "eu" });
    await amplitudeDestination.send(
      orderCompleted({ type: "page", event: undefined, name: "Menu" }),
      eu,
      ctx,
    );
    expect(requests[0]?.url).toBe("https://api.eu.amplitude.com/2/httpapi");
    expect(bodyAt(requests[0], "events.0.event_type")).toBe("Viewed Menu Page");
  });

  it("sends identify to the Identify API as a form", async () => {
    const { ctx, requests } = recordingContext([new Response("success")]);
    expect((await amplitudeDestination.send(identifyCall(), settings, ctx)).status).toBe(
      "delivered",
    );
    expect(requests[0]?.url).toBe("https://api2.amplitude.com/identify");
    expect(requests[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(requests[0]?.body);
    expect(form.get("api_key")).toBe("AMP_API_KEY");
    expect(JSON.parse(form.get("identification") ?? "")).toEqual([
      {
        user_id: "user-123",
        device_id: "anon-456",
        user_properties: { $set: identifyCall().traits },
      },
    ]);
  });

  it("a 200 that does not confirm ingestion is a failure, not a delivery", async () => {
    const { ctx } = recordingContext([json({ code: 200, events_ingested: 0 })]);
    expect(await amplitudeDestination.send(orderCompleted(), settings, ctx)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^AMPLITUDE_NOT_INGESTED/) as string,
    });
  });

  it("400 invalid fields fail, 429 throttling retries with Retry-After", async () => {
    const invalid = json(
      { code: 400, error: "Request missing required field", missing_field: "api_key" },
      400,
    );
    expect(
      (await amplitudeDestination.send(orderCompleted(), settings, recordingContext([invalid]).ctx))
        .status,
    ).toBe("failed");
    const throttled = json({ code: 429, error: "Too many requests for some devices" }, 429, {
      "retry-after": "30",
    });
    expect(
      await amplitudeDestination.send(
        orderCompleted(),
        settings,
        recordingContext([throttled]).ctx,
      ),
    ).toMatchObject({
      status: "retry",
      httpStatus: 429,
      retryAfter: 30,
    });
  });

  it("deletes a user through the User Privacy API with Basic auth", async () => {
    const { ctx, requests } = recordingContext([json({ day: "2026-01-16", amplitude_ids: [] })]);
    expect(
      (await amplitudeDestination.deleteUser?.({ userId: "user-123" }, settings, ctx))?.status,
    ).toBe("delivered");
    expect(requests[0]?.url).toBe("https://amplitude.com/api/2/deletions/users");
    expect(requests[0]?.headers.authorization).toBe(`Basic ${btoa("AMP_API_KEY:AMP_SECRET")}`);
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      user_ids: ["user-123"],
      requester: "foyer",
      ignore_invalid_id: "True",
    });
    const noSecret = amplitudeSettingsSchema.parse({ apiKey: "k" });
    expect(
      (await amplitudeDestination.deleteUser?.({ userId: "u" }, noSecret, ctx))?.error,
    ).toMatch(/^INVALID_SETTINGS/);
    expect(
      (await amplitudeDestination.deleteUser?.({ email: "a@b.c" }, settings, ctx))?.error,
    ).toMatch(/^MISSING_IDENTIFIER/);
    expect(requests).toHaveLength(1);
  });

  it("rejects bad settings", () => {
    for (const bad of [
      {},
      { apiKey: "" },
      { apiKey: "k", region: "apac" },
      { apiKey: "k", other: 1 },
    ]) {
      expect(amplitudeSettingsSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("sends a batch in one HTTP V2 request and settles each event by Amplitude's answer", async () => {
    const events = ["b-1", "b-2", "b-3"].map((messageId) => orderCompleted({ messageId }));
    const ok = recordingContext([json({ code: 200, events_ingested: 3 })]);
    expect(await amplitudeDestination.sendBatch!(events, settings, ok.ctx)).toEqual(
      events.map(() => ({ status: "delivered", httpStatus: 200 })),
    );
    expect(ok.requests).toHaveLength(1);
    const sent = JSON.parse(ok.requests[0]!.body) as { events: { insert_id: string }[] };
    expect(sent.events.map((e) => e.insert_id)).toEqual(["b-1", "b-2", "b-3"]);
    expect(amplitudeDestination.batchSize!(settings)).toBe(1_000);

    // A 400 naming rejected events fails those; nothing was ingested, so the rest go again.
    const partial = recordingContext([
      json(
        {
          code: 400,
          error: "Invalid field values on some events",
          events_with_invalid_fields: { time: [1] },
          events_with_missing_fields: { event_type: [5, "x"] },
        },
        400,
      ),
    ]);
    const results = await amplitudeDestination.sendBatch!(events, settings, partial.ctx);
    expect(results.map((r) => r.status)).toEqual(["retry", "failed", "retry"]);
    expect(results[1]?.error).toBe("AMPLITUDE_EVENT_REJECTED: events_with_invalid_fields: time");

    // A 200 that ingested fewer than were sent is not a delivery for any of them.
    const short = recordingContext([json({ code: 200, events_ingested: 2 })]);
    const shorted = await amplitudeDestination.sendBatch!(events, settings, short.ctx);
    expect(
      shorted.every((r) => r.status === "failed" && /AMPLITUDE_NOT_INGESTED/.test(r.error!)),
    ).toBe(true);
  });

  it("sends a batch's identifies in one Identify API request and refuses calls it cannot key", async () => {
    const { ctx, requests } = recordingContext([json({ code: 200, events_ingested: 1 })]);
    const results = await amplitudeDestination.sendBatch!(
      [
        identifyCall({ messageId: "i-1", userId: "u-1" }),
        orderCompleted({ messageId: "t-1", userId: undefined, anonymousId: undefined }),
        identifyCall({ messageId: "i-2", userId: "u-2" }),
      ],
      settings,
      ctx,
    );
    expect(results.map((r) => r.status)).toEqual(["delivered", "failed", "delivered"]);
    expect(results[1]?.error).toMatch(/^MISSING_IDENTIFIER/);
    // Both identifies in one Identify API request.
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(["/identify"]);
    const form = new URLSearchParams(requests[0]!.body);
    const identification = JSON.parse(form.get("identification")!) as { user_id: string }[];
    expect(identification.map((i) => i.user_id)).toEqual(["u-1", "u-2"]);
  });
});
