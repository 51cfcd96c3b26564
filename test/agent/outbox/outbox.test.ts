import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutboxMessage } from "../../../agent/controllers/deps.ts";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";
import { OutboxValidationError } from "../../../agent/outbox/validate.ts";
import { tempDir, trackMessage } from "./outbox-fixture.ts";

let dir: string;
let cleanup: () => void;
let clock: number;
const open = (maxRows = 100, extra: { leaseMs?: number; deliveredRetentionMs?: number } = {}) =>
  new Outbox(openAgentDatabase(path.join(dir, "agent.sqlite")), {
    maxRows,
    now: () => clock,
    ...extra,
  });

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  clock = Date.parse("2026-03-01T10:00:00Z");
});
afterEach(() => cleanup());

describe("Outbox.append", () => {
  it("stores messages durably and reopening sees them", () => {
    expect(open().append([trackMessage("m1"), trackMessage("m2")], "session")).toBe(2);
    const reopened = open();
    expect(reopened.stats()).toMatchObject({
      depth: 2,
      parked: 0,
      oldestUndelivered: "2026-03-01T10:00:00.000Z",
    });
    expect(reopened.lease(10).map((i) => i.message)).toEqual([
      trackMessage("m1"),
      trackMessage("m2"),
    ]);
  });

  it("is idempotent on messageId, also within one call and after delivery", () => {
    const outbox = open();
    expect(outbox.append([trackMessage("m1"), trackMessage("m1")], "session")).toBe(1);
    expect(outbox.append([trackMessage("m1", "Other")], "login")).toBe(0);
    const [item] = outbox.lease(10);
    expect(item?.message.event).toBe("WiFi Session Started");
    outbox.ack([item!.id]);
    expect(outbox.append([trackMessage("m1")], "session")).toBe(0);
    expect(outbox.stats().depth).toBe(0);
  });

  it("forgets delivered ids after the retention window", () => {
    const outbox = open(100, { deliveredRetentionMs: 1000 });
    outbox.append([trackMessage("m1")], "session");
    outbox.ack(outbox.lease(1).map((i) => i.id));
    clock += 2000;
    outbox.ack([]); // pruning happens on ack
    expect(outbox.append([trackMessage("m1")], "session")).toBe(1);
  });

  it.each<[string, Partial<OutboxMessage> | null, string]>([
    ["missing messageId", { messageId: "" }, "messages[1].messageId"],
    ["bad type", { type: "page" as never }, "messages[1].type"],
    ["timestamp without zone", { timestamp: "2026-01-01T00:00:00" }, "messages[1].timestamp"],
    ["no identity", { anonymousId: undefined }, "messages[1]"],
    ["track without event", { event: "" }, "messages[1].event"],
    ["group without groupId", { type: "group" }, "messages[1].groupId"],
  ])("refuses the whole call on %s and stores nothing", (_name, patch, field) => {
    const outbox = open();
    const bad = { ...trackMessage("bad"), ...patch };
    let error: unknown;
    try {
      outbox.append([trackMessage("good"), bad], "session");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutboxValidationError);
    expect((error as OutboxValidationError).field).toBe(field);
    expect(outbox.stats().depth).toBe(0);
  });

  it("refuses an unknown class", () => {
    expect(() => open().append([trackMessage("m")], "gossip" as never)).toThrow(RangeError);
  });
});

describe("lease / ack / release / park", () => {
  it("leases oldest first, hides leased rows until released or the lease expires", () => {
    const outbox = open(100, { leaseMs: 1000 });
    outbox.append(
      ["a", "b", "c"].map((id) => trackMessage(id)),
      "session",
    );
    expect(outbox.lease(2).map((i) => i.messageId)).toEqual(["a", "b"]);
    expect(outbox.lease(5).map((i) => i.messageId)).toEqual(["c"]);
    expect(outbox.lease(5)).toEqual([]);
    clock += 1001;
    const again = outbox.lease(5);
    expect(again.map((i) => [i.messageId, i.attempts])).toEqual([
      ["a", 2],
      ["b", 2],
      ["c", 2],
    ]);
    outbox.release([again[0]!.id]);
    expect(outbox.lease(5).map((i) => i.messageId)).toEqual(["a"]);
  });

  it("clears leases on reopen (a restarted uplink resends at once)", () => {
    open().append([trackMessage("a")], "session");
    expect(open().lease(1)).toHaveLength(1);
    expect(open().lease(1)).toHaveLength(1);
  });

  it("ack removes from depth; park keeps the row out of leases and counts it", () => {
    const outbox = open();
    outbox.append(
      ["a", "b", "c"].map((id) => trackMessage(id)),
      "session",
    );
    const [a, b] = outbox.lease(2);
    outbox.ack([a!.id]);
    outbox.park(b!.id, "invalid_event: properties.bytes");
    outbox.release([b!.id]); // a parked row is not revived by a release
    expect(outbox.stats()).toMatchObject({ depth: 1, parked: 1 });
    expect(outbox.lease(5).map((i) => i.messageId)).toEqual(["c"]);
  });
});

describe("size bound and eviction policy", () => {
  it("evicts presence first, then venue, then session, logins last, oldest first within a class", () => {
    const outbox = open(4);
    outbox.append([trackMessage("login-1")], "login");
    outbox.append([trackMessage("session-1")], "session");
    outbox.append([trackMessage("venue-1")], "venue");
    outbox.append([trackMessage("presence-1"), trackMessage("presence-2")], "presence");
    expect(outbox.stats().evicted).toEqual({ presence: 1, venue: 0, session: 0, login: 0 });
    outbox.append([trackMessage("login-2"), trackMessage("login-3")], "login");
    // presence-2 then venue-1 go.
    expect(outbox.stats().evicted).toEqual({ presence: 2, venue: 1, session: 0, login: 0 });
    outbox.append([trackMessage("login-4")], "login");
    expect(outbox.stats().evicted).toEqual({ presence: 2, venue: 1, session: 1, login: 0 });
    outbox.append([trackMessage("login-5")], "login");
    expect(outbox.stats().evicted).toEqual({ presence: 2, venue: 1, session: 1, login: 1 });
    expect(outbox.lease(10).map((i) => i.messageId)).toEqual([
      "login-2",
      "login-3",
      "login-4",
      "login-5",
    ]);
  });

  it("drops an incoming presence observation when only logins are stored", () => {
    const outbox = open(2);
    outbox.append([trackMessage("login-1"), trackMessage("login-2")], "login");
    outbox.append([trackMessage("presence-1")], "presence");
    expect(outbox.stats()).toMatchObject({ depth: 2, evicted: { presence: 1, login: 0 } });
  });

  it("counts evictions persistently and remembers the stored count across reopen", () => {
    open(3).append(
      ["a", "b", "c"].map((id) => trackMessage(id)),
      "venue",
    );
    const reopened = open(3);
    reopened.append([trackMessage("d")], "venue");
    expect(reopened.stats()).toMatchObject({ depth: 3, evicted: { venue: 1 } });
    expect(open(3).stats().evicted.venue).toBe(1);
  });

  it("rejects a non-positive bound", () => {
    expect(() => open(0)).toThrow(/maxRows/);
  });
});
