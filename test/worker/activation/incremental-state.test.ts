// A profile keeps its activation state between events (issue 14): each new event is folded in,
// never the whole history re-read. This checks, on random histories, that folding events as they
// arrive (in any order, in batches, at moving clocks) and evaluating later gives exactly what the
// from-scratch evaluation of the whole history gives, for every trait kind and audience condition,
// with and without windows; and that the kept state stays bounded by the windows.
import { describe, expect, it } from "vitest";
import {
  definitionsFromStored,
  emptyActivationState,
  evaluateProfile,
  evaluateState,
  foldHistory,
  latestIds,
  stateBasis,
} from "../../../worker/activation/profile-evaluation.ts";
import type { HistoryEvent } from "../../../worker/activation/history.ts";
import { DAY, NOW, seeded } from "./history-fixtures.ts";

const stored = (kind: string, key: string, definition: unknown, version = 1) => ({
  kind,
  key,
  id: `${kind}_${key}`,
  version,
  mode: "identify",
  definition: { key, ...(kind === "audience" ? { name: key } : {}), ...(definition as object) },
});

const within = (days: number) => ({ type: "within", days });
const between = (fromDaysAgo: number, toDaysAgo: number) => ({
  type: "between",
  fromDaysAgo,
  toDaysAgo,
});
const dates = {
  type: "dates",
  start: new Date(NOW - 20 * DAY).toISOString(),
  end: new Date(NOW - 5 * DAY).toISOString(),
};

// Used by more than one test below.
const orders = stored("computed_trait", "orders", {
  kind: "event_counter",
  event: { event: "Order" },
});
const ordersWeek = stored("computed_trait", "orders_7d", {
  kind: "event_counter",
  event: { event: "Order" },
  window: within(7),
});
const buyers = stored("audience", "buyers", {
  condition: {
    kind: "event",
    event: { event: "Order" },
    count: { operator: "at_least", value: 2 },
    window: within(5),
  },
});

const defs = definitionsFromStored([
  orders,
  ordersWeek,
  stored("computed_trait", "spend", {
    kind: "aggregation",
    aggregation: "sum",
    property: "total",
    event: { event: "Order" },
  }),
  stored("computed_trait", "avg_14d", {
    kind: "aggregation",
    aggregation: "avg",
    property: "total",
    event: { event: "Order" },
    window: within(14),
  }),
  stored("computed_trait", "max_between", {
    kind: "aggregation",
    aggregation: "max",
    property: "total",
    event: { event: "Order" },
    window: between(2, 9),
  }),
  stored("computed_trait", "first_sku", {
    kind: "first",
    property: "sku",
    event: { event: "Order" },
  }),
  stored("computed_trait", "last_sku_dates", {
    kind: "last",
    property: "sku",
    event: { event: "Order" },
    window: dates,
  }),
  stored("computed_trait", "skus", {
    kind: "unique_list",
    property: "sku",
    event: { event: "Order" },
  }),
  stored("computed_trait", "sku_count_10d", {
    kind: "unique_list_count",
    property: "sku",
    event: { event: "Order" },
    window: within(10),
  }),
  stored("computed_trait", "fav_page", {
    kind: "most_frequent",
    property: "page_name",
    event: { type: "page" },
  }),
  buyers,
  stored("audience", "lapsed", {
    condition: {
      kind: "and",
      conditions: [
        { kind: "event", event: { event: "Order" }, count: { operator: "at_least", value: 1 } },
        { kind: "did_not_perform", event: { event: "Order" }, window: within(3) },
      ],
    },
  }),
  stored("audience", "browsers", {
    condition: {
      kind: "or",
      conditions: [
        {
          kind: "event",
          event: {
            type: "page",
            where: [{ property: "page_name", operator: "equals", value: "home" }],
          },
          count: { operator: "exactly", value: 3 },
          window: between(1, 6),
        },
        {
          kind: "not",
          condition: {
            kind: "event",
            event: { event: "Order" },
            count: { operator: "less_than", value: 4 },
            window: dates,
          },
        },
      ],
    },
  }),
]);

function randomHistory(random: () => number, size: number): HistoryEvent[] {
  return Array.from({ length: size }, (_, i): HistoryEvent => {
    // Mostly the past 30 days, sometimes a few hours in the future (clock skew).
    const t = NOW - Math.floor(random() * 30 * DAY) + (random() < 0.05 ? 3 * 3_600_000 : 0);
    const ids: Partial<HistoryEvent> = { messageId: `m-${i}` };
    if (random() < 0.6) ids.userId = `user-${Math.floor(random() * 3)}`;
    if (random() < 0.6) ids.anonymousId = `anon-${Math.floor(random() * 3)}`;
    if (random() < 0.35)
      return {
        type: "page",
        event: "Page Viewed",
        properties: { page_name: ["home", "menu", "offers"][Math.floor(random() * 3)]! },
        timestamp: new Date(t).toISOString(),
        ...ids,
      };
    return {
      type: "track",
      event: "Order",
      properties: { total: Math.round(random() * 100), sku: `sku-${Math.floor(random() * 6)}` },
      timestamp: new Date(t).toISOString(),
      ...ids,
    };
  });
}

/** The latest ids by the history's order (timestamp, then messageId), the naive way. */
function naiveLatestIds(history: readonly HistoryEvent[]) {
  const ordered = [...history].sort(
    (a, b) =>
      Date.parse(a.timestamp) - Date.parse(b.timestamp) ||
      (a.messageId! < b.messageId! ? -1 : a.messageId! > b.messageId! ? 1 : 0),
  );
  const out: { userId?: string; anonymousId?: string } = {};
  for (const event of ordered) {
    if (event.userId !== undefined) out.userId = event.userId;
    if (event.anonymousId !== undefined) out.anonymousId = event.anonymousId;
  }
  return out;
}

describe("incremental activation state", () => {
  it("folded as events arrive equals evaluating the whole history, on 200 random histories", () => {
    expect(defs.traits).toHaveLength(10);
    expect(defs.audiences).toHaveLength(3);
    const random = seeded(14);
    for (let run = 0; run < 200; run++) {
      const history = randomHistory(random, 1 + Math.floor(random() * 40));
      // Arrival: shuffled, in batches, each folded at a clock that only moves forward.
      const arrivals = [...history].sort(() => random() - 0.5);
      let clock = NOW - 2 * DAY;
      let state = emptyActivationState(defs);
      for (let i = 0; i < arrivals.length;) {
        const take = 1 + Math.floor(random() * 5);
        clock += Math.floor(random() * 12 * 3_600_000);
        state = foldHistory(defs, state, arrivals.slice(i, i + take), clock);
        i += take;
      }
      const readAt = clock + Math.floor(random() * 8 * DAY);
      const traits = { plan: "gold" };
      const incremental = evaluateState(defs, state, traits, readAt);
      const scratch = evaluateProfile(defs, history, traits, readAt);
      expect(incremental, `run ${run}`).toEqual(scratch);
      expect(latestIds(state), `run ${run}`).toEqual(naiveLatestIds(history));
    }
  });

  it("keeps only what can still count: a long windowed history leaves a bounded state", () => {
    const counting = definitionsFromStored([
      orders,
      ordersWeek,
      buyers,
      stored("audience", "ever", {
        condition: {
          kind: "event",
          event: { event: "Order" },
          count: { operator: "at_least", value: 1 },
        },
      }),
    ]);
    let state = emptyActivationState(counting);
    // One order an hour for 60 days, folded as they come.
    for (let h = 0; h < 60 * 24; h++) {
      const t = NOW - 60 * DAY + h * 3_600_000;
      state = foldHistory(
        counting,
        state,
        [{ type: "track", event: "Order", properties: {}, timestamp: new Date(t).toISOString() }],
        t,
      );
    }
    // All-time counts are rolled up; windows keep at most their own span of entries.
    expect(state.traits.orders?.entries).toHaveLength(0);
    expect(state.traits.orders?.rolled.count).toBe(60 * 24);
    expect(state.traits.orders_7d?.entries.length).toBeLessThanOrEqual(7 * 24);
    const [recent, ever] = Object.values(state.matches);
    expect(recent?.times.length).toBeLessThanOrEqual(5 * 24);
    expect(ever).toEqual({ rolled: 60 * 24, times: [] });
    expect(JSON.stringify(state).length).toBeLessThan(40_000);
  });

  it("names the definitions it was folded for, so a new version rebuilds", () => {
    expect(stateBasis(defs)).toContain("computed_trait_orders@1");
    const bumped = definitionsFromStored([
      stored("computed_trait", "orders", { kind: "event_counter", event: { event: "Order" } }, 2),
    ]);
    expect(stateBasis(bumped)).toBe("computed_trait_orders@2");
    expect(emptyActivationState(bumped, 7)).toEqual({
      basis: "computed_trait_orders@2",
      version: 7,
      traits: {},
      matches: {},
    });
  });
});
