// Destinations end to end inside workerd: configured through the admin API, fed by the Tracking
// API through the ingest Queue, identity, the delivery Queue and the destination's Durable Object,
// received by a receiver that records the exact request.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../../worker/platform/digest.ts";
import { verifyWebhookSignature } from "../../../worker/destinations/webhook.ts";
import { ADMIN, admin, call, eventually, newSource, track } from "../support.ts";
import { overviewOf, webhookDestination, WEBHOOK_SECRET } from "./destination-setup.ts";
import { Receiver } from "./receiver.ts";

let receiver: Receiver;
beforeEach(() => {
  receiver = new Receiver().start();
});
afterEach(() => receiver.stop());

function arrived(path: string, n: number) {
  return eventually(async () => {
    const requests = await receiver.at(path);
    return requests.length >= n ? requests : undefined;
  });
}

function settled(spaceId: string, dst: string, n: number) {
  return eventually(async () => {
    const o = await overviewOf(spaceId, dst);
    return o.delivered + o.filtered.total + o.failed >= n ? o : undefined;
  });
}

describe("destination delivery through the pipeline", () => {
  it("delivers a tracked event, signed, with the destination's PII policy applied", async () => {
    const { spaceId, writeKey } = await newSource();
    const dst = await webhookDestination(spaceId, "/hook");
    const res = await track(writeKey, "/v1/identify", {
      userId: "u-1",
      messageId: "m-identify-1",
      traits: { email: " Guest@Example.com ", plan: "gold" },
    });
    expect(res.status).toBe(200);
    const [request] = await arrived("/hook", 1);
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    const check = await verifyWebhookSignature(
      WEBHOOK_SECRET,
      request?.headers["x-foyer-signature"] ?? null,
      request?.body ?? "",
      Date.now(),
    );
    expect(check).toEqual({ ok: true });
    const body = JSON.parse(request?.body ?? "{}") as Record<string, Record<string, unknown>>;
    expect(body).toMatchObject({ type: "identify", userId: "u-1", messageId: "m-identify-1" });
    // Default destination policy: PII hashed (SHA-256 of the trimmed lower-case email).
    expect(body.traits?.email).toBe(await sha256Hex("guest@example.com"));
    expect(body.traits?.plan).toBe("gold");
    const overview = await settled(spaceId, dst, 1);
    expect(overview).toMatchObject({ received: 1, delivered: 1, failed: 0, retrying: 0 });
    expect(overview.latencyMs.p95).toBeGreaterThanOrEqual(0);
  });

  it("a destination allowed raw PII receives the email as sent", async () => {
    const { spaceId, writeKey } = await newSource();
    await webhookDestination(spaceId, "/raw", { pii: { default: "raw" } });
    await track(writeKey, "/v1/identify", { userId: "u-2", traits: { email: "raw@example.com" } });
    const [request] = await arrived("/raw", 1);
    const body = JSON.parse(request?.body ?? "{}") as { traits: { email: string } };
    expect(body.traits.email).toBe("raw@example.com");
  });

  it("filters by consent, subscription and destination filter, and says why", async () => {
    const { spaceId, writeKey } = await newSource();
    const dst = await webhookDestination(spaceId, "/filtered", {
      consentCategories: ["marketing"],
      subscription: 'type = "track"',
      filters: [
        {
          id: "no-tests",
          title: "Drop test events",
          enabled: true,
          if: 'event = "Test Event"',
          actions: [{ type: "drop" }],
        },
      ],
    });
    const consent = (marketing: boolean) => ({ consent: { categoryPreferences: { marketing } } });
    await track(writeKey, "/v1/batch", {
      batch: [
        {
          type: "track",
          event: "Order Completed",
          userId: "u",
          messageId: "ok",
          context: consent(true),
        },
        {
          type: "track",
          event: "Order Completed",
          userId: "u",
          messageId: "no-consent",
          context: consent(false),
        },
        { type: "identify", userId: "u", messageId: "not-subscribed", context: consent(true) },
        {
          type: "track",
          event: "Test Event",
          userId: "u",
          messageId: "dropped",
          context: consent(true),
        },
      ],
    });
    const overview = await settled(spaceId, dst, 4);
    expect(overview).toMatchObject({
      received: 4,
      delivered: 1,
      filtered: {
        total: 3,
        byReason: {
          FILTERED_BY_END_USER_CONSENT: 1,
          NO_MATCHING_MAPPING: 1,
          FILTERED_BY_RULES: 1,
        },
        byGroup: { consent: 1, subscription: 1, filter: 1 },
      },
    });
    expect(
      (await receiver.at("/filtered")).map(
        (r) => (JSON.parse(r.body) as { messageId: string }).messageId,
      ),
    ).toEqual(["ok"]);
    const { event } = await admin<{ event: { status: string; reason: string } }>(
      "GET",
      `/spaces/${spaceId}/destinations/${dst}/events/no-consent`,
    );
    expect(event).toMatchObject({ status: "filtered", reason: "FILTERED_BY_END_USER_CONSENT" });
  });

  it("a disabled destination receives nothing; other destinations still do", async () => {
    const { spaceId, writeKey } = await newSource();
    const off = await webhookDestination(spaceId, "/off", { enabled: false });
    const on = await webhookDestination(spaceId, "/on");
    await track(writeKey, "/v1/track", { userId: "u", event: "Signed Up", messageId: "m-on" });
    await arrived("/on", 1);
    await settled(spaceId, on, 1);
    // Nothing was handed to the disabled one (so nothing can still be on its way to /off).
    expect((await overviewOf(spaceId, off)).received).toBe(0);
    expect(await receiver.at("/off")).toHaveLength(0);
  });
});

describe("destination admin API", () => {
  async function post(spaceId: string, body: unknown) {
    return call(`/admin/v1/spaces/${spaceId}/destinations`, {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  it.each([
    [{ slug: "nope", name: "X", settings: {} }, "slug"],
    [
      { slug: "webhook", name: "W", settings: { url: "ftp://x", secret: "0123456789abcdef" } },
      "settings.url",
    ],
    [
      { slug: "webhook", name: "W", settings: { url: "https://x.test", secret: "short" } },
      "settings.secret",
    ],
    [
      {
        slug: "webhook",
        name: "W",
        settings: { url: "https://x.test", secret: "0123456789abcdef" },
        subscription: 'type = "track" and',
      },
      "subscription",
    ],
    [
      {
        slug: "webhook",
        name: "W",
        settings: { url: "https://x.test", secret: "0123456789abcdef" },
        filters: [
          { id: "f", title: "f", enabled: true, if: "event = ", actions: [{ type: "drop" }] },
        ],
      },
      "filters.0.if",
    ],
    [
      {
        slug: "webhook",
        name: "W",
        settings: { url: "https://x.test", secret: "0123456789abcdef" },
        pii: { classes: { email: "shown" } },
      },
      "pii.classes.email",
    ],
    [
      {
        slug: "webhook",
        name: "W",
        settings: { url: "https://x.test", secret: "0123456789abcdef" },
        consentCategories: ["9lives"],
      },
      "consentCategories.0",
    ],
  ])("refuses %j naming field %s, and stores nothing", async (body, field) => {
    const { spaceId } = await newSource();
    const res = await post(spaceId, body);
    expect(res.status).toBe(400);
    const error = (await res.json<{ error: { field: string } }>()).error;
    expect(error.field).toBe(field);
    const { destinations } = await admin<{ destinations: unknown[] }>(
      "GET",
      `/spaces/${spaceId}/destinations`,
    );
    expect(destinations).toEqual([]);
  });

  it("creates, reads (secrets redacted), versions, and deletes a destination", async () => {
    const { spaceId } = await newSource();
    const id = await webhookDestination(spaceId, "/crud");
    const { destination } = await admin<{ destination: Record<string, unknown> }>(
      "GET",
      `/spaces/${spaceId}/destinations/${id}`,
    );
    expect(destination).toMatchObject({ id, version: 1, settings: { secret: "[redacted]" } });
    const updated = await admin<{ destination: { version: number; enabled: boolean } }>(
      "PUT",
      `/spaces/${spaceId}/destinations/${id}`,
      {
        slug: "webhook",
        name: "Webhook",
        enabled: false,
        settings: { url: "https://receiver.test/crud", secret: WEBHOOK_SECRET },
      },
    );
    expect(updated.destination).toMatchObject({ version: 2, enabled: false });
    const other = await newSource();
    const foreign = await call(`/admin/v1/spaces/${other.spaceId}/destinations/${id}`, {
      headers: ADMIN,
    });
    expect(foreign.status).toBe(404);
    await admin("DELETE", `/spaces/${spaceId}/destinations/${id}`);
    const gone = await call(`/admin/v1/spaces/${spaceId}/destinations/${id}`, { headers: ADMIN });
    expect(gone.status).toBe(404);
  });
});
