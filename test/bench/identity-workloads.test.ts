import { describe, expect, it } from "vitest";
import {
  allDistinct,
  batchRequests,
  hotPerson,
  MERGE_HEAVY_EVENTS_PER_PERSON,
  mergeHeavy,
} from "./identity-workloads.ts";

const AT = Date.parse("2026-11-22T08:00:00.000Z");

function ids(events: readonly Record<string, unknown>[], key: string): Set<unknown> {
  return new Set(events.map((e) => e[key]).filter((v) => v !== undefined));
}

describe("identity workloads", () => {
  it("all-distinct gives every event its own userId, anonymousId and messageId", () => {
    const w = allDistinct("r1", 250, AT);
    expect(w.events).toHaveLength(250);
    expect(ids(w.events, "userId").size).toBe(250);
    expect(ids(w.events, "anonymousId").size).toBe(250);
    expect(ids(w.events, "messageId").size).toBe(250);
    expect(w.people).toBe(250);
  });

  it("hot-person puts every event on one userId", () => {
    const w = hotPerson("r1", 120, AT);
    expect(ids(w.events, "userId")).toEqual(new Set(["hot-r1"]));
    expect(ids(w.events, "messageId").size).toBe(120);
    expect(w.people).toBe(1);
  });

  it("merge-heavy: sessions first, then identifies linking each device, then the 4th device", () => {
    const w = mergeHeavy("r1", 3, AT);
    expect(w.events).toHaveLength(3 * MERGE_HEAVY_EVENTS_PER_PERSON);
    expect(ids(w.events, "messageId").size).toBe(w.events.length);
    const types = w.events.map((e) => e.type);
    const lastPage = types.lastIndexOf("page");
    expect(types.slice(0, lastPage + 1).every((t) => t === "page")).toBe(true);
    // Person 0: pages come from three anonymous devices that no other person shares.
    const person0 = w.events.filter((e) => String(e.anonymousId ?? e.userId).startsWith("m-r1-0"));
    const pageDevices = ids(
      person0.filter((e) => e.type === "page"),
      "anonymousId",
    );
    expect(pageDevices.size).toBe(3);
    const identifies = person0.filter((e) => e.type === "identify" && e.userId === "m-r1-0");
    expect(ids(identifies, "anonymousId")).toEqual(pageDevices);
    const email = (identifies[0]?.traits as { email?: string }).email;
    expect(email).toMatch(/@example\.com$/);
    const fourth = w.events.at(-3);
    expect(fourth).toMatchObject({ type: "identify", anonymousId: "m-r1-0-d4", traits: { email } });
    expect(fourth?.userId).toBeUndefined();
  });

  it("runs with different ids never share a messageId", () => {
    const a = ids(mergeHeavy("a", 5, AT).events, "messageId");
    const b = ids(mergeHeavy("b", 5, AT).events, "messageId");
    expect([...a].some((id) => b.has(id))).toBe(false);
  });

  it("batchRequests cuts in order, the last batch short, event counts right", () => {
    const events = allDistinct("r2", 250, AT).events;
    const requests = batchRequests(events, 100, new Date(AT));
    expect(requests.map((r) => r.events)).toEqual([100, 100, 50]);
    expect(requests.every((r) => r.path === "/v1/batch")).toBe(true);
    const sent = requests.flatMap(
      (r) => (JSON.parse(r.body) as { batch: { messageId: string }[] }).batch,
    );
    expect(sent.map((e) => e.messageId)).toEqual(events.map((e) => e.messageId));
    expect((JSON.parse(requests[0]?.body ?? "{}") as { sentAt: string }).sentAt).toBe(
      new Date(AT).toISOString(),
    );
  });
});
