import { describe, expect, it } from "vitest";
import { checkDeliveryTime, DeliveryIdCache } from "../../../agent/controllers/replay-guard.ts";

const t0 = new Date("2025-07-31T07:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe("checkDeliveryTime", () => {
  it.each([
    [0, true],
    [300, true],
    [-300, true],
    [301, false],
    [-301, false],
  ])("a delivery %ss from now is fresh: %s", (offset, fresh) => {
    expect(checkDeliveryTime(at(offset), t0, "sentAt").ok).toBe(fresh);
  });

  it("refuses an invalid date rather than comparing NaN", () => {
    expect(checkDeliveryTime(new Date(Number.NaN), t0, "f")).toMatchObject({
      ok: false,
      error: { code: "stale_delivery", field: "f" },
    });
  });
});

describe("DeliveryIdCache", () => {
  it("remembers an id for the window, then forgets it", () => {
    const cache = new DeliveryIdCache(10, 300_000);
    cache.remember("a", t0);
    expect(cache.has("a", at(300))).toBe(true);
    expect(cache.has("a", at(301))).toBe(false);
    expect(cache.has("b", t0)).toBe(false);
  });

  it("holds at most maxIds, forgetting the oldest first", () => {
    const cache = new DeliveryIdCache(3, 300_000);
    for (const [i, id] of ["a", "b", "c", "d"].entries()) cache.remember(id, at(i));
    expect(cache.size).toBe(3);
    expect(cache.has("a", at(4))).toBe(false);
    expect(["b", "c", "d"].map((id) => cache.has(id, at(4)))).toEqual([true, true, true]);
  });

  it("drops expired ids when new ones arrive", () => {
    const cache = new DeliveryIdCache(100, 300_000);
    cache.remember("old", t0);
    cache.remember("new", at(400));
    expect(cache.size).toBe(1);
  });
});
