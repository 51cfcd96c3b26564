import { describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import {
  AudienceSetError,
  audienceSchema,
  parseAudienceSet,
  type AudienceCondition,
  type AudienceDefinition,
} from "../../../worker/activation/audience-definition.ts";
import {
  audiencePresets,
  frequentVisitorsWithoutBooking,
  lapsedGuests,
  recentPurchasers,
} from "../../../worker/activation/audience-presets.ts";
import { evaluateAudience, type AudienceProfile } from "../../../worker/activation/audiences.ts";
import type { HistoryEvent } from "../../../worker/activation/history.ts";
import { DAY, NOW, track } from "./history-fixtures.ts";

function profile(history: HistoryEvent[], traits = {}, computedTraits = {}): AudienceProfile {
  return { history, traits, computedTraits };
}

function audience(condition: unknown, key = "a"): AudienceDefinition {
  return audienceSchema.parse({ key, name: key, condition });
}

const visit = (days: number) => track("Venue Visit Started", days);
const booking = (days: number) => track("Order Completed", days, { total: 120 });

describe("presets", () => {
  it("are valid definitions", () => {
    expect(() => parseAudienceSet(audiencePresets())).not.toThrow();
  });

  describe("frequent visitors without a recent booking", () => {
    const def = frequentVisitorsWithoutBooking();
    const table: Array<[string, HistoryEvent[], boolean]> = [
      ["3 visits in 90 days, no booking", [visit(80), visit(40), visit(3)], true],
      ["exactly 2 visits is not more than twice", [visit(80), visit(3)], false],
      ["3 visits but one is 95 days old", [visit(95), visit(40), visit(3)], false],
      ["3 visits and a booking 10 days ago", [visit(80), visit(40), visit(3), booking(10)], false],
      ["3 visits and a booking 45 days ago", [visit(80), visit(40), visit(3), booking(45)], true],
      ["no events", [], false],
    ];
    it.each(table)("%s", (_name, history, member) => {
      expect(evaluateAudience(def, profile(history), NOW).member).toBe(member);
    });

    it("drops out when the oldest visit leaves the 90-day window, and says when", () => {
      const history = [visit(80), visit(40), visit(3)];
      const now = evaluateAudience(def, profile(history), NOW);
      expect(now).toEqual({ member: true, nextChangeAt: NOW + 10 * DAY });
      const later = evaluateAudience(def, profile(history), NOW + 10 * DAY);
      expect(later.member).toBe(false);
      expect(evaluateAudience(def, profile(history), NOW + 10 * DAY - 1).member).toBe(true);
    });

    it("enters when a recent booking ages out of the 30-day window", () => {
      const history = [visit(80), visit(40), visit(3), booking(25)];
      const result = evaluateAudience(def, profile(history), NOW);
      expect(result).toEqual({ member: false, nextChangeAt: NOW + 5 * DAY });
      expect(evaluateAudience(def, profile(history), NOW + 5 * DAY).member).toBe(true);
    });
  });

  describe("recent purchasers (60 days)", () => {
    const def = recentPurchasers();
    it("holds for 60 days after a purchase, then lapses exactly then", () => {
      const history = [booking(59)];
      expect(evaluateAudience(def, profile(history), NOW)).toEqual({
        member: true,
        nextChangeAt: NOW + DAY,
      });
      expect(evaluateAudience(def, profile(history), NOW + DAY)).toEqual({
        member: false,
        nextChangeAt: null,
      });
      expect(evaluateAudience(def, profile([booking(61)]), NOW).member).toBe(false);
      expect(evaluateAudience(def, profile([track("Order Refunded", 1)]), NOW).member).toBe(false);
    });
  });

  describe("lapsed guests (no visit in 12 months)", () => {
    const def = lapsedGuests();
    it("needs a visit ever and none in 365 days", () => {
      expect(evaluateAudience(def, profile([visit(400)]), NOW).member).toBe(true);
      expect(evaluateAudience(def, profile([visit(400), visit(100)]), NOW)).toEqual({
        member: false,
        nextChangeAt: NOW + 265 * DAY,
      });
      expect(evaluateAudience(def, profile([]), NOW)).toEqual({
        member: false,
        nextChangeAt: null,
      });
    });
  });

  it("take other event names", () => {
    const def = recentPurchasers({
      visit: "Visit",
      booking: "Table Booked",
      purchase: "Table Booked",
    });
    expect(evaluateAudience(def, profile([track("Table Booked", 2)]), NOW).member).toBe(true);
  });
});

describe("event conditions", () => {
  const counts: Array<[string, number, boolean]> = [
    ["at_least", 2, true],
    ["at_least", 3, false],
    ["at_most", 2, true],
    ["at_most", 1, false],
    ["exactly", 2, true],
    ["exactly", 3, false],
    ["more_than", 1, true],
    ["more_than", 2, false],
    ["less_than", 3, true],
    ["less_than", 2, false],
  ];
  it.each(counts)("count %s %i", (operator, value, member) => {
    const def = audience({
      kind: "event",
      event: { event: "Venue Visit Started" },
      count: { operator, value },
    });
    expect(evaluateAudience(def, profile([visit(1), visit(2)]), NOW).member).toBe(member);
  });

  it("between N and M days ago enters and leaves at both edges", () => {
    const def = audience({
      kind: "event",
      event: { event: "Venue Visit Started" },
      window: { type: "between", fromDaysAgo: 30, toDaysAgo: 90 },
    });
    const history = [visit(10)];
    expect(evaluateAudience(def, profile(history), NOW)).toEqual({
      member: false,
      nextChangeAt: NOW + 20 * DAY,
    });
    expect(evaluateAudience(def, profile(history), NOW + 20 * DAY)).toEqual({
      member: true,
      nextChangeAt: NOW + 80 * DAY,
    });
    expect(evaluateAudience(def, profile(history), NOW + 80 * DAY).member).toBe(false);
  });

  it("between dates is fixed in time", () => {
    const def = audience({
      kind: "event",
      event: { event: "Venue Visit Started" },
      window: { type: "dates", start: "2025-12-01T00:00:00Z", end: "2026-01-01T00:00:00Z" },
    });
    expect(evaluateAudience(def, profile([visit(30)]), NOW)).toEqual({
      member: true,
      nextChangeAt: null,
    });
    expect(evaluateAudience(def, profile([visit(10)]), NOW).member).toBe(false);
  });

  it("refines on event properties", () => {
    const def = audience({
      kind: "event",
      event: {
        event: "Order Completed",
        where: [{ property: "total", operator: "at_least", value: 100 }],
      },
    });
    expect(evaluateAudience(def, profile([booking(3)]), NOW).member).toBe(true);
    expect(
      evaluateAudience(def, profile([track("Order Completed", 3, { total: 99 })]), NOW).member,
    ).toBe(false);
  });

  it("a future-dated event counts only once its time comes", () => {
    const def = audience({
      kind: "event",
      event: { event: "Venue Visit Started" },
      window: { type: "within", days: 7 },
    });
    const history = [visit(-2)];
    expect(evaluateAudience(def, profile(history), NOW)).toEqual({
      member: false,
      nextChangeAt: NOW + 2 * DAY,
    });
  });
});

describe("trait, computed trait and audience conditions; junctions", () => {
  const gold = profile(
    [],
    { plan: "gold", address: { city: "Lyon" }, email: "a@example.com" },
    { lifetime_spend: 420 },
  );
  const table: Array<[string, unknown, boolean]> = [
    ["trait equals", { kind: "trait", key: "plan", operator: "equals", value: "gold" }, true],
    [
      "nested trait",
      { kind: "trait", key: "address.city", operator: "starts_with", value: "Ly" },
      true,
    ],
    ["trait exists", { kind: "trait", key: "email", operator: "exists" }, true],
    ["trait not_exists", { kind: "trait", key: "phone", operator: "not_exists" }, true],
    [
      "trait one_of",
      { kind: "trait", key: "plan", operator: "one_of", value: ["silver", "gold"] },
      true,
    ],
    [
      "trait ends_with",
      { kind: "trait", key: "email", operator: "ends_with", value: "@example.org" },
      false,
    ],
    [
      "computed trait greater_than",
      { kind: "computed_trait", key: "lifetime_spend", operator: "greater_than", value: 400 },
      true,
    ],
    [
      "computed trait at_most",
      { kind: "computed_trait", key: "lifetime_spend", operator: "at_most", value: 400 },
      false,
    ],
    [
      "computed trait missing",
      { kind: "computed_trait", key: "visits", operator: "at_least", value: 0 },
      false,
    ],
    [
      "and",
      {
        kind: "and",
        conditions: [
          { kind: "trait", key: "plan", operator: "equals", value: "gold" },
          { kind: "trait", key: "phone", operator: "exists" },
        ],
      },
      false,
    ],
    [
      "or",
      {
        kind: "or",
        conditions: [
          { kind: "trait", key: "plan", operator: "equals", value: "x" },
          { kind: "trait", key: "email", operator: "exists" },
        ],
      },
      true,
    ],
    [
      "not",
      { kind: "not", condition: { kind: "trait", key: "plan", operator: "equals", value: "gold" } },
      false,
    ],
  ];
  it.each(table)("%s", (_name, condition, member) => {
    expect(evaluateAudience(audience(condition), gold, NOW).member).toBe(member);
  });

  it("membership of other audiences, including their time windows", () => {
    const set = parseAudienceSet([
      recentPurchasers(),
      {
        key: "vip",
        name: "VIP",
        condition: {
          kind: "and",
          conditions: [
            { kind: "audience", key: "recent_purchasers" },
            { kind: "trait", key: "plan", operator: "equals", value: "gold" },
          ],
        },
      },
      {
        key: "not_recent",
        name: "Not recent",
        condition: { kind: "audience", key: "recent_purchasers", member: false },
      },
    ]);
    const guest = profile([booking(50)], { plan: "gold" });
    const vip = set.get("vip") as AudienceDefinition;
    expect(evaluateAudience(vip, guest, NOW, set)).toEqual({
      member: true,
      nextChangeAt: NOW + 10 * DAY,
    });
    expect(evaluateAudience(vip, guest, NOW + 10 * DAY, set).member).toBe(false);
    expect(
      evaluateAudience(set.get("not_recent") as AudienceDefinition, guest, NOW, set).member,
    ).toBe(false);
  });

  it("an unresolvable reference fails closed when evaluated without its set", () => {
    const lonely = audience({ kind: "audience", key: "elsewhere" });
    expect(evaluateAudience(lonely, gold, NOW).member).toBe(false);
  });
});

describe("nextChangeAt is exact and bounded", () => {
  it("matches a brute-force scan over a year of hours", () => {
    const def = frequentVisitorsWithoutBooking();
    const history = [visit(85), visit(60), visit(20), visit(2), booking(28), booking(-5)];
    const result = evaluateAudience(def, profile(history), NOW);
    let expected: number | null = null;
    for (let t = NOW + 1; t <= NOW + 365 * DAY; t += 60 * 60 * 1000) {
      if (evaluateAudience(def, profile(history), t).member !== result.member) {
        expected = t;
        break;
      }
    }
    // The brute force steps by hours from NOW+1ms; the exact answer lies in the hour before it.
    expect(result.nextChangeAt).not.toBeNull();
    expect(expected).not.toBeNull();
    expect((expected as number) - (result.nextChangeAt as number)).toBeGreaterThanOrEqual(0);
    expect((expected as number) - (result.nextChangeAt as number)).toBeLessThan(60 * 60 * 1000);
    expect(evaluateAudience(def, profile(history), result.nextChangeAt as number).member).not.toBe(
      result.member,
    );
  });

  it("stays bounded with thousands of events", () => {
    const history = Array.from({ length: 5_000 }, (_, i) => track("Venue Visit Started", i / 100));
    const def = audience({
      kind: "event",
      event: { event: "Venue Visit Started" },
      count: { operator: "at_least", value: 1 },
      window: { type: "within", days: 7 },
    });
    const result = evaluateAudience(def, profile(history), NOW);
    expect(result.member).toBe(true);
    expect(result.nextChangeAt).not.toBeNull();
  });
});

describe("definitions: precise errors", () => {
  const valid: AudienceCondition = {
    kind: "trait",
    key: "plan",
    operator: "equals",
    value: "gold",
  };
  const bad: Array<[string, unknown, string]> = [
    ["unknown kind", { kind: "maybe" }, "condition.kind"],
    ["empty and", { kind: "and", conditions: [] }, "condition.conditions"],
    [
      "negative count",
      { kind: "event", event: { event: "x" }, count: { operator: "at_least", value: -1 } },
      "condition.count.value",
    ],
    [
      "unknown count operator",
      { kind: "event", event: { event: "x" }, count: { operator: "about", value: 1 } },
      "condition.count.operator",
    ],
    [
      "event filter without name or type",
      { kind: "did_not_perform", event: {} },
      "condition.event",
    ],
    [
      "trait numeric operator on string",
      { kind: "trait", key: "age", operator: "at_least", value: "18" },
      "condition.value",
    ],
    [
      "nested bad window",
      {
        kind: "not",
        condition: { kind: "event", event: { event: "x" }, window: { type: "within", days: -1 } },
      },
      "condition.condition.window.days",
    ],
    ["audience key not snake_case", { kind: "audience", key: "Recent Buyers" }, "condition.key"],
    ["extra field", { ...valid, extra: 1 }, "condition"],
  ];
  it.each(bad)("rejects %s", (_name, condition, path) => {
    const result = audienceSchema.safeParse({ key: "a", name: "A", condition });
    expect(result.success).toBe(false);
    expect((result.error as ZodError).issues.map((i) => i.path.join("."))).toContain(path);
  });

  it("rejects an audience key that is not snake_case", () => {
    expect(audienceSchema.safeParse({ key: "A-1", name: "A", condition: valid }).success).toBe(
      false,
    );
  });

  it("rejects unknown references, duplicates and membership cycles in a set", () => {
    const ref = (key: string, to: string) => ({
      key,
      name: key,
      condition: { kind: "audience", key: to },
    });
    expect(() => parseAudienceSet([ref("a", "missing")])).toThrow(
      new AudienceSetError("a", "refers to unknown audience missing"),
    );
    expect(() => parseAudienceSet([ref("a", "b"), ref("b", "c"), ref("c", "a")])).toThrow(
      /membership cycle a → b → c → a/,
    );
    expect(() => parseAudienceSet([ref("a", "a")])).toThrow(/membership cycle a → a/);
    expect(() =>
      parseAudienceSet([
        { key: "a", name: "A", condition: valid },
        { key: "a", name: "B", condition: valid },
      ]),
    ).toThrow(/defined twice/);
    expect(() =>
      parseAudienceSet([{ key: "a", name: "A", condition: valid }, ref("b", "a"), ref("c", "a")]),
    ).not.toThrow();
  });
});
