import { describe, expect, it } from "vitest";
import {
  metaConversionsDestination,
  metaSettingsSchema,
  normalizeEmailForMeta,
  normalizePhoneForMeta,
} from "../../../worker/destinations/meta-conversions.ts";
import { sha256Hex } from "../../../worker/platform/digest.ts";
import { bodyAt, json, orderCompleted, recordingContext } from "./recording-fetch.ts";

// https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api (POST
// /{version}/{pixel}/events?access_token=…, body {data:[server events]}) and the customer
// information parameters page, whose worked examples are the fixtures below.
const META_EMAIL_EXAMPLE = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"; // john_smith@gmail.com
const META_PHONE_EXAMPLE = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"; // 16505551212
const settings = metaSettingsSchema.parse({
  pixelId: "1234567890",
  accessToken: "EAAB token",
  testEventCode: "TEST123",
});

describe("Meta normalization (customer information parameters)", () => {
  it("matches Meta's documented examples", async () => {
    expect(normalizeEmailForMeta("  John_Smith@gmail.com ")).toBe("john_smith@gmail.com");
    expect(await sha256Hex(normalizeEmailForMeta("John_Smith@gmail.com"))).toBe(META_EMAIL_EXAMPLE);
    expect(normalizePhoneForMeta("+1 (650) 555-1212")).toBe("16505551212");
    expect(await sha256Hex("16505551212")).toBe(META_PHONE_EXAMPLE);
  });

  it("strips symbols and leading zeros, adds a default calling code only to national numbers", () => {
    expect(normalizePhoneForMeta("0033 6 12 34 56 78")).toBe("33612345678");
    expect(normalizePhoneForMeta("06 12 34 56 78", "33")).toBe("33612345678");
    expect(normalizePhoneForMeta("+44 20 7946 0958", "33")).toBe("442079460958");
    expect(normalizePhoneForMeta("tel: (650) 555-1212", "1")).toBe("16505551212");
    expect(normalizePhoneForMeta("n/a")).toBeUndefined();
    expect(normalizePhoneForMeta("000")).toBeUndefined();
  });
});

describe("meta conversions destination", () => {
  it("sends a Purchase with hashed em/ph/external_id and never the raw values", async () => {
    const { ctx, requests } = recordingContext([
      json({ events_received: 1, messages: [], fbtrace_id: "A1" }),
    ]);
    expect(await metaConversionsDestination.send(orderCompleted(), settings, ctx)).toEqual({
      status: "delivered",
      httpStatus: 200,
    });
    expect(requests[0]?.url).toBe(
      "https://graph.facebook.com/v21.0/1234567890/events?access_token=EAAB%20token",
    );
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      data: [
        {
          event_name: "Purchase",
          event_time: Date.parse("2026-01-15T09:59:00.000Z") / 1000,
          event_id: "msg-0001",
          action_source: "website",
          event_source_url: "https://foyer.example/checkout",
          user_data: {
            em: [META_EMAIL_EXAMPLE],
            ph: [META_PHONE_EXAMPLE],
            external_id: [await sha256Hex("user-123")],
            client_ip_address: "203.0.113.7",
            client_user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
          },
          custom_data: {
            value: 25,
            currency: "EUR",
            order_id: "50314b8e",
            content_ids: ["507f1f77"],
            contents: [{ id: "507f1f77", quantity: 1 }],
            num_items: 1,
            content_type: "product",
          },
        },
      ],
      test_event_code: "TEST123",
    });
    expect(requests[0]?.body).not.toMatch(/John_Smith|john_smith|650/);
  });

  it("does not hash an already hashed email twice", async () => {
    const { ctx, requests } = recordingContext([json({ events_received: 1 })]);
    await metaConversionsDestination.send(
      orderCompleted({ context: { traits: { email: META_EMAIL_EXAMPLE } } }),
      settings,
      ctx,
    );
    expect(bodyAt(requests[0], "data.0.user_data.em")).toEqual([META_EMAIL_EXAMPLE]);
  });

  it("fails a 200 that did not receive the event (silent failure guard)", async () => {
    const { ctx } = recordingContext([json({ events_received: 0, messages: ["dropped"] })]);
    expect(await metaConversionsDestination.send(orderCompleted(), settings, ctx)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^META_NOT_RECEIVED/) as string,
    });
    const invalid = json(
      { error: { message: "Invalid parameter", type: "OAuthException", code: 100 } },
      400,
    );
    expect(
      (
        await metaConversionsDestination.send(
          orderCompleted(),
          settings,
          recordingContext([invalid]).ctx,
        )
      ).status,
    ).toBe("failed");
  });

  it("refuses events with nothing to match on, identify calls, and bad settings", async () => {
    const { ctx, requests } = recordingContext([json({ events_received: 1 })]);
    const anonymous = orderCompleted({ userId: undefined, context: { ip: "203.0.113.7" } });
    expect((await metaConversionsDestination.send(anonymous, settings, ctx)).error).toMatch(
      /no customer information/,
    );
    expect(
      (await metaConversionsDestination.send(orderCompleted({ type: "identify" }), settings, ctx))
        .error,
    ).toMatch(/^UNSUPPORTED_EVENT_TYPE/);
    expect(requests).toHaveLength(0);
    expect("deleteUser" in metaConversionsDestination).toBe(false);
    for (const bad of [
      { pixelId: "abc", accessToken: "t" },
      { pixelId: "1234567890" },
      { pixelId: "1234567890", accessToken: "t", apiVersion: "21" },
      { pixelId: "1234567890", accessToken: "t", defaultCallingCode: "+33" },
    ]) {
      expect(metaSettingsSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe("Meta batches", () => {
  it("sends a batch as one request whose answer is every event's, refusing unmatchable ones first", async () => {
    const events = [
      orderCompleted({ messageId: "m-1" }),
      orderCompleted({ messageId: "m-2" }),
      { ...orderCompleted({ messageId: "m-3" }), type: "identify" as const },
    ];
    const ok = recordingContext([json({ events_received: 2, fbtrace_id: "x" })]);
    const results = await metaConversionsDestination.sendBatch!(events, settings, ok.ctx);
    expect(results.map((r) => r.status)).toEqual(["delivered", "delivered", "failed"]);
    expect(results[2]?.error).toMatch(/^UNSUPPORTED_EVENT_TYPE/);
    expect(ok.requests).toHaveLength(1);
    const body = JSON.parse(ok.requests[0]!.body) as { data: { event_id: string }[] };
    expect(body.data.map((e) => e.event_id)).toEqual(["m-1", "m-2"]);
    expect(metaConversionsDestination.batchSize!(settings)).toBe(1_000);

    // Meta rejects a batch whole; a 200 that received fewer than were sent delivers none.
    const short = recordingContext([json({ events_received: 1 })]);
    const shorted = await metaConversionsDestination.sendBatch!(
      events.slice(0, 2),
      settings,
      short.ctx,
    );
    expect(shorted.every((r) => r.status === "failed" && /META_NOT_RECEIVED/.test(r.error!))).toBe(
      true,
    );
  });
});
