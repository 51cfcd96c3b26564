import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  computeTrait,
  foldTraitEvent,
  initialTraitState,
  parseComputedTrait,
  readTrait,
  traitNextChangeAt,
  type ComputedTraitDefinition,
} from "../../../worker/activation/computed-traits.ts";
import type { HistoryEvent } from "../../../worker/activation/history.ts";
import type { JsonValue } from "../../../worker/message/message.ts";
import { DAY, NOW, seeded, track } from "./history-fixtures.ts";

const orders: HistoryEvent[] = [
  track("Order Completed", 100, { total: 40, venue: "lyon", currency: "EUR" }),
  track("Order Completed", 50, { total: 10, venue: "paris", currency: "EUR" }),
  track("Order Completed", 20, { total: 30, venue: "lyon", currency: "USD" }),
  track("Order Completed", 5, { total: 20, venue: "nice", currency: "EUR" }),
  track("Order Completed", 1, { total: "99", venue: "lyon" }), // a string total is not a number
  track("Order Refunded", 2, { total: 500, venue: "paris" }),
  {
    type: "page",
    event: undefined,
    properties: { total: 1000 },
    timestamp: new Date(NOW - DAY).toISOString(),
  },
];

function def(partial: Record<string, unknown>): ComputedTraitDefinition {
  return parseComputedTrait({ key: "t", event: { event: "Order Completed" }, ...partial });
}

describe("computeTrait: every kind, with and without a window", () => {
  const table: Array<[string, Record<string, unknown>, JsonValue]> = [
    ["event counter, all time", { kind: "event_counter" }, 5],
    [
      "event counter within 30 days",
      { kind: "event_counter", window: { type: "within", days: 30 } },
      3,
    ],
    [
      "event counter between 10 and 60 days ago",
      { kind: "event_counter", window: { type: "between", fromDaysAgo: 10, toDaysAgo: 60 } },
      2,
    ],
    [
      "event counter between dates",
      {
        kind: "event_counter",
        window: { type: "dates", start: "2025-10-01T00:00:00Z", end: "2025-12-01T00:00:00Z" },
      },
      2,
    ],
    [
      "event counter with a property condition",
      {
        kind: "event_counter",
        event: {
          event: "Order Completed",
          where: [{ property: "venue", operator: "equals", value: "lyon" }],
        },
      },
      3,
    ],
    ["event counter by type", { kind: "event_counter", event: { type: "page" } }, 1],
    ["sum", { kind: "aggregation", aggregation: "sum", property: "total" }, 100],
    [
      "sum within 30 days",
      {
        kind: "aggregation",
        aggregation: "sum",
        property: "total",
        window: { type: "within", days: 30 },
      },
      50,
    ],
    ["avg", { kind: "aggregation", aggregation: "avg", property: "total" }, 25],
    ["min", { kind: "aggregation", aggregation: "min", property: "total" }, 10],
    ["max", { kind: "aggregation", aggregation: "max", property: "total" }, 40],
    [
      "max within 30 days",
      {
        kind: "aggregation",
        aggregation: "max",
        property: "total",
        window: { type: "within", days: 30 },
      },
      30,
    ],
    [
      "sum with nothing matching is 0",
      { kind: "aggregation", aggregation: "sum", property: "nope" },
      0,
    ],
    [
      "avg with nothing matching is null",
      { kind: "aggregation", aggregation: "avg", property: "nope" },
      null,
    ],
    [
      "min with nothing matching is null",
      { kind: "aggregation", aggregation: "min", property: "nope" },
      null,
    ],
    ["most frequent", { kind: "most_frequent", property: "venue" }, "lyon"],
    [
      "most frequent needs 2 sightings",
      { kind: "most_frequent", property: "venue", window: { type: "within", days: 10 } },
      null,
    ],
    [
      "most frequent with minFrequency 1 breaks ties alphabetically",
      {
        kind: "most_frequent",
        property: "venue",
        minFrequency: 1,
        window: { type: "within", days: 10 },
      },
      "lyon",
    ],
    [
      "most frequent tie → first alphabetically",
      {
        kind: "most_frequent",
        property: "currency",
        minFrequency: 1,
        window: { type: "within", days: 30 },
      },
      "EUR",
    ],
    ["first", { kind: "first", property: "venue" }, "lyon"],
    [
      "first within 30 days",
      { kind: "first", property: "venue", window: { type: "within", days: 30 } },
      "lyon",
    ],
    ["last", { kind: "last", property: "venue" }, "lyon"],
    ["last skips events without the property", { kind: "last", property: "currency" }, "EUR"],
    [
      "unique list, alphabetical",
      { kind: "unique_list", property: "venue" },
      ["lyon", "nice", "paris"],
    ],
    [
      "unique list within 10 days",
      { kind: "unique_list", property: "venue", window: { type: "within", days: 10 } },
      ["lyon", "nice"],
    ],
    ["unique list count", { kind: "unique_list_count", property: "venue" }, 3],
    ["unique list of nothing", { kind: "unique_list", property: "nope" }, []],
    ["unique list count of nothing", { kind: "unique_list_count", property: "nope" }, 0],
    ["counter of nothing", { kind: "event_counter", event: { event: "Never" } }, 0],
    ["first of nothing", { kind: "first", property: "venue", event: { event: "Never" } }, null],
  ];
  it.each(table)("%s", (_name, partial, expected) => {
    expect(computeTrait(def(partial), orders, NOW)).toEqual(expected);
  });

  it("ignores events in the future of `now` until their time comes", () => {
    const future = [...orders, track("Order Completed", -3, { total: 5, venue: "zurich" })];
    const counter = def({ kind: "event_counter" });
    expect(computeTrait(counter, future, NOW)).toBe(5);
    expect(computeTrait(counter, future, NOW + 4 * DAY)).toBe(6);
    expect(computeTrait(def({ kind: "last", property: "venue" }), future, NOW + 4 * DAY)).toBe(
      "zurich",
    );
  });

  it("does not depend on arrival order", () => {
    const shuffled = [...orders].reverse();
    for (const [, partial] of table)
      expect(computeTrait(def(partial), shuffled, NOW)).toEqual(
        computeTrait(def(partial), orders, NOW),
      );
  });
});

describe("incremental folding", () => {
  it("keeps O(1) state for all-time counters, aggregations, first and last", () => {
    for (const partial of [
      { kind: "event_counter" },
      { kind: "aggregation", aggregation: "avg", property: "total" },
      { kind: "first", property: "venue" },
      { kind: "last", property: "venue" },
    ]) {
      let state = initialTraitState();
      for (let i = 0; i < 500; i += 1)
        state = foldTraitEvent(
          def(partial),
          state,
          track("Order Completed", 400 - i / 2, { total: i, venue: `v${i}` }),
          NOW,
        );
      expect(state.entries.length).toBeLessThanOrEqual(1);
    }
  });

  it("forgets windowed events once they can never count again", () => {
    const within = def({ kind: "event_counter", window: { type: "within", days: 30 } });
    let state = initialTraitState();
    for (const days of [100, 40, 10, 1])
      state = foldTraitEvent(within, state, track("Order Completed", days), NOW);
    expect(state.entries).toHaveLength(2);
    expect(readTrait(within, state, NOW)).toBe(2);
  });

  it("equals a from-scratch reference for random histories arriving over time (200 seeded cases)", () => {
    const random = seeded(42);
    const kinds: Array<Record<string, unknown>> = [
      { kind: "event_counter" },
      { kind: "event_counter", window: { type: "within", days: 30 } },
      {
        kind: "aggregation",
        aggregation: "sum",
        property: "total",
        window: { type: "between", fromDaysAgo: 7, toDaysAgo: 60 },
      },
      { kind: "aggregation", aggregation: "avg", property: "total" },
      {
        kind: "aggregation",
        aggregation: "min",
        property: "total",
        window: { type: "within", days: 45 },
      },
      { kind: "aggregation", aggregation: "max", property: "total" },
      { kind: "most_frequent", property: "venue" },
      { kind: "first", property: "venue", window: { type: "within", days: 90 } },
      { kind: "last", property: "venue" },
      { kind: "unique_list", property: "venue", window: { type: "within", days: 20 } },
      { kind: "unique_list_count", property: "venue" },
    ];
    for (let round = 0; round < 200; round += 1) {
      const definition = def(kinds[round % kinds.length] as Record<string, unknown>);
      const history: HistoryEvent[] = Array.from({ length: 1 + Math.floor(random() * 25) }, () =>
        track(random() < 0.8 ? "Order Completed" : "Other", Math.floor(random() * 120), {
          total: Math.floor(random() * 100),
          venue: ["lyon", "paris", "nice", "lille"][Math.floor(random() * 4)] as string,
        }),
      );
      // Events arrive in timestamp order, each folded at its own time; we read 10 days after the last.
      const arrivals = [...history].sort(
        (a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp),
      );
      let state = initialTraitState();
      for (const event of arrivals)
        state = foldTraitEvent(definition, state, event, Date.parse(event.timestamp));
      const readAt = NOW + 10 * DAY;
      expect(readTrait(definition, state, readAt)).toEqual(reference(definition, history, readAt));
    }
  });
});

/** A deliberately naive implementation straight from Segment's definitions, for comparison. */
function reference(d: ComputedTraitDefinition, history: HistoryEvent[], now: number): JsonValue {
  const inWindow = (t: number) => {
    if (t > now) return false;
    const w = d.window;
    if (!w) return true;
    if (w.type === "within") return now - t < w.days * DAY;
    if (w.type === "between") return now - t >= w.fromDaysAgo * DAY && now - t < w.toDaysAgo * DAY;
    return t >= Date.parse(w.start) && t < Date.parse(w.end);
  };
  const rows = history
    .filter((e) => e.event === d.event.event && inWindow(Date.parse(e.timestamp)))
    .sort(
      (a, b) =>
        Date.parse(a.timestamp) - Date.parse(b.timestamp) ||
        String(JSON.stringify(a.properties[d.property ?? ""])).localeCompare(
          String(JSON.stringify(b.properties[d.property ?? ""])),
        ),
    );
  const values = rows
    .map((e) => (d.property ? e.properties[d.property] : null))
    .filter((v) => v !== undefined && v !== null) as JsonValue[];
  const nums = values.filter((v): v is number => typeof v === "number");
  switch (d.kind) {
    case "event_counter":
      return rows.length;
    case "aggregation":
      if (d.aggregation === "sum") return nums.reduce((a, b) => a + b, 0);
      if (nums.length === 0) return null;
      if (d.aggregation === "avg") return nums.reduce((a, b) => a + b, 0) / nums.length;
      return d.aggregation === "min" ? Math.min(...nums) : Math.max(...nums);
    case "first":
      return values[0] ?? null;
    case "last":
      return values.at(-1) ?? null;
    case "unique_list":
      return [...new Set(values as string[])].sort();
    case "unique_list_count":
      return new Set(values as string[]).size;
    case "most_frequent": {
      const counts = new Map<string, number>();
      for (const v of values as string[]) counts.set(v, (counts.get(v) ?? 0) + 1);
      const ranked = [...counts]
        .filter(([, c]) => c >= (d.minFrequency ?? 2))
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      return ranked[0]?.[0] ?? null;
    }
  }
}

describe("traitNextChangeAt", () => {
  it("finds when a windowed value next changes with no new event", () => {
    const counter = def({ kind: "event_counter", window: { type: "within", days: 30 } });
    let state = initialTraitState();
    for (const event of orders) state = foldTraitEvent(counter, state, event, NOW);
    // The order 20 days ago leaves the 30-day window 10 days from now.
    expect(traitNextChangeAt(counter, state, NOW)).toBe(NOW + 10 * DAY);
    expect(traitNextChangeAt(def({ kind: "event_counter" }), state, NOW)).toBeNull();
  });
});

describe("parseComputedTrait: precise errors", () => {
  const bad: Array<[string, Record<string, unknown>, string]> = [
    ["key not snake_case", { key: "Total Spend", kind: "event_counter" }, "key"],
    ["key too long", { key: "a".repeat(65), kind: "event_counter" }, "key"],
    ["unknown kind", { kind: "median", property: "total" }, "kind"],
    ["counter with a property", { kind: "event_counter", property: "total" }, "property"],
    ["first without a property", { kind: "first" }, "property"],
    ["aggregation without its function", { kind: "aggregation", property: "total" }, "aggregation"],
    [
      "aggregation function on another kind",
      { kind: "last", property: "total", aggregation: "sum" },
      "aggregation",
    ],
    [
      "minFrequency outside most_frequent",
      { kind: "last", property: "x", minFrequency: 2 },
      "minFrequency",
    ],
    ["minFrequency 0", { kind: "most_frequent", property: "x", minFrequency: 0 }, "minFrequency"],
    ["event filter with neither name nor type", { kind: "event_counter", event: {} }, "event"],
    ["unknown type", { kind: "event_counter", event: { type: "click" } }, "event.type"],
    [
      "window of 0 days",
      { kind: "event_counter", window: { type: "within", days: 0 } },
      "window.days",
    ],
    [
      "window fractional days",
      { kind: "event_counter", window: { type: "within", days: 1.5 } },
      "window.days",
    ],
    [
      "between reversed",
      { kind: "event_counter", window: { type: "between", fromDaysAgo: 60, toDaysAgo: 30 } },
      "window.toDaysAgo",
    ],
    [
      "dates reversed",
      {
        kind: "event_counter",
        window: { type: "dates", start: "2026-02-01T00:00:00Z", end: "2026-01-01T00:00:00Z" },
      },
      "window.end",
    ],
    [
      "dates not ISO",
      {
        kind: "event_counter",
        window: { type: "dates", start: "yesterday", end: "2026-01-01T00:00:00Z" },
      },
      "window.start",
    ],
    [
      "numeric operator on a string",
      {
        kind: "event_counter",
        event: { event: "x", where: [{ property: "total", operator: "greater_than", value: "5" }] },
      },
      "event.where.0.value",
    ],
    [
      "exists with a value",
      {
        kind: "event_counter",
        event: { event: "x", where: [{ property: "total", operator: "exists", value: 1 }] },
      },
      "event.where.0.value",
    ],
    [
      "equals without a value",
      {
        kind: "event_counter",
        event: { event: "x", where: [{ property: "total", operator: "equals" }] },
      },
      "event.where.0.value",
    ],
    [
      "one_of with a scalar",
      {
        kind: "event_counter",
        event: { event: "x", where: [{ property: "venue", operator: "one_of", value: "lyon" }] },
      },
      "event.where.0.value",
    ],
    [
      "before_date with a non-date",
      {
        kind: "event_counter",
        event: { event: "x", where: [{ property: "d", operator: "before_date", value: "soon" }] },
      },
      "event.where.0.value",
    ],
    [
      "unknown operator",
      {
        kind: "event_counter",
        event: { event: "x", where: [{ property: "d", operator: "like", value: "x" }] },
      },
      "event.where.0.operator",
    ],
    ["unknown key", { kind: "event_counter", colour: "red" }, ""],
  ];
  it.each(bad)("rejects %s", (_name, partial, path) => {
    try {
      parseComputedTrait({ key: "t", event: { event: "Order Completed" }, ...partial });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues.map((i) => i.path.join("."))).toContain(path);
    }
  });
});
