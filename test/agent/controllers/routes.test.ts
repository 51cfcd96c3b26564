// The webhook routes through `app.request()`, backed by the real SQLite outbox.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterEach, describe, expect, it } from "vitest";
import { arubaSignature } from "../../../agent/controllers/aruba/signature.ts";
import { controllersConfigSchema } from "../../../agent/controllers/config.ts";
import { controllerRoutes } from "../../../agent/controllers/routes.ts";
import { fixture, rawMacsIn, realDeps, type RecordedDeps } from "./real-deps.ts";

const config = controllersConfigSchema.parse({
  venueId: "venue-1",
  maxBodyBytes: 64 * 1024,
  meraki: {
    scanning: {
      enabled: true,
      validator: "91473298742319492749273285409845",
      secret: "supersecret",
    },
    alerts: { enabled: true, secret: "alert-secret" },
  },
  aruba: { enabled: true, token: "central-token" },
  presence: { minDwellSeconds: 0 },
});

let deps: RecordedDeps;
afterEach(() => deps.close());

function app(options: { failAppend?: boolean; allowedSources?: string[] } = {}) {
  deps = realDeps({ failAppend: options.failAppend });
  const cfg = { ...config, allowedSources: options.allowedSources ?? [] };
  return controllerRoutes({ ...deps, config: cfg });
}

const post = (body: string, headers: Record<string, string> = {}) => ({
  method: "POST",
  body,
  headers: { "content-type": "application/json", ...headers },
});

/** The agent clock realDeps starts at; deliveries below are "sent" then (replay window). */
const NOW_ISO = "2025-07-31T07:00:00.000Z";

/** A Meraki alert fixture sent just now: its `sentAt` moved to the agent clock. */
function merakiAlert(file: string): string {
  return fixture(file).replace(/"sentAt": "[^"]*"/, `"sentAt": "${NOW_ISO}"`);
}

/** A fixture with its body `sharedSecret` replaced (parsed, so formatting cannot defeat it). */
function withSharedSecret(file: string, secret: string): string {
  const body = JSON.parse(merakiAlert(file)) as Record<string, unknown>;
  body.sharedSecret = secret;
  return JSON.stringify(body);
}

function arubaHeaders(body: string, token = "central-token", deliveryId = "d-1") {
  const delivery = { service: "Alerts", deliveryId, timestamp: String(Date.parse(NOW_ISO) / 1000) };
  return {
    "X-Central-Signature": arubaSignature(token, body, delivery),
    "X-Central-Service": delivery.service,
    "X-Central-Delivery-ID": delivery.deliveryId,
    "X-Central-Delivery-Timestamp": delivery.timestamp,
  };
}

describe("/webhooks/meraki/scanning", () => {
  it("answers the GET validator handshake with the validator string", async () => {
    const res = await app().request("/webhooks/meraki/scanning");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("91473298742319492749273285409845");
  });

  it("records a visit from the documented v3 sample, hashed, before answering 200", async () => {
    const res = await app().request(
      "/webhooks/meraki/scanning",
      post(fixture("meraki/scanning-v3-wifi.json")),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, recorded: 1 });
    const stored = deps.stored();
    expect(stored.map((s) => [s.message.event, s.cls])).toEqual([
      ["Venue Visit Started", "presence"],
    ]);
    expect(stored[0]!.message.anonymousId).toBe(deps.identifyMac("11:22:33:44:55:66").hash);
    expect(rawMacsIn(stored)).toEqual([]);
    expect(deps.counters.get("meraki.scanning.accepted")).toBe(1);
  });

  it("a redelivered post does not duplicate anything", async () => {
    const a = app();
    await a.request("/webhooks/meraki/scanning", post(fixture("meraki/scanning-v3-wifi.json")));
    await a.request("/webhooks/meraki/scanning", post(fixture("meraki/scanning-v3-wifi.json")));
    expect(deps.stored()).toHaveLength(1);
  });

  it.each([
    ["wrong secret", (b: Record<string, unknown>) => (b.secret = "nope"), 401, "wrong_secret"],
    ["no secret", (b: Record<string, unknown>) => delete b.secret, 401, "missing_secret"],
    ["v2 payload", (b: Record<string, unknown>) => (b.version = "2.0"), 400, "unsupported_version"],
    ["no data", (b: Record<string, unknown>) => delete b.data, 400, "missing_field"],
  ])("refuses %s and records nothing", async (_name, mutate, status, code) => {
    const body = JSON.parse(fixture("meraki/scanning-v3-wifi.json")) as Record<string, unknown>;
    mutate(body);
    const res = await app().request("/webhooks/meraki/scanning", post(JSON.stringify(body)));
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
    expect(deps.stored()).toEqual([]);
    expect(deps.logLines.join("\n")).not.toContain("supersecret");
  });

  it("answers 503 and records nothing when the outbox cannot append", async () => {
    const res = await app({ failAppend: true }).request(
      "/webhooks/meraki/scanning",
      post(fixture("meraki/scanning-v3-wifi.json")),
    );
    expect(res.status).toBe(503);
    expect(deps.counters.get("meraki.scanning.failed")).toBe(1);
  });
});

describe("/webhooks/meraki/alerts", () => {
  it("turns a client_connectivity alert into WiFi Session Started with the bearer secret", async () => {
    const res = await app().request(
      "/webhooks/meraki/alerts",
      post(merakiAlert("meraki/alert-client-connectivity.json"), {
        Authorization: "Bearer alert-secret",
      }),
    );
    expect(res.status).toBe(200);
    const [stored] = deps.stored();
    expect(stored?.cls).toBe("session");
    expect(stored?.message).toMatchObject({
      type: "track",
      event: "WiFi Session Started",
      timestamp: "2025-06-19T05:46:40.222Z",
      anonymousId: deps.identifyMac("00:11:22:33:44:55").hash,
      properties: {
        venueId: "venue-1",
        apName: "Home",
        networkId: "L_647955396387934188",
        source: "meraki.alerts",
      },
    });
    const text = JSON.stringify(stored);
    expect(rawMacsIn(stored)).toEqual([]);
    expect(text).not.toContain("192.168.1.2");
    expect(text).not.toContain("valued client");
  });

  it("maps a device alert to a venue-level event with the secret in the body", async () => {
    const body = withSharedSecret("meraki/alert-settings-changed.json", "alert-secret");
    const res = await app().request("/webhooks/meraki/alerts", post(body));
    expect(res.status).toBe(200);
    const [stored] = deps.stored();
    expect(stored?.cls).toBe("venue");
    expect(stored?.message).toMatchObject({
      event: "Venue Device Alert",
      anonymousId: "venue-venue-1",
      context: { groupId: "venue-1" },
      properties: { alertType: "Settings changed", deviceSerial: "XXXX-XXXX-XXXX" },
    });
    expect(rawMacsIn(stored)).toEqual([]);
  });

  it.each([
    ["the fixture's own secret", { body: "foo" }, 401],
    ["a wrong bearer", { bearer: "alert-secreT" }, 401],
    ["no secret at all", {}, 401],
  ])(
    "refuses %s and records nothing",
    async (_name, auth: { body?: string; bearer?: string }, status) => {
      const body = withSharedSecret("meraki/alert-settings-changed.json", auth.body ?? "");
      const headers: Record<string, string> = auth.bearer
        ? { Authorization: `Bearer ${auth.bearer}` }
        : {};
      const res = await app().request("/webhooks/meraki/alerts", post(body, headers));
      expect(res.status).toBe(status);
      expect(deps.stored()).toEqual([]);
      expect(deps.counters.get("meraki.alerts.unauthorized")).toBe(1);
    },
  );

  it("refuses a client alert whose connected flag is garbage with 400", async () => {
    const body = merakiAlert("meraki/alert-client-connectivity.json").replace(
      '"connected": "true"',
      '"connected": "maybe"',
    );
    const res = await app().request(
      "/webhooks/meraki/alerts",
      post(body, { Authorization: "Bearer alert-secret" }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: "invalid_value",
        field: "alertData.connected",
        message: 'alertData.connected must be "true" or "false"',
      },
    });
    expect(deps.stored()).toEqual([]);
  });
});

describe("/webhooks/aruba", () => {
  it("verifies X-Central-Signature and maps a client connect to WiFi Session Started", async () => {
    const body = fixture("aruba/alert-classic-client-connected.json");
    const res = await app().request("/webhooks/aruba", post(body, arubaHeaders(body)));
    expect(res.status).toBe(200);
    const [stored] = deps.stored();
    expect(stored?.message).toMatchObject({
      event: "WiFi Session Started",
      timestamp: "2020-06-17T09:42:03.000Z",
      anonymousId: deps.identifyMac("f2:62:e7:99:63:c6").hash,
      properties: { ssid: "wifi.ten", apName: "Lobby-AP", randomizedMac: true },
    });
    expect(rawMacsIn(stored)).toEqual([]);
  });

  it("maps a new-Central device alert to the venue and drops its free text", async () => {
    const body = fixture("aruba/alert-new-central-device.json");
    const res = await app().request("/webhooks/aruba", post(body, arubaHeaders(body)));
    expect(res.status).toBe(200);
    const [stored] = deps.stored();
    expect(stored?.message).toMatchObject({
      event: "Venue Device Alert",
      properties: { alertType: "AP Disconnected" },
    });
    expect(rawMacsIn(stored)).toEqual([]);
  });

  it.each([
    [
      "signed with another token",
      (b: string) => arubaHeaders(b, "other-token"),
      401,
      "bad_signature",
    ],
    [
      "signed over another body",
      (b: string) => arubaHeaders(b.replace("Minor", "Major")),
      401,
      "bad_signature",
    ],
    [
      "delivery id swapped after signing",
      (b: string) => ({ ...arubaHeaders(b), "X-Central-Delivery-ID": "d-2" }),
      401,
      "bad_signature",
    ],
    ["no signature", () => ({}), 401, "missing_signature"],
    [
      "no timestamp header",
      (b: string) => {
        const h: Record<string, string> = arubaHeaders(b);
        delete h["X-Central-Delivery-Timestamp"];
        return h;
      },
      401,
      "missing_signature",
    ],
  ])("refuses a body %s", async (_name, headers, status, code) => {
    const body = fixture("aruba/alert-classic-client-connected.json");
    const res = await app().request("/webhooks/aruba", post(body, headers(body)));
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
    expect(deps.stored()).toEqual([]);
  });

  it.each([
    ["not JSON", "{", "invalid_json", "$"],
    ["no id", JSON.stringify({ alert_type: "x", timestamp: 1 }), "missing_field", "id"],
    ["no type", JSON.stringify({ id: "a", timestamp: 1 }), "missing_field", "alert_type"],
    [
      "bad epoch",
      JSON.stringify({ id: "a", alert_type: "x", timestamp: "soon" }),
      "invalid_value",
      "timestamp",
    ],
    [
      "details an array",
      JSON.stringify({ id: "a", alert_type: "x", timestamp: 1, details: [] }),
      "invalid_type",
      "details",
    ],
    [
      "client alert without a MAC",
      JSON.stringify({ id: "a", alert_type: "Client Connected", timestamp: 1, details: {} }),
      "missing_field",
      "details.client_mac",
    ],
    [
      "client alert with a bad MAC",
      JSON.stringify({
        id: "a",
        alert_type: "Client Disconnected",
        timestamp: 1,
        details: { client_mac: "zz" },
      }),
      "invalid_mac",
      "details.client_mac",
    ],
  ])("answers 400 for a signed body that is %s", async (_name, body, code, field) => {
    const res = await app().request("/webhooks/aruba", post(body, arubaHeaders(body)));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code, field } });
    expect(deps.stored()).toEqual([]);
  });
});

describe("limits shared by every webhook", () => {
  it("answers 413 for an oversized body, with or without Content-Length", async () => {
    const big = JSON.stringify({ pad: "x".repeat(70 * 1024) });
    const a = app();
    const res = await a.request("/webhooks/meraki/alerts", post(big));
    expect(res.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await a.request("/webhooks/aruba", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(deps.stored()).toEqual([]);
    expect(deps.counters.get("webhooks.too_large")).toBe(2);
  });

  it("refuses sources outside the allow-list with 403 and admits listed ones", async () => {
    const a = app({ allowedSources: ["10.0.0.0/8", "192.0.2.7"] });
    const env = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });
    const body = merakiAlert("meraki/alert-client-connectivity.json");
    const h = { Authorization: "Bearer alert-secret" };
    expect(
      (await a.request("/webhooks/meraki/alerts", post(body, h), env("203.0.113.9"))).status,
    ).toBe(403);
    expect((await a.request("/webhooks/meraki/alerts", post(body, h))).status).toBe(403);
    expect(
      (await a.request("/webhooks/meraki/alerts", post(body, h), env("::ffff:10.20.30.40"))).status,
    ).toBe(200);
    expect(
      (await a.request("/webhooks/meraki/alerts", post(body, h), env("192.0.2.7"))).status,
    ).toBe(200);
  });

  it("matches IPv6 peers over a real socket on ::1 against IPv6 entries and CIDRs", async () => {
    const body = merakiAlert("meraki/alert-client-connectivity.json");
    const h = { Authorization: "Bearer alert-secret" };
    let opened = 0;
    const statusFor = async (allowedSources: string[]) => {
      if (opened++ > 0) deps.close(); // afterEach closes the last one
      const server = serve({ fetch: app({ allowedSources }).fetch, port: 0, hostname: "::1" });
      await new Promise((resolve) => server.once("listening", resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const url = `http://[::1]:${port}/webhooks/meraki/alerts`;
        return (await fetch(url, post(body, h))).status;
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    };
    expect(await statusFor(["0:0:0:0:0:0:0:1"])).toBe(200);
    expect(await statusFor(["::/127"])).toBe(200);
    expect(await statusFor(["2001:db8::/32", "127.0.0.1"])).toBe(403);
  });

  it("answers 404 for a disabled vendor", async () => {
    deps = realDeps();
    const off = controllerRoutes({
      ...deps,
      config: controllersConfigSchema.parse({ venueId: "v" }),
    });
    expect((await off.request("/webhooks/meraki/scanning")).status).toBe(404);
    expect((await off.request("/webhooks/aruba", post("{}"))).status).toBe(404);
  });
});
