import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "../../../agent/controllers/unifi/backoff.ts";
import { parseUnifiFrame } from "../../../agent/controllers/unifi/event-frame.ts";
import { unifiEventMessage } from "../../../agent/controllers/unifi/events.ts";
import { csrfFromSession } from "../../../agent/controllers/unifi/login.ts";
import { handleUnifiFrame } from "../../../agent/controllers/unifi/stream.ts";
import { macIdentifier } from "../../../agent/mac/hash.ts";
import { fixture, rawMacsIn, realDeps, VENUE_KEY } from "./real-deps.ts";

const identify = macIdentifier(VENUE_KEY);
const venue = { id: "venue-1", groupId: "venue-1" };
const frameOf = (...data: unknown[]) =>
  JSON.stringify({ meta: { rc: "ok", message: "events" }, data });

describe("parseUnifiFrame", () => {
  it("reads the verbatim unpoller events with ms time, seconds duration and total bytes", () => {
    const result = parseUnifiFrame(fixture("unifi/events-frame.json"));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.rejected).toEqual([]);
    expect(result.value.events).toEqual([
      {
        id: "5ee9e572453d4e00f3c04a7c",
        key: "EVT_WU_Connected",
        clientMac: "d8:4c:90:9f:82:5a",
        ap: "b4:fb:e4:d2:74:39",
        ssid: "Extra Fast",
        time: new Date(1592386923851),
        apFrom: undefined,
        apTo: undefined,
        apName: undefined,
        duration: undefined,
        bytes: undefined,
        minutes: undefined,
      },
      expect.objectContaining({
        key: "EVT_WU_Disconnected",
        duration: 1084,
        bytes: 846171,
        time: new Date(1592386923000),
      }),
    ]);
  });

  it("skips pong and non-event messages, refuses garbage frames", () => {
    expect(parseUnifiFrame("pong")).toEqual({ ok: true, value: { events: [], rejected: [] } });
    expect(
      parseUnifiFrame(JSON.stringify({ meta: { rc: "ok", message: "sta:sync" }, data: [{}] })),
    ).toEqual({
      ok: true,
      value: { events: [], rejected: [] },
    });
    expect(parseUnifiFrame("{oops")).toMatchObject({ ok: false, error: { code: "invalid_json" } });
    expect(parseUnifiFrame("[]")).toMatchObject({
      ok: false,
      error: { code: "invalid_type", field: "meta" },
    });
    expect(
      parseUnifiFrame(JSON.stringify({ meta: { message: "events" }, data: {} })),
    ).toMatchObject({
      ok: false,
      error: { code: "invalid_type", field: "data" },
    });
  });

  it("refuses bad events one by one and keeps the good ones of the frame", () => {
    const result = parseUnifiFrame(
      frameOf({ key: "EVT_WU_Connected" }, "x", { time: 5 }, { key: "EVT_WU_Roam", time: 1 }),
    );
    if (!result.ok) throw new Error("frame is valid");
    expect(result.value.events.map((e) => e.key)).toEqual(["EVT_WU_Roam"]);
    expect(result.value.rejected).toEqual([
      {
        code: "missing_field",
        field: "data[0].time",
        message: "data[0].time (epoch ms) is required",
      },
      { code: "invalid_type", field: "data[1]", message: "data[1] must be an object" },
      { code: "missing_field", field: "data[2].key", message: "data[2].key is required" },
    ]);
  });
});

describe("unifiEventMessage", () => {
  const parse = (event: Record<string, unknown>) => {
    const r = parseUnifiFrame(frameOf({ time: 1592386923851, ...event }));
    if (!r.ok || r.value.events[0] === undefined) throw new Error("event must parse");
    return r.value.events[0];
  };

  it("maps a disconnect to WiFi Session Ended with duration and bytes, no msg or hostname", () => {
    const frame = parseUnifiFrame(fixture("unifi/events-frame.json"));
    if (!frame.ok) throw new Error("fixture must parse");
    const result = unifiEventMessage(frame.value.events[1]!, identify, venue);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.cls).toBe("session");
    expect(result.value.message).toMatchObject({
      event: "WiFi Session Ended",
      anonymousId: identify("d8:4c:90:9f:82:5a").hash,
      timestamp: "2020-06-17T09:42:03.000Z",
      properties: {
        durationSeconds: 1084,
        bytesTotal: 846171,
        ssid: "Extra Fast",
        apMacHash: identify("74:83:c2:d4:11:3d").hash,
        unifiEventKey: "EVT_WU_Disconnected",
        guest: false,
      },
      context: { venue: { id: "venue-1", ssid: "Extra Fast" } },
    });
    const text = JSON.stringify(result.value.message);
    expect(rawMacsIn(result.value.message)).toEqual([]);
    expect(text).not.toContain("dns-ipp");
  });

  it.each([
    [
      { key: "EVT_WG_Connected", guest: "f2:62:e7:99:63:c6" },
      "WiFi Session Started",
      "session",
      true,
    ],
    [
      {
        key: "EVT_WG_Roam",
        guest: "f2:62:e7:99:63:c6",
        ap_from: "aa:aa:aa:11:11:11",
        ap_to: "aa:aa:aa:22:22:22",
      },
      "WiFi Client Roamed",
      "session",
      true,
    ],
    [
      { key: "EVT_WG_AuthorizationEnded", guest: "f2:62:e7:99:63:c6" },
      "WiFi Guest Authorization Ended",
      "session",
      true,
    ],
    [
      { key: "EVT_AD_GuestAuthorizedFor", guest: "f2:62:e7:99:63:c6", minutes: 480 },
      "WiFi Guest Authorized",
      "login",
      true,
    ],
  ])("maps %o", (event, name, cls, randomized) => {
    const result = unifiEventMessage(parse(event), identify, venue);
    expect(result).toMatchObject({
      ok: true,
      value: {
        cls,
        message: { event: name, properties: { randomizedMac: randomized, guest: true } },
      },
    });
  });

  it("hashes both APs of a roam", () => {
    const roam = parse({
      key: "EVT_WU_Roam",
      user: "d8:4c:90:9f:82:5a",
      ap_from: "aa:aa:aa:11:11:11",
      ap_to: "aa:aa:aa:22:22:22",
    });
    const result = unifiEventMessage(roam, identify, venue);
    expect(result).toMatchObject({
      ok: true,
      value: {
        message: {
          properties: {
            apMacHash: identify("aa:aa:aa:22:22:22").hash,
            fromApMacHash: identify("aa:aa:aa:11:11:11").hash,
          },
        },
      },
    });
  });

  it.each([
    [{ key: "EVT_WU_Connected" }, "missing_field", "user"],
    [{ key: "EVT_WU_Connected", user: "nonsense" }, "invalid_mac", "user"],
    [{ key: "EVT_WU_Connected", user: "d8:4c:90:9f:82:5a", ap: "zz" }, "invalid_mac", "ap"],
    [{ key: "EVT_SW_Lost_Contact", user: "d8:4c:90:9f:82:5a" }, "unsupported_event", "key"],
  ])("refuses %o", (event, code, field) => {
    expect(unifiEventMessage(parse(event), identify, venue)).toMatchObject({
      ok: false,
      error: { code, field },
    });
  });
});

describe("handleUnifiFrame", () => {
  it("appends mapped events, counts ignored and rejected ones, stores no raw MAC", () => {
    const deps = realDeps();
    try {
      const frame = frameOf(
        { key: "EVT_WU_Connected", user: "d8:4c:90:9f:82:5a", time: 1, _id: "a" },
        { key: "EVT_AD_GuestAuthorizedFor", guest: "f2:62:e7:99:63:c6", time: 2, _id: "b" },
        { key: "EVT_AP_Lost_Contact", ap: "aa:aa:aa:11:11:11", time: 3 },
        { key: "EVT_WU_Connected", user: "bad", time: 4 },
      );
      handleUnifiFrame({ ...deps, venue }, frame);
      handleUnifiFrame({ ...deps, venue }, frame); // a resent frame: same messageIds, nothing new
      handleUnifiFrame({ ...deps, venue }, "garbage");
      expect(deps.stored().map((s) => [s.message.event, s.cls])).toEqual([
        ["WiFi Session Started", "session"],
        ["WiFi Guest Authorized", "login"],
      ]);
      expect(rawMacsIn(deps.stored())).toEqual([]);
      expect(Object.fromEntries(deps.counters)).toMatchObject({
        "unifi.events.accepted": 4,
        "unifi.events.ignored": 2,
        "unifi.events.rejected": 2,
        "unifi.frames.malformed": 1,
      });
      expect(deps.logLines.join("\n")).not.toMatch(/d8:4c|f2:62/);
    } finally {
      deps.close();
    }
  });
});

describe("reconnectDelayMs and csrfFromSession", () => {
  it("grows exponentially within [cap/2, cap] and stops at the maximum", () => {
    expect([0, 1, 2, 3].map((a) => reconnectDelayMs(a, 1000, 60_000, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(reconnectDelayMs(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(reconnectDelayMs(50, 1000, 60_000, () => 0.5)).toBe(45_000);
  });

  it("prefers the x-csrf-token header, else reads the TOKEN JWT claim", () => {
    const jwt = `h.${Buffer.from('{"csrfToken":"from-jwt"}').toString("base64url")}.s`;
    expect(csrfFromSession("from-header", jwt)).toBe("from-header");
    expect(csrfFromSession(null, jwt)).toBe("from-jwt");
    expect(csrfFromSession(null, "not-a-jwt")).toBeUndefined();
    expect(csrfFromSession(null, "h.%%%.s")).toBeUndefined();
  });
});
