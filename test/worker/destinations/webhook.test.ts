import { describe, expect, it } from "vitest";
import {
  signWebhookBody,
  verifyWebhookSignature,
  webhookDestination,
  webhookSettingsSchema,
} from "../../../worker/destinations/webhook.ts";
import {
  CONNECTION_RESET,
  HANG,
  json,
  orderCompleted,
  recordingContext,
  type Answer,
} from "./recording-fetch.ts";

const settings = webhookSettingsSchema.parse({
  url: "https://hooks.example.com/foyer",
  secret: "whsec_0123456789abcdef",
  headers: { "x-tenant": "acme" },
});
const NOW = Date.parse("2026-01-15T10:00:00Z");

describe("webhook destination", () => {
  it("POSTs the whole event as JSON with a timestamped HMAC-SHA256 signature", async () => {
    const { ctx, requests } = recordingContext([new Response("ok")], NOW);
    const event = orderCompleted();
    expect(await webhookDestination.send(event, settings, ctx)).toEqual({
      status: "delivered",
      httpStatus: 200,
    });
    const [request] = requests;
    expect(request?.url).toBe("https://hooks.example.com/foyer");
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-tenant"]).toBe("acme");
    expect(JSON.parse(request?.body ?? "")).toEqual(event);
    const t = NOW / 1000;
    expect(request?.headers["x-foyer-signature"]).toBe(
      await signWebhookBody(settings.secret, t, request?.body ?? ""),
    );
    expect(request?.headers["x-foyer-signature"]).toMatch(new RegExp(`^t=${t},v1=[0-9a-f]{64}$`));
    expect(
      await verifyWebhookSignature(
        settings.secret,
        request?.headers["x-foyer-signature"] ?? null,
        request?.body ?? "",
        NOW,
      ),
    ).toEqual({
      ok: true,
    });
  });

  it("matches an independently computed HMAC (Python hmac.new(secret, b't.body', sha256))", async () => {
    const header = await signWebhookBody(settings.secret, 1768471200, '{"type":"track"}');
    expect(header).toBe(
      "t=1768471200,v1=e0083b17418c181acb6b197528e3a1322426ec7a93c8955baecae9eb53842f79",
    );
  });

  it("receivers refuse forged, tampered, stale and malformed signatures", async () => {
    const body = JSON.stringify(orderCompleted());
    const header = await signWebhookBody(settings.secret, NOW / 1000, body);
    expect(await verifyWebhookSignature("another-secret-123456", header, body, NOW)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(
      await verifyWebhookSignature(settings.secret, header, body.replace("27.5", "0.5"), NOW),
    ).toEqual({ ok: false, reason: "mismatch" });
    expect(await verifyWebhookSignature(settings.secret, header, body, NOW + 301_000)).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(await verifyWebhookSignature(settings.secret, header, body, NOW - 301_000)).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(await verifyWebhookSignature(settings.secret, header, body, NOW + 299_000)).toEqual({
      ok: true,
    });
    for (const bad of [
      null,
      "",
      "v1=abc",
      `t=x,v1=${"a".repeat(64)}`,
      `t=1,v1=${"A".repeat(64)}`,
      header + ",v0=1",
    ]) {
      expect(await verifyWebhookSignature(settings.secret, bad, body, NOW)).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
  });

  it("maps the receiver's answers: 5xx/429 retry (with Retry-After), other 4xx fail, network errors retry", async () => {
    const cases: Array<[Answer, object]> = [
      [json({ error: "down" }, 503), { status: "retry", httpStatus: 503 }],
      [
        new Response("slow down", { status: 429, headers: { "retry-after": "30" } }),
        { status: "retry", httpStatus: 429, retryAfter: 30 },
      ],
      [
        new Response("nope", { status: 400 }),
        { status: "failed", httpStatus: 400, error: "HTTP 400: nope" },
      ],
      [new Response("gone", { status: 410 }), { status: "failed", httpStatus: 410 }],
      [CONNECTION_RESET, { status: "retry", httpStatus: null }],
      [HANG, { status: "retry", httpStatus: null }],
    ];
    for (const [answer, expected] of cases) {
      const { ctx } = recordingContext([answer], NOW);
      expect(await webhookDestination.send(orderCompleted(), settings, ctx)).toMatchObject(
        expected,
      );
    }
    const reset = await webhookDestination.send(
      orderCompleted(),
      settings,
      recordingContext([CONNECTION_RESET], NOW).ctx,
    );
    expect(reset.error).toMatch(/^ENETWORK: /);
    const hung = await webhookDestination.send(
      orderCompleted(),
      settings,
      recordingContext([HANG], NOW).ctx,
    );
    expect(hung.error).toMatch(/^ETIMEDOUT/);
  });

  it("sends a mapped body when the destination has a mapping", async () => {
    const mapped = webhookSettingsSchema.parse({
      url: settings.url,
      secret: settings.secret,
      mapping: {
        id: { "@path": "$.messageId" },
        text: { "@template": "{{event}} by {{userId}}" },
        coupon: { "@path": "$.properties.coupon" },
      },
    });
    const { ctx, requests } = recordingContext([new Response("ok")], NOW);
    await webhookDestination.send(orderCompleted(), mapped, ctx);
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({
      id: "msg-0001",
      text: "Order Completed by user-123",
    });
    expect(
      await verifyWebhookSignature(
        settings.secret,
        requests[0]?.headers["x-foyer-signature"] ?? null,
        requests[0]?.body ?? "",
        NOW,
      ),
    ).toEqual({ ok: true });
    const bad = webhookSettingsSchema.safeParse({
      url: settings.url,
      secret: settings.secret,
      mapping: { a: { "@liquid": "x" } },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/mapping a.@liquid: unknown directive/);
  });

  it("rejects bad settings", () => {
    const bad = [
      { url: "ftp://x.example", secret: settings.secret },
      { url: "not a url", secret: settings.secret },
      { url: settings.url, secret: "short" },
      { url: settings.url, secret: settings.secret, headers: { "X-Foyer-Signature": "forged" } },
      { url: settings.url, secret: settings.secret, headers: { "bad header": "x" } },
      { url: settings.url, secret: settings.secret, extra: true },
    ];
    for (const input of bad) expect(webhookSettingsSchema.safeParse(input).success).toBe(false);
  });
});
