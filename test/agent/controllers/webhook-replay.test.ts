// Replay and forgery attacks on the controller webhooks over real HTTP (@hono/node-server on an
// ephemeral port), backed by the real SQLite outbox: each refused delivery answers 401 with its
// own code and stores nothing.
import { afterEach, describe, expect, it } from "vitest";
import { arubaSignature } from "../../../agent/controllers/aruba/signature.ts";
import { controllersConfigSchema } from "../../../agent/controllers/config.ts";
import { controllerRoutes } from "../../../agent/controllers/routes.ts";
import { startHttp, type RunningHttp } from "../../../agent/http/server.ts";
import { fixture, realDeps, type RecordedDeps } from "./real-deps.ts";

const NOW = new Date("2025-07-31T07:00:00.000Z");
const config = controllersConfigSchema.parse({
  venueId: "venue-1",
  meraki: { alerts: { enabled: true, secret: "alert-secret" } },
  aruba: { enabled: true, token: "central-token" },
});

let deps: RecordedDeps;
let http: RunningHttp;
afterEach(async () => {
  await http.close();
  deps.close();
});

async function serve(): Promise<string> {
  deps = realDeps();
  deps.setNow(NOW.toISOString());
  http = await startHttp(controllerRoutes({ ...deps, config }), "127.0.0.1", 0);
  return `http://127.0.0.1:${http.port}`;
}

const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

function arubaPost(base: string, body: string, o: { at?: Date; id?: string; token?: string } = {}) {
  const delivery = {
    service: "Alerts",
    deliveryId: o.id ?? "delivery-1",
    timestamp: String(Math.floor((o.at ?? NOW).getTime() / 1000)),
  };
  return fetch(`${base}/webhooks/aruba`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "X-Central-Signature": arubaSignature(o.token ?? "central-token", body, delivery),
      "X-Central-Service": delivery.service,
      "X-Central-Delivery-ID": delivery.deliveryId,
      "X-Central-Delivery-Timestamp": delivery.timestamp,
    },
  });
}

function merakiPost(base: string, sentAt: string | undefined, secret = "alert-secret") {
  const body = JSON.parse(fixture("meraki/alert-settings-changed.json")) as Record<string, unknown>;
  body.sharedSecret = secret;
  if (sentAt === undefined) delete body.sentAt;
  else body.sentAt = sentAt;
  return fetch(`${base}/webhooks/meraki/alerts`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
}

const arubaBody = fixture("aruba/alert-classic-client-connected.json");

describe("Aruba Central replay window (X-Central-Delivery-Timestamp, X-Central-Delivery-ID)", () => {
  it.each([
    ["6 minutes old", -6],
    ["6 minutes ahead", 6],
    ["a day old", -24 * 60],
  ])("refuses a correctly signed delivery %s with 401 stale_delivery", async (_n, offset) => {
    const base = await serve();
    const res = await arubaPost(base, arubaBody, { at: minutes(offset) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: { code: "stale_delivery", field: "x-central-delivery-timestamp" },
    });
    expect(deps.stored()).toEqual([]);
    expect(deps.counters.get("aruba.central.unauthorized")).toBe(1);
  });

  it.each([
    ["4 minutes old", -4],
    ["4 minutes ahead", 4],
  ])("accepts a delivery %s (clock skew inside ±5 min)", async (_n, offset) => {
    const base = await serve();
    const res = await arubaPost(base, arubaBody, { at: minutes(offset) });
    expect(res.status).toBe(200);
    expect(deps.stored()).toHaveLength(1);
  });

  it("a replayed delivery id inside the window records nothing new", async () => {
    const base = await serve();
    expect((await arubaPost(base, arubaBody)).status).toBe(200);
    const replay = await arubaPost(base, arubaBody);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ ok: true, recorded: 0 });
    // A captured body replayed under a fresh id would need a new signature: the id is signed.
    expect(deps.stored()).toHaveLength(1);
    expect(deps.counters.get("aruba.central.replayed")).toBe(1);
    const other = JSON.stringify({ ...JSON.parse(arubaBody), id: "another-alert" });
    expect((await arubaPost(base, other, { id: "delivery-2" })).status).toBe(200);
    expect(deps.stored()).toHaveLength(2);
  });

  it("a captured delivery re-sent with a digit shifted from its id into its timestamp records nothing", async () => {
    const base = await serve();
    const ts = String(Math.floor(NOW.getTime() / 1000));
    const signed = { service: "Alerts", deliveryId: "delivery-10", timestamp: ts };
    const send = (deliveryId: string, timestamp: string, service = "Alerts") =>
      fetch(`${base}/webhooks/aruba`, {
        method: "POST",
        body: arubaBody,
        headers: {
          "X-Central-Signature": arubaSignature("central-token", arubaBody, signed),
          "X-Central-Service": service,
          "X-Central-Delivery-ID": deliveryId,
          "X-Central-Delivery-Timestamp": timestamp,
        },
      });
    expect((await send("delivery-10", ts)).status).toBe(200);
    // "delivery-1" + "0" + ts is the same signed string as "delivery-10" + ts.
    expect((await send("delivery-1", `0${ts}`)).status).toBe(400);
    // "Alertsd" + "elivery-10" too: a "new" id under the old signature, caught by the cache
    // keyed by the signature.
    const moved = await send("elivery-10", ts, "Alertsd");
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ ok: true, recorded: 0 });
    expect(deps.stored()).toHaveLength(1);
  });

  it.each([
    ["not a number", "soon"],
    ["negative", "-5"],
    ["with a leading zero", `0${Math.floor(NOW.getTime() / 1000)}`],
  ])("refuses a signed timestamp that is %s with 400 invalid_value", async (_n, timestamp) => {
    const base = await serve();
    const delivery = { service: "Alerts", deliveryId: "d", timestamp };
    const res = await fetch(`${base}/webhooks/aruba`, {
      method: "POST",
      body: arubaBody,
      headers: {
        "X-Central-Signature": arubaSignature("central-token", arubaBody, delivery),
        "X-Central-Service": "Alerts",
        "X-Central-Delivery-ID": "d",
        "X-Central-Delivery-Timestamp": timestamp,
      },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: "invalid_value", field: "x-central-delivery-timestamp" },
    });
    expect(deps.stored()).toEqual([]);
  });

  it("a forged signature answers 401 bad_signature and the token never reaches the log", async () => {
    const base = await serve();
    const res = await arubaPost(base, arubaBody, { token: "guessed-token" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "bad_signature" } });
    expect(deps.stored()).toEqual([]);
    expect(deps.logLines.join("\n")).not.toContain("central-token");
  });
});

describe("Meraki alert sentAt window", () => {
  it.each([
    ["6 minutes old", minutes(-6).toISOString()],
    ["6 minutes ahead", minutes(6).toISOString()],
    ["from the fixture's 2019 capture", "2019-07-19T06:20:39.656975Z"],
  ])("refuses an alert sent %s with 401 stale_delivery", async (_n, sentAt) => {
    const base = await serve();
    const res = await merakiPost(base, sentAt);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "stale_delivery", field: "sentAt" } });
    expect(deps.stored()).toEqual([]);
  });

  it("refuses an alert without sentAt with 400 missing_field", async () => {
    const base = await serve();
    const res = await merakiPost(base, undefined);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "missing_field", field: "sentAt" } });
    expect(deps.stored()).toEqual([]);
  });

  it("a wrong secret answers 401 wrong_secret before the time is looked at", async () => {
    const base = await serve();
    const res = await merakiPost(base, NOW.toISOString(), "alert-secreT");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "wrong_secret" } });
    expect(deps.stored()).toEqual([]);
  });

  it("accepts an alert sent 4 minutes ago", async () => {
    const base = await serve();
    expect((await merakiPost(base, minutes(-4).toISOString())).status).toBe(200);
    expect(deps.stored()).toHaveLength(1);
  });
});

describe("wrong secrets are throttled per address", () => {
  it("the 11th failed authentication within a minute is answered 429 before any check", async () => {
    const base = await serve();
    for (let i = 0; i < 10; i++)
      expect((await merakiPost(base, NOW.toISOString(), `guess-${i}`)).status).toBe(401);
    const throttled = await merakiPost(base, NOW.toISOString());
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await throttled.json()).toMatchObject({ error: { code: "too_many_failures" } });
    expect(deps.stored()).toEqual([]);
    // The window ends: the right secret is accepted again.
    deps.setNow(new Date(NOW.getTime() + 61_000).toISOString());
    expect((await merakiPost(base, new Date(NOW.getTime() + 61_000).toISOString())).status).toBe(
      200,
    );
  });
});
