// Unit tests of the decision function on hand-built profile facts: flat matching, survivor
// choice, the drop-and-retry loop, limit periods, the weak-identifier rule and bad calls.
import { describe, expect, it } from "vitest";
import { identifierKey } from "../../../worker/identity/hashing.ts";
import type { Identifier } from "../../../worker/identity/identifiers.ts";
import type { ProfileFacts } from "../../../worker/identity/profile-facts.ts";
import { resolve } from "../../../worker/identity/resolve.ts";
import type { ResolutionPlan } from "../../../worker/identity/resolve.ts";
import {
  DEFAULT_IDENTITY_RULES,
  parseIdentitySettings,
} from "../../../worker/identity/settings.ts";
import type { IdentityRules } from "../../../worker/identity/rules.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2024-06-01T00:00:00.000Z");
const id = (type: string, value: string, strength: "strong" | "weak" = "strong"): Identifier => ({
  type,
  value,
  strength,
  collection: "users",
});
const profile = (
  pid: string,
  createdAt: number,
  ids: Identifier[],
  mergeCount = 0,
  addedAt = createdAt,
): ProfileFacts => ({
  id: pid,
  createdAt,
  mergeCount,
  identifiers: ids.map((i) => ({ type: i.type, value: i.value, addedAt })),
});

function run(
  event: Identifier[],
  profiles: ProfileFacts[],
  rules: IdentityRules = DEFAULT_IDENTITY_RULES,
): ResolutionPlan {
  const mappings = new Map<string, string>();
  for (const p of profiles)
    for (const i of p.identifiers) mappings.set(identifierKey({ ...i, collection: "users" }), p.id);
  return resolve({
    rules,
    at: NOW,
    identifiers: event,
    mappings,
    profiles: new Map(profiles.map((p) => [p.id, p])),
  });
}

describe("flat matching", () => {
  it("creates with every identifier when nothing matches, duplicates removed", () => {
    const plan = run([id("anonymous_id", "a1"), id("user_id", "u1"), id("anonymous_id", "a1")], []);
    expect(plan).toEqual({
      action: "create",
      rule: "flat_match.no_match",
      identifiers: [id("user_id", "u1"), id("anonymous_id", "a1")],
      dropped: [],
    });
  });

  it("attaches only the identifiers the profile does not have yet", () => {
    const plan = run(
      [id("user_id", "u1"), id("email", "h1")],
      [profile("p1", NOW - DAY, [id("user_id", "u1")])],
    );
    expect(plan).toEqual({
      action: "attach",
      rule: "flat_match.one_match",
      profileId: "p1",
      newIdentifiers: [id("email", "h1")],
      dropped: [],
    });
  });

  it("merges into the oldest profile and reports which identifier matched which profile", () => {
    const young = profile("p-young", NOW - DAY, [id("anonymous_id", "a1")]);
    const old = profile("p-old", NOW - 9 * DAY, [id("user_id", "u1")]);
    const middle = profile("p-mid", NOW - 5 * DAY, [id("anonymous_id", "a2")]);
    const plan = run(
      [id("anonymous_id", "a1"), id("user_id", "u1"), id("anonymous_id", "a2"), id("email", "h")],
      [young, old, middle],
    );
    expect(plan).toMatchObject({
      action: "merge",
      survivor: "p-old",
      folded: ["p-mid", "p-young"],
      newIdentifiers: [id("email", "h")],
    });
    expect(plan.action === "merge" && plan.evidence).toEqual([
      { profileId: "p-old", identifiers: [id("user_id", "u1")] },
      { profileId: "p-mid", identifiers: [id("anonymous_id", "a2")] },
      { profileId: "p-young", identifiers: [id("anonymous_id", "a1")] },
    ]);
  });

  it("breaks a creation-time tie by the smaller profile id, whatever the input order", () => {
    const a = profile("p-b", NOW - DAY, [id("anonymous_id", "a1")]);
    const b = profile("p-a", NOW - DAY, [id("anonymous_id", "a2")]);
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      expect(run([id("anonymous_id", "a1"), id("anonymous_id", "a2")], order)).toMatchObject({
        survivor: "p-a",
        folded: ["p-b"],
      });
    }
  });

  it("refuses an event with no identifiers", () => {
    expect(run([], [])).toEqual({ action: "refuse", rule: "no_usable_identifiers", dropped: [] });
  });
});

describe("limit conflicts: drop the lowest-priority identifier and retry", () => {
  it("refuses to merge two profiles with different user_ids and names the refused profiles", () => {
    const p1 = profile("p1", NOW - 2 * DAY, [id("user_id", "u1"), id("anonymous_id", "a1")]);
    const p2 = profile("p2", NOW - DAY, [id("user_id", "u2"), id("email", "e2")]);
    const plan = run([id("anonymous_id", "a1"), id("email", "e2")], [p1, p2]);
    // anonymous_id ranks below email, so it goes first and the event lands on the email's profile.
    expect(plan).toMatchObject({
      action: "attach",
      profileId: "p2",
      dropped: [
        { rule: "limit.user_id", identifier: id("anonymous_id", "a1"), profiles: ["p1", "p2"] },
      ],
    });
  });

  it("drops several identifiers in priority order until the match fits", () => {
    const p1 = profile("p1", NOW - 3 * DAY, [id("user_id", "u1")]);
    const p2 = profile("p2", NOW - 2 * DAY, [id("user_id", "u2"), id("phone", "ph")]);
    const p3 = profile("p3", NOW - DAY, [id("user_id", "u3"), id("anonymous_id", "a3")]);
    const plan = run(
      [id("user_id", "u1"), id("phone", "ph"), id("anonymous_id", "a3")],
      [p1, p2, p3],
    );
    expect(plan.dropped.map((d) => d.identifier.type)).toEqual(["phone", "anonymous_id"]);
    expect(plan).toMatchObject({ action: "attach", profileId: "p1" });
  });

  it("an event with two user_ids keeps the first by value and drops the other", () => {
    const plan = run([id("user_id", "u2"), id("user_id", "u1")], []);
    expect(plan).toMatchObject({
      action: "create",
      identifiers: [id("user_id", "u1")],
      dropped: [{ rule: "limit.user_id", identifier: id("user_id", "u2") }],
    });
  });

  it("a configured priority decides which identifier is dropped", () => {
    const rules = parseIdentitySettings({ priority: ["user_id", "anonymous_id", "email"] });
    const p1 = profile("p1", NOW - 2 * DAY, [id("user_id", "u1"), id("anonymous_id", "a1")]);
    const p2 = profile("p2", NOW - DAY, [id("user_id", "u2"), id("email", "e2")]);
    expect(run([id("anonymous_id", "a1"), id("email", "e2")], [p1, p2], rules)).toMatchObject({
      action: "attach",
      profileId: "p1",
      dropped: [{ identifier: id("email", "e2") }],
    });
  });

  it("a weekly limit counts only identifiers added in the last 7 days", () => {
    const rules = parseIdentitySettings({
      limits: { anonymous_id: { count: 2, period: "weekly" } },
    });
    const old = profile(
      "p1",
      NOW - 30 * DAY,
      [id("user_id", "u1"), id("anonymous_id", "a1"), id("anonymous_id", "a2")],
      0,
      NOW - 8 * DAY,
    );
    expect(run([id("user_id", "u1"), id("anonymous_id", "a3")], [old], rules)).toMatchObject({
      action: "attach",
      newIdentifiers: [id("anonymous_id", "a3")],
      dropped: [],
    });
    const recent = profile(
      "p1",
      NOW - 30 * DAY,
      [id("user_id", "u1"), id("anonymous_id", "a1"), id("anonymous_id", "a2")],
      0,
      NOW - 6 * DAY,
    );
    expect(run([id("user_id", "u1"), id("anonymous_id", "a3")], [recent], rules)).toMatchObject({
      action: "attach",
      newIdentifiers: [],
      dropped: [{ rule: "limit.anonymous_id" }],
    });
  });

  it("the merge cap counts the merges both sides already absorbed", () => {
    const rules = parseIdentitySettings({ maxMergesPerProfile: 5 });
    const p1 = profile("p1", NOW - 2 * DAY, [id("user_id", "u1")], 3);
    const p2 = profile("p2", NOW - DAY, [id("anonymous_id", "a1")], 1);
    expect(run([id("user_id", "u1"), id("anonymous_id", "a1")], [p1, p2], rules)).toMatchObject({
      action: "merge",
      survivor: "p1",
    });
    const p3 = profile("p2", NOW - DAY, [id("anonymous_id", "a1")], 2);
    expect(run([id("user_id", "u1"), id("anonymous_id", "a1")], [p1, p3], rules)).toMatchObject({
      action: "attach",
      dropped: [{ rule: "merge_cap" }],
    });
  });
});

describe("randomized MACs are weak identifiers", () => {
  const mac = id("wifi_mac", "m1", "weak");
  it("join a known profile", () => {
    const known = profile("p1", NOW - DAY, [id("email", "e1"), mac]);
    expect(run([mac, id("anonymous_id", "a9")], [known])).toMatchObject({
      action: "attach",
      profileId: "p1",
      newIdentifiers: [id("anonymous_id", "a9")],
    });
  });

  it("may merge an anonymous profile into a known one", () => {
    const known = profile("p1", NOW - 2 * DAY, [id("user_id", "u1")]);
    const anon = profile("p2", NOW - DAY, [mac]);
    expect(run([id("user_id", "u1"), mac], [known, anon])).toMatchObject({
      action: "merge",
      survivor: "p1",
      folded: ["p2"],
    });
  });

  it("never merge a profile with a user_id into one with an email", () => {
    const withUser = profile("p1", NOW - 2 * DAY, [id("user_id", "u1"), mac]);
    const withEmail = profile("p2", NOW - DAY, [id("email", "e2")]);
    const plan = run([mac, id("email", "e2")], [withUser, withEmail]);
    expect(plan).toMatchObject({
      action: "attach",
      profileId: "p2",
      dropped: [{ rule: "weak_identifier_merge", identifier: mac, profiles: ["p1", "p2"] }],
    });
  });

  it("never merge two known profiles reached only through two weak MACs", () => {
    const mac2 = id("wifi_mac", "m2", "weak");
    const p1 = profile("p1", NOW - 2 * DAY, [id("email", "e1"), mac]);
    const p2 = profile("p2", NOW - DAY, [id("email", "e2"), mac2]);
    expect(run([mac, mac2], [p1, p2])).toMatchObject({
      action: "attach",
      profileId: "p1",
      dropped: [{ rule: "weak_identifier_merge", identifier: mac2 }],
    });
  });

  it("a non-randomized MAC is strong and merges like any identifier (limits permitting)", () => {
    const strongMac = id("wifi_mac", "m1");
    const p1 = profile("p1", NOW - 2 * DAY, [id("email", "e1"), strongMac]);
    const p2 = profile("p2", NOW - DAY, [id("email", "e2")]);
    expect(run([strongMac, id("email", "e2")], [p1, p2])).toMatchObject({
      action: "merge",
      survivor: "p1",
      dropped: [],
    });
  });
});

describe("bad calls", () => {
  it("rejects identifiers of two collections in one call", () => {
    expect(() =>
      run([id("user_id", "u1"), { ...id("group_id", "g1"), collection: "accounts" }], []),
    ).toThrow(/one collection/);
  });
  it("rejects a mapping to a profile without facts", () => {
    const mappings = new Map([[identifierKey(id("user_id", "u1")), "ghost"]]);
    expect(() =>
      resolve({
        rules: DEFAULT_IDENTITY_RULES,
        at: NOW,
        identifiers: [id("user_id", "u1")],
        mappings,
        profiles: new Map(),
      }),
    ).toThrow(/ghost/);
  });
});
