import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PresenceObservation } from "../../../agent/presence/observation.ts";
import { openSqlitePresenceStore } from "../../../agent/presence/sqlite-store.ts";
import { createVisitTracker } from "../../../agent/presence/visit-tracker.ts";
import { realDeps, type RecordedDeps } from "../controllers/real-deps.ts";

const settings = {
  minRssi: -80,
  minDwellSeconds: 300,
  absenceTimeoutSeconds: 600,
  returningWindowDays: 30,
};
const venue = { id: "venue-1", groupId: "grp-1" };
const T0 = Date.parse("2025-07-31T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000);

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function setup(dbPath: string, deps: RecordedDeps = realDeps()) {
  const store = openSqlitePresenceStore(dbPath);
  const tracker = createVisitTracker({
    store,
    settings,
    venue,
    append: (m, c) => deps.append(m, c),
    count: (c, by) => deps.count(c, by),
    now: () => deps.now(),
  });
  return { deps, store, tracker };
}

function tempDb(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "foyer-presence-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "presence.db");
}

describe("createVisitTracker over SQLite", () => {
  it("survives a restart: the open visit and the history are read back from disk", () => {
    const file = tempDb();
    const first = setup(file);
    cleanups.push(() => first.deps.close());
    const mac = first.deps.identifyMac("00:1a:2b:3c:4d:5e");
    const see = (s: number): PresenceObservation => ({
      mac,
      seenAt: at(s),
      place: {},
      source: "test",
    });
    expect(first.tracker.observe([see(0)])).toBe(0);

    // A new process: new store handle on the same file, same outbox deps.
    const second = setup(file, first.deps);
    expect(second.store.openVisit(mac.hash)?.firstSeen).toBe(at(0).toISOString());
    expect(second.tracker.observe([see(300)])).toBe(1);
    first.deps.setNow(at(901).toISOString());
    expect(second.tracker.sweep()).toBe(1);
    expect(second.store.openVisits()).toEqual([]);
    expect(second.store.lastVisitEnd(mac.hash)).toBe(at(300).toISOString());

    const third = setup(file, first.deps);
    third.tracker.observe([see(5000), see(5300)]);
    const events = first.deps
      .stored()
      .map((s) => [s.message.event, s.message.properties?.returning, s.cls]);
    expect(events).toEqual([
      ["Venue Visit Started", false, "presence"],
      ["Venue Visit Ended", false, "presence"],
      ["Venue Visit Started", true, "presence"],
    ]);
    expect(first.deps.counters.get("presence.reported")).toBe(2);
  });

  it("records nothing when the outbox append fails, so the vendor's retry replays the transition", () => {
    const file = tempDb();
    const failing = realDeps({ failAppend: true });
    cleanups.push(() => failing.close());
    const { tracker, store } = setup(file, failing);
    const mac = failing.identifyMac("00:1a:2b:3c:4d:5e");
    const zeroDwell = createVisitTracker({
      store,
      settings: { ...settings, minDwellSeconds: 0 },
      venue,
      append: (m, c) => failing.append(m, c),
      count: (c, by) => failing.count(c, by),
      now: () => failing.now(),
    });
    expect(() => zeroDwell.observe([{ mac, seenAt: at(0), place: {}, source: "test" }])).toThrow(
      "disk full",
    );
    expect(store.openVisits()).toEqual([]);
    expect(tracker.sweep()).toBe(0);
  });

  it("prunes history older than the returning window on sweep", () => {
    const { deps, store, tracker } = setup(tempDb());
    cleanups.push(() => deps.close());
    store.apply({
      upsert: [],
      remove: [],
      ended: [{ macHash: "old", endedAt: at(-31 * 86_400).toISOString() }],
    });
    store.apply({
      upsert: [],
      remove: [],
      ended: [{ macHash: "new", endedAt: at(-1).toISOString() }],
    });
    deps.setNow(at(0).toISOString());
    tracker.sweep();
    expect(store.lastVisitEnd("old")).toBeUndefined();
    expect(store.lastVisitEnd("new")).toBe(at(-1).toISOString());
  });

  it("keeps the later end when an older one is recorded after it", () => {
    const { deps, store } = setup(tempDb());
    cleanups.push(() => deps.close());
    store.apply({
      upsert: [],
      remove: [],
      ended: [{ macHash: "h", endedAt: at(100).toISOString() }],
    });
    store.apply({
      upsert: [],
      remove: [],
      ended: [{ macHash: "h", endedAt: at(50).toISOString() }],
    });
    expect(store.lastVisitEnd("h")).toBe(at(100).toISOString());
  });

  it("handles many devices in one delivery, each with its own visit", () => {
    const { deps, tracker, store } = setup(tempDb());
    cleanups.push(() => deps.close());
    const macs = Array.from({ length: 50 }, (_, i) =>
      deps.identifyMac(`00:1a:2b:3c:4d:${i.toString(16).padStart(2, "0")}`),
    );
    tracker.observe(macs.map((mac) => ({ mac, seenAt: at(0), place: {}, source: "test" })));
    tracker.observe(macs.map((mac) => ({ mac, seenAt: at(400), place: {}, source: "test" })));
    expect(store.openVisits()).toHaveLength(50);
    expect(new Set(deps.stored().map((s) => s.message.anonymousId)).size).toBe(50);
  });
});
