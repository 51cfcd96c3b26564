import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { hashMac, macIdentifier } from "../../../agent/mac/hash.ts";
import { decideAccess, type AccessPolicy } from "../../../agent/radius/access.ts";
import { mapAccounting } from "../../../agent/radius/accounting.ts";
import { parseCalledStationId } from "../../../agent/radius/called-station.ts";
import { CredentialStore } from "../../../agent/radius/credentials.ts";
import { OpenSessions } from "../../../agent/radius/open-sessions.ts";
import { decodePacket } from "../../../agent/radius/packet.ts";
import { fixture } from "./fixtures.ts";

const KEY = "venue-key-for-radius-tests";
const identifyMac = macIdentifier(KEY);
const venue = { id: "venue-1", groupId: "venue-1" };
const ctx = { nas: "nas-a", venue, receivedAt: new Date("2026-03-01T10:00:00Z"), identifyMac };

describe("parseCalledStationId (RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21)", () => {
  it.each<[string | undefined, object]>([
    ["5C-06-10-48-04-45:meraki", { apMac: "5c:06:10:48:04:45", ssid: "meraki" }],
    ["d015a6c274d0", { apMac: "d0:15:a6:c2:74:d0" }],
    ["D0-15-A6-C2-74-D0:Guest WiFi", { apMac: "d0:15:a6:c2:74:d0", ssid: "Guest WiFi" }],
    ["78:8a:20:aa:bb:cc:Guest:Lobby", { apMac: "78:8a:20:aa:bb:cc", ssid: "Guest:Lobby" }],
    ["aabb.ccdd.eeff:Cafe", { apMac: "aa:bb:cc:dd:ee:ff", ssid: "Cafe" }],
    ["d015a6c274d0:x", { apMac: "d0:15:a6:c2:74:d0", ssid: "x" }],
    ["00-33-58-56-EF-20:", { apMac: "00:33:58:56:ef:20" }],
    ["not-a-mac:ssid", {}],
    ["", {}],
    [undefined, {}],
  ])("%j", (value, expected) => expect(parseCalledStationId(value)).toEqual(expected));
});

describe("mapAccounting on radclient captures", () => {
  it("maps the reference Stop: duration, Gigawords bytes, terminate cause, AP hash, SSID", () => {
    const r = mapAccounting(decodePacket(fixture("acct-stop-reference")), ctx);
    if (r.kind !== "session") throw new Error(r.kind);
    expect(r.status).toBe("stop");
    expect(r.message).toMatchObject({
      type: "track",
      event: "WiFi Session Ended",
      timestamp: "2025-07-31T07:03:03.000Z",
      anonymousId: hashMac(KEY, "f2:62:e7:99:63:c6"),
      properties: {
        sessionId: "5e6792ce00000006",
        nas: "nas-a",
        durationSeconds: 1058,
        bytesIn: 2 ** 32 + 2527451,
        bytesOut: 1000,
        terminateCause: "User-Request",
        ssid: "Guest WiFi",
        apMacHash: hashMac(KEY, "d0:15:a6:c2:74:d0"),
        randomizedMac: true,
      },
    });
    const text = JSON.stringify(r.message).toLowerCase();
    for (const raw of ["f2-62-e7", "f2:62:e7", "d0-15-a6", "d0:15:a6", "guest@example.com"])
      expect(text).not.toContain(raw);
  });

  it("maps a Meraki Start and a UniFi Start (SSID with a colon)", () => {
    const meraki = mapAccounting(decodePacket(fixture("acct-start-meraki")), ctx);
    expect(meraki).toMatchObject({
      kind: "session",
      status: "start",
      message: { event: "WiFi Session Started", properties: { ssid: "meraki" } },
    });
    const unifi = mapAccounting(decodePacket(fixture("acct-start-unifi")), ctx);
    expect(unifi).toMatchObject({
      kind: "session",
      message: {
        properties: { ssid: "Guest:Lobby", nasIdentifier: "5f7c2a9e-1d3b-4c8e-9a6f-0b1c2d3e4f50" },
      },
    });
  });

  it("maps an Aruba Interim without Event-Timestamp to receive time minus Acct-Delay-Time", () => {
    const r = mapAccounting(decodePacket(fixture("acct-interim-aruba")), ctx);
    expect(r).toMatchObject({
      kind: "session",
      status: "update",
      message: {
        event: "WiFi Session Updated",
        timestamp: "2026-03-01T10:00:00.000Z",
        properties: { durationSeconds: 600, bytesIn: 1000, bytesOut: 2000 },
      },
    });
  });

  it("derives messageIds from NAS, session, status and interim position only", () => {
    const stop = decodePacket(fixture("acct-stop-reference"));
    const id = (c: typeof ctx) =>
      (mapAccounting(stop, c) as { message: { messageId: string } }).message.messageId;
    expect(id(ctx)).toBe(id({ ...ctx, receivedAt: new Date("2030-01-01T00:00:00Z") }));
    expect(id(ctx)).not.toBe(id({ ...ctx, nas: "nas-b" }));
    const start = mapAccounting(decodePacket(fixture("acct-start-meraki")), ctx) as {
      message: { messageId: string };
    };
    expect(start.message.messageId).not.toBe(id(ctx));
  });

  it("reports Accounting-On as a NAS event", () => {
    expect(mapAccounting(decodePacket(fixture("acct-accounting-on")), ctx)).toEqual({
      kind: "nas",
      status: "on",
      eventTime: new Date("2025-07-31T08:00:00Z"),
    });
  });
});

describe("decideAccess (MAC authorization)", () => {
  const policy: AccessPolicy = {
    sessionTimeout: 3600,
    idleTimeout: 600,
    macAuth: { enabled: true, windowDays: 30 },
  };
  const macRequest = decodePacket(fixture("access-request-mac-auth"));

  function deps(now: () => number) {
    const store = new CredentialStore(new DatabaseSync(":memory:"), now);
    return {
      store,
      deps: {
        identifyMac,
        consume: store.consume.bind(store),
        authorizeMac: store.authorizeMac.bind(store),
        isMacAuthorized: store.isMacAuthorized.bind(store),
      },
    };
  }

  it("accepts a MAC authorized within the window, rejects it after, and when disabled", () => {
    let now = Date.parse("2026-03-01T00:00:00Z");
    const { store, deps: d } = deps(() => now);
    expect(decideAccess(macRequest, "testing123", policy, d)).toMatchObject({
      accept: false,
      reason: "mac_not_authorized",
    });
    store.authorizeMac(hashMac(KEY, "f2:62:e7:99:63:c6"));
    const ok = decideAccess(macRequest, "testing123", policy, d);
    expect(ok).toMatchObject({ accept: true, method: "mac", reason: "mac_ok" });
    expect(ok.reply.map((a) => a.type)).toEqual([27, 28]);
    expect(
      decideAccess(
        macRequest,
        "testing123",
        { ...policy, macAuth: { enabled: false, windowDays: 30 } },
        d,
      ),
    ).toMatchObject({ accept: false, reason: "mac_auth_disabled" });
    now += 31 * 86_400_000;
    expect(decideAccess(macRequest, "testing123", policy, d)).toMatchObject({
      accept: false,
      reason: "mac_not_authorized",
    });
  });
});

describe("CredentialStore", () => {
  it("issues one-time, expiring, optionally MAC-bound credentials", () => {
    let now = 1_000_000;
    const store = new CredentialStore(new DatabaseSync(":memory:"), () => now);
    const a = store.issue(null, 60);
    expect(a.username).toMatch(/^g-/);
    expect(store.consume(a.username, "wrong", null)).toEqual({ ok: false, reason: "bad_password" });
    expect(store.consume(a.username, a.password, "h1")).toEqual({ ok: true, macHash: "h1" });
    expect(store.consume(a.username, a.password, "h1")).toEqual({
      ok: false,
      reason: "already_used",
    });
    const bound = store.issue("h2", 60);
    expect(store.consume(bound.username, bound.password, "h3")).toEqual({
      ok: false,
      reason: "mac_mismatch",
    });
    expect(store.consume(bound.username, bound.password, "h2")).toEqual({
      ok: true,
      macHash: "h2",
    });
    const late = store.issue(null, 60);
    now += 61_000;
    expect(store.consume(late.username, late.password, null)).toEqual({
      ok: false,
      reason: "expired",
    });
    expect(store.consume("g-nobody", "x", null)).toEqual({ ok: false, reason: "unknown_user" });
    expect(() => store.issue(null, 0)).toThrow(RangeError);
  });
});

describe("Framed-IP-Address: the address the portal confirms a MAC by", () => {
  it("is read from a Start and kept on the open session, newest session per address wins", () => {
    const packet = decodePacket(fixture("acct-start-meraki"));
    packet.attributes.push({ type: 8, value: Buffer.from([10, 20, 0, 7]) });
    const r = mapAccounting(packet, ctx);
    if (r.kind !== "session") throw new Error(r.kind);
    expect(r.framedIp).toBe("10.20.0.7");

    const sessions = new OpenSessions(new DatabaseSync(":memory:"));
    sessions.open("nas-a", { sessionId: "s1", macHash: "old", randomized: false, startedAt: 1 });
    expect(sessions.macHashAt("10.20.0.7")).toBeUndefined();
    // An Interim-Update brings the address later: it is added to the session.
    sessions.open("nas-a", {
      sessionId: "s1",
      macHash: "old",
      randomized: false,
      startedAt: 1,
      framedIp: "10.20.0.7",
    });
    expect(sessions.macHashAt("10.20.0.7")).toBe("old");
    sessions.open("nas-a", {
      sessionId: "s2",
      macHash: "new",
      randomized: false,
      startedAt: 2,
      framedIp: "10.20.0.7",
    });
    expect(sessions.macHashAt("10.20.0.7")).toBe("new");
    sessions.close("nas-a", "s2");
    sessions.close("nas-a", "s1");
    expect(sessions.macHashAt("10.20.0.7")).toBeUndefined();
  });
});
