import { describe, expect, it } from "vitest";
import { macIdentifier } from "../../../agent/mac/hash.ts";
import type { PresenceObservation } from "../../../agent/presence/observation.ts";
import {
  observeVisit,
  sweepVisit,
  type VisitSettings,
  type VisitState,
} from "../../../agent/presence/visit-machine.ts";

const identify = macIdentifier("presence-test-key");
const venue = { id: "venue-1", groupId: "grp-1" };
const settings: VisitSettings = {
  minRssi: -80,
  minDwellSeconds: 300,
  absenceTimeoutSeconds: 600,
  returningWindowDays: 30,
};
const T0 = Date.parse("2025-07-31T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function sighting(mac: string, second: number, rssi?: number): PresenceObservation {
  return {
    mac: identify(mac),
    seenAt: at(second),
    rssi,
    place: { ssid: "Guest" },
    source: "meraki.scanning.wifi",
  };
}

/** Runs observations through the machine, ending visits with sweeps at the given seconds. */
function run(
  steps: ({ see: string; at: number; rssi?: number } | { sweepAt: number })[],
  history: Map<string, string> = new Map(),
) {
  const open = new Map<string, VisitState>();
  const events: { event: string; props: Record<string, unknown>; timestamp: string; id: string }[] =
    [];
  const record = (
    messages: {
      event?: string;
      properties?: Record<string, unknown>;
      timestamp: string;
      messageId: string;
    }[],
  ) =>
    events.push(
      ...messages.map((m) => ({
        event: m.event!,
        props: m.properties!,
        timestamp: m.timestamp,
        id: m.messageId,
      })),
    );
  for (const step of steps) {
    if ("sweepAt" in step) {
      for (const [hash, state] of open) {
        const r = sweepVisit(state, at(step.sweepAt), settings, venue);
        record(r.messages);
        if (r.ended) history.set(hash, r.ended.endedAt);
        if (r.state === undefined) open.delete(hash);
      }
      continue;
    }
    const obs = sighting(step.see, step.at, step.rssi);
    const r = observeVisit(open.get(obs.mac.hash), obs, history.get(obs.mac.hash), settings, venue);
    record(r.messages);
    if (r.ended) history.set(obs.mac.hash, r.ended.endedAt);
    if (r.state) open.set(obs.mac.hash, r.state);
  }
  return { events, open, history };
}

const PHONE = "00:1a:2b:3c:4d:5e";

describe("observeVisit / sweepVisit", () => {
  it("reports a visit once the dwell threshold is reached, timestamped at first sighting", () => {
    const { events } = run([
      { see: PHONE, at: 0 },
      { see: PHONE, at: 120 },
      { see: PHONE, at: 299 },
    ]);
    expect(events).toEqual([]);
    const more = run([
      { see: PHONE, at: 0 },
      { see: PHONE, at: 300 },
    ]).events;
    expect(more).toHaveLength(1);
    expect(more[0]).toMatchObject({
      event: "Venue Visit Started",
      timestamp: at(0).toISOString(),
      props: {
        returning: false,
        visitorType: "new",
        dwellSeconds: 300,
        venueId: "venue-1",
        ssid: "Guest",
      },
    });
  });

  it("ends the visit after the absence timeout with the dwell time in seconds", () => {
    const { events, open, history } = run([
      { see: PHONE, at: 0 },
      { see: PHONE, at: 400 },
      { see: PHONE, at: 900 },
      { sweepAt: 1500 }, // 600 s since last sighting: not yet over the timeout
      { sweepAt: 1501 },
    ]);
    expect(events.map((e) => e.event)).toEqual(["Venue Visit Started", "Venue Visit Ended"]);
    expect(events[1]).toMatchObject({
      timestamp: at(900).toISOString(),
      props: { dwellSeconds: 900 },
    });
    expect(events[0]!.props.visitId).toBe(events[1]!.props.visitId);
    expect(open.size).toBe(0);
    expect(history.get(identify(PHONE).hash)).toBe(at(900).toISOString());
  });

  it("drops a passer-by below the dwell threshold without any event or history", () => {
    const { events, open, history } = run([
      { see: PHONE, at: 0 },
      { see: PHONE, at: 100 },
      { sweepAt: 5000 },
    ]);
    expect(events).toEqual([]);
    expect(open.size).toBe(0);
    expect(history.size).toBe(0);
  });

  it("ignores observations weaker than minRssi: they neither start nor extend a visit", () => {
    const weakOnly = run([
      { see: PHONE, at: 0, rssi: -81 },
      { see: PHONE, at: 400, rssi: -90 },
    ]);
    expect(weakOnly.events).toEqual([]);
    expect(weakOnly.open.size).toBe(0);
    const weakExtension = run([
      { see: PHONE, at: 0, rssi: -50 },
      { see: PHONE, at: 500, rssi: -85 }, // would reach dwell, but too weak
      { sweepAt: 601 },
    ]);
    expect(weakExtension.events).toEqual([]);
    const atThreshold = run([
      { see: PHONE, at: 0, rssi: -80 },
      { see: PHONE, at: 300, rssi: -80 },
    ]);
    expect(atThreshold.events.map((e) => e.event)).toEqual(["Venue Visit Started"]);
  });

  it("keeps one visit across flapping gaps shorter than the absence timeout", () => {
    const { events } = run([
      { see: PHONE, at: 0 },
      { see: PHONE, at: 590 },
      { see: PHONE, at: 1190 },
      { see: PHONE, at: 1790 },
      { sweepAt: 2391 },
    ]);
    expect(events.map((e) => e.event)).toEqual(["Venue Visit Started", "Venue Visit Ended"]);
    expect(events[1]!.props.dwellSeconds).toBe(1790);
  });

  it("splits into two visits when a gap exceeds the timeout before any sweep, second one returning", () => {
    const { events } = run([
      { see: PHONE, at: 0 },
      { see: PHONE, at: 300 },
      { see: PHONE, at: 901 }, // 601 s after the last sighting
      { see: PHONE, at: 1201 },
    ]);
    expect(events.map((e) => [e.event, e.props.returning])).toEqual([
      ["Venue Visit Started", false],
      ["Venue Visit Ended", false],
      ["Venue Visit Started", true],
    ]);
    expect(events[1]!.props.dwellSeconds).toBe(300);
    expect(events[2]!.timestamp).toBe(at(901).toISOString());
  });

  it("counts returning only within the look-back window", () => {
    const hash = identify(PHONE).hash;
    const recent = run(
      [
        { see: PHONE, at: 0 },
        { see: PHONE, at: 300 },
      ],
      new Map([[hash, at(-29 * 86_400).toISOString()]]),
    );
    expect(recent.events[0]!.props).toMatchObject({ returning: true, visitorType: "returning" });
    const old = run(
      [
        { see: PHONE, at: 0 },
        { see: PHONE, at: 300 },
      ],
      new Map([[hash, at(-31 * 86_400).toISOString()]]),
    );
    expect(old.events[0]!.props).toMatchObject({ returning: false, visitorType: "new" });
  });

  it("never links a rotated randomized MAC to the earlier visit", () => {
    const before = "42:ae:4c:c0:73:a2"; // locally administered (randomized)
    const after = "de:f4:3c:18:06:db"; // the same phone after rotation: a different hash
    const { events } = run([
      { see: before, at: 0 },
      { see: before, at: 300 },
      { sweepAt: 1000 },
      { see: after, at: 2000 },
      { see: after, at: 2300 },
    ]);
    expect(events.map((e) => [e.event, e.props.returning, e.props.randomizedMac])).toEqual([
      ["Venue Visit Started", false, true],
      ["Venue Visit Ended", false, true],
      ["Venue Visit Started", false, true],
    ]);
    // A randomized MAC that did not rotate (Android/iOS keep one per SSID) is returning by its hash.
    const stable = run([
      { see: before, at: 0 },
      { see: before, at: 300 },
      { sweepAt: 1000 },
      { see: before, at: 2000 },
      { see: before, at: 2300 },
    ]);
    expect(stable.events[2]!.props.returning).toBe(true);
  });

  it("treats resent or out-of-order sightings as stale", () => {
    const obs = sighting(PHONE, 100);
    const state = observeVisit(undefined, sighting(PHONE, 200), undefined, settings, venue).state!;
    expect(observeVisit(state, obs, undefined, settings, venue)).toEqual({
      state,
      messages: [],
      outcome: "stale",
    });
    expect(observeVisit(state, sighting(PHONE, 200), undefined, settings, venue).outcome).toBe(
      "stale",
    );
  });

  it("reports at first sighting when minDwell is 0, with stable messageIds across replays", () => {
    const zero = { ...settings, minDwellSeconds: 0 };
    const a = observeVisit(undefined, sighting(PHONE, 0), undefined, zero, venue);
    const b = observeVisit(undefined, sighting(PHONE, 0), undefined, zero, venue);
    expect(a.outcome).toBe("reported");
    expect(a.messages).toHaveLength(1);
    expect(a.messages[0]!.messageId).toBe(b.messages[0]!.messageId);
    const other = observeVisit(undefined, sighting(PHONE, 1), undefined, zero, venue);
    expect(other.messages[0]!.messageId).not.toBe(a.messages[0]!.messageId);
  });

  it("puts only the hash on the guest: anonymousId and the wifi_mac external id", () => {
    const zero = { ...settings, minDwellSeconds: 0 };
    const [message] = observeVisit(undefined, sighting(PHONE, 0), undefined, zero, venue).messages;
    const hash = identify(PHONE).hash;
    expect(message).toMatchObject({
      type: "track",
      anonymousId: hash,
      context: {
        venue: { id: "venue-1", ssid: "Guest" },
        externalIds: [
          {
            id: hash,
            type: "wifi_mac",
            collection: "users",
            encoding: "hmac-sha256",
            randomized: false,
          },
        ],
      },
    });
    expect(JSON.stringify(message)).not.toMatch(/00:1a:2b|001a2b/i);
  });
});
