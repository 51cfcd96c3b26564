import { describe, expect, it } from "vitest";
import {
  audienceChangeMessages,
  computedTraitMessages,
} from "../../../worker/activation/activation-events.ts";
import { compareValue } from "../../../worker/activation/conditions.ts";

// Shapes from Segment's using-engage-data.md: identify `traits.<key>: true|false`, track
// `Audience Entered`/`Audience Exited` with `properties.audience_key`, `Trait Computed` with
// `properties.trait_key`, all with context.personas {computation_class, computation_id,
// computation_key, namespace, space_id}.
const ref = { spaceId: "sp1", computationId: "aud_123", key: "recent_purchasers" };
const person = { profileId: "prof_1", userId: "user-123", anonymousId: "anon-456" };
const at = "2026-01-15T10:00:00.000Z";
const personas = {
  computation_class: "audience",
  computation_id: "aud_123",
  computation_key: "recent_purchasers",
  namespace: "spa_sp1",
  space_id: "sp1",
};

describe("audienceChangeMessages", () => {
  it("sends identify and track for an entry", async () => {
    const [identify, track] = await audienceChangeMessages(ref, person, true, at, "both");
    expect(identify).toMatchObject({
      type: "identify",
      userId: "user-123",
      anonymousId: "anon-456",
      traits: { recent_purchasers: true },
      context: { personas },
      timestamp: at,
      version: 2,
    });
    expect(track).toMatchObject({
      type: "track",
      event: "Audience Entered",
      properties: { audience_key: "recent_purchasers", recent_purchasers: true },
      context: { personas },
    });
    expect(identify?.messageId).toMatch(/^personas-[0-9a-f]{32}$/);
    expect(identify?.messageId).not.toBe(track?.messageId);
  });

  it("sends exits as false / Audience Exited, one kind per mode", async () => {
    const identifyOnly = await audienceChangeMessages(ref, person, false, at, "identify");
    expect(identifyOnly).toHaveLength(1);
    expect(identifyOnly[0]?.traits).toEqual({ recent_purchasers: false });
    const trackOnly = await audienceChangeMessages(ref, person, false, at, "track");
    expect(trackOnly.map((m) => [m.type, m.event, m.properties])).toEqual([
      ["track", "Audience Exited", { audience_key: "recent_purchasers", recent_purchasers: false }],
    ]);
  });

  it("derives stable messageIds: a re-emit after a retry is a duplicate, a new change is not", async () => {
    const first = await audienceChangeMessages(ref, person, true, at, "both");
    const again = await audienceChangeMessages(ref, person, true, at, "both");
    expect(again.map((m) => m.messageId)).toEqual(first.map((m) => m.messageId));
    const exit = await audienceChangeMessages(ref, person, false, at, "both");
    const laterEntry = await audienceChangeMessages(
      ref,
      person,
      true,
      "2026-02-01T00:00:00.000Z",
      "both",
    );
    const other = await audienceChangeMessages(
      ref,
      { ...person, profileId: "prof_2" },
      true,
      at,
      "both",
    );
    const ids = new Set([...first, ...exit, ...laterEntry, ...other].map((m) => m.messageId));
    expect(ids.size).toBe(8);
  });

  it("omits ids the profile does not have", async () => {
    const [message] = await audienceChangeMessages(ref, { profileId: "p" }, true, at, "identify");
    expect(message).not.toHaveProperty("userId");
    expect(message).not.toHaveProperty("anonymousId");
  });
});

describe("computedTraitMessages", () => {
  const trait = { spaceId: "sp1", computationId: "tr_9", key: "lifetime_spend" };
  it("sends identify and Trait Computed with the trait class when the value changes", async () => {
    const messages = await computedTraitMessages(trait, person, 100, 120, at, "both");
    expect(messages.map((m) => [m.type, m.event, m.traits, m.properties])).toEqual([
      ["identify", undefined, { lifetime_spend: 120 }, undefined],
      ["track", "Trait Computed", undefined, { trait_key: "lifetime_spend", lifetime_spend: 120 }],
    ]);
    expect(messages[0]?.context.personas).toEqual({
      computation_class: "trait",
      computation_id: "tr_9",
      computation_key: "lifetime_spend",
      namespace: "spa_sp1",
      space_id: "sp1",
    });
  });

  it("sends nothing when the value did not change (deep equality), and sends a first value", async () => {
    expect(await computedTraitMessages(trait, person, ["a", "b"], ["a", "b"], at, "both")).toEqual(
      [],
    );
    expect(await computedTraitMessages(trait, person, 0, 0, at, "identify")).toEqual([]);
    expect(await computedTraitMessages(trait, person, undefined, 0, at, "identify")).toHaveLength(
      1,
    );
    expect(await computedTraitMessages(trait, person, null, 0, at, "identify")).toHaveLength(1);
  });
});

describe("compareValue: no coercion, null-safe", () => {
  const table: Array<[unknown, string, unknown, boolean]> = [
    [5, "equals", 5, true],
    ["5", "equals", 5, false],
    [5, "not_equals", "5", true],
    [undefined, "not_equals", "x", true],
    [null, "exists", undefined, false],
    [0, "exists", undefined, true],
    ["", "exists", undefined, true],
    [null, "not_exists", undefined, true],
    [3, "less_than", 4, true],
    ["3", "less_than", 4, false],
    [4, "at_most", 4, true],
    [4, "at_least", 4, true],
    [4, "greater_than", 4, false],
    ["gold plan", "contains", "gold", true],
    [undefined, "contains", "gold", false],
    [undefined, "not_contains", "gold", true],
    ["gold", "not_contains", "old", false],
    ["gold", "starts_with", "go", true],
    ["gold", "ends_with", "ld", true],
    [42, "starts_with", "4", false],
    ["b", "one_of", ["a", "b"], true],
    ["c", "one_of", ["a", "b"], false],
    ["2025-01-01T00:00:00Z", "before_date", "2026-01-01T00:00:00Z", true],
    ["2027-01-01", "after_date", "2026-01-01T00:00:00Z", true],
    ["not a date", "before_date", "2026-01-01T00:00:00Z", false],
    [20250101, "before_date", "2026-01-01T00:00:00Z", false],
  ];
  it.each(table)("%j %s %j → %s", (actual, operator, expected, result) => {
    expect(compareValue(actual as never, operator as never, expected as never)).toBe(result);
  });
});
