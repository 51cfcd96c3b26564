// Last-writer-wins traits and summed counters: order, ties, tombstones, and the algebraic laws
// (commutative, associative, idempotent) checked on seeded random maps.
import { describe, expect, it } from "vitest";
import {
  applyTraits,
  canonicalJson,
  countEvent,
  foldCounters,
  foldTraits,
  traitWrites,
  visibleTraits,
} from "../../../worker/profiles/traits.ts";
import type { EventCounters, TraitMap } from "../../../worker/profiles/traits.ts";
import { message } from "../identity/message-builder.ts";
import { seededRandom } from "../identity/seeded-random.ts";
import type { SeededRandom } from "../identity/seeded-random.ts";

const T = Date.parse("2024-05-01T12:00:00.000Z");

describe("last writer wins", () => {
  it("a later timestamp wins whatever the arrival order", () => {
    const late = applyTraits({}, { plan: "pro" }, T + 1, "m-a");
    const early = applyTraits({}, { plan: "free" }, T, "m-z");
    expect(visibleTraits(foldTraits(late, early))).toEqual({ plan: "pro" });
    expect(visibleTraits(applyTraits(late, { plan: "free" }, T, "m-z"))).toEqual({ plan: "pro" });
  });

  it("equal timestamps fall back to the larger messageId", () => {
    const a = applyTraits({}, { plan: "a" }, T, "m-1");
    expect(visibleTraits(applyTraits(a, { plan: "b" }, T, "m-2"))).toEqual({ plan: "b" });
    expect(visibleTraits(applyTraits(a, { plan: "b" }, T, "m-0"))).toEqual({ plan: "a" });
  });

  it("null removes a trait, and an older write cannot bring it back", () => {
    let map: TraitMap = applyTraits({}, { city: "Paris", plan: "pro" }, T, "m-1");
    map = applyTraits(map, { city: null }, T + 10, "m-2");
    expect(visibleTraits(map)).toEqual({ plan: "pro" });
    map = applyTraits(map, { city: "Lyon" }, T + 5, "m-3");
    expect(visibleTraits(map)).toEqual({ plan: "pro" });
    map = applyTraits(map, { city: "Nice" }, T + 11, "m-4");
    expect(visibleTraits(map)).toEqual({ city: "Nice", plan: "pro" });
  });

  it("a nested value is one trait, compared by content not key order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe(
      canonicalJson({ a: [{ c: null, d: 2 }], b: 1 }),
    );
    const map = applyTraits({}, { address: { city: "Oslo", street: "Main" } }, T, "m-1");
    expect(visibleTraits(applyTraits(map, { address: { city: "Bergen" } }, T + 1, "m-2"))).toEqual({
      address: { city: "Bergen" },
    });
  });
});

function randomTraits(random: SeededRandom): TraitMap {
  let map: TraitMap = {};
  for (let i = 0, n = random.int(6); i < n; i++) {
    const value = random.pick([null, "x", "y", 1, true, { k: random.int(3) }]);
    // Few timestamps and messageIds, so ties (even same messageId, other value) really happen.
    map = applyTraits(
      map,
      { [random.pick(["a", "b", "c", "d"])]: value },
      T + random.int(3),
      `m-${random.int(3)}`,
    );
  }
  return map;
}

describe.each([1, 2, 3, 4, 5])("fold laws, seed %i", (seed) => {
  const random = seededRandom(seed);
  const cases = Array.from(
    { length: 300 },
    () => [randomTraits(random), randomTraits(random), randomTraits(random)] as const,
  );

  it("foldTraits is commutative, associative and idempotent", () => {
    for (const [a, b, c] of cases) {
      expect(foldTraits(a, b)).toEqual(foldTraits(b, a));
      expect(foldTraits(foldTraits(a, b), c)).toEqual(foldTraits(a, foldTraits(b, c)));
      expect(foldTraits(a, a)).toEqual(a);
      expect(foldTraits(foldTraits(a, b), b)).toEqual(foldTraits(a, b));
    }
  });

  it("foldCounters is commutative and associative", () => {
    const counters = (): EventCounters =>
      Object.fromEntries(
        ["identify", "track:A", "page"]
          .filter(() => random.next() < 0.6)
          .map((k) => [k, 1 + random.int(9)]),
      );
    for (let i = 0; i < 300; i++) {
      const [a, b, c] = [counters(), counters(), counters()];
      expect(foldCounters(a, b)).toEqual(foldCounters(b, a));
      expect(foldCounters(foldCounters(a, b), c)).toEqual(foldCounters(a, foldCounters(b, c)));
    }
  });
});

describe("what an event writes", () => {
  it("identify traits go to the user, group traits to the account, track writes none", () => {
    expect(traitWrites(message("identify", { traits: { plan: "pro" } }))).toEqual({
      users: { plan: "pro" },
    });
    expect(traitWrites(message("group", { groupId: "g", traits: { seats: 5 } }))).toEqual({
      accounts: { seats: 5 },
    });
    expect(
      traitWrites(message("track", { event: "X", context: { traits: { plan: "x" } } })),
    ).toEqual({});
  });

  it("counts events by type and by track event name", () => {
    let counters: EventCounters = {};
    for (const msg of [
      message("track", { event: "Bought" }),
      message("track", { event: "Bought" }),
      message("identify"),
      message("page", { name: "Home" }),
    ]) {
      counters = countEvent(counters, msg);
    }
    expect(counters).toEqual({ "track:Bought": 2, identify: 1, "page:Home": 1 });
  });
});
