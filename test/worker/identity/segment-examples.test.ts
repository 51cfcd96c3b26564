// Every worked example of Segment's identity-resolution docs
// (https://segment.com/docs/unify/identity-resolution/identity-resolution-settings/ and
// https://segment.com/docs/unify/product-limits/), run through the whole pure pipeline
// (extract → hash → resolve → apply) with Segment's default rules.
import { beforeEach, describe, expect, it } from "vitest";
import { importIdentitySecret, storedIdentifierFor } from "../../../worker/identity/hashing.ts";
import { visibleTraits } from "../../../worker/profiles/traits.ts";
import {
  DEFAULT_IDENTITY_RULES,
  parseIdentitySettings,
} from "../../../worker/identity/settings.ts";
import { MemoryProfileStore } from "./memory-profile-store.ts";
import { message } from "./message-builder.ts";

const key = await importIdentitySecret("segment-examples-space-secret-0123456789");
let store: MemoryProfileStore;
beforeEach(() => {
  store = new MemoryProfileStore(DEFAULT_IDENTITY_RULES, key);
});
const user = (id: string) => store.profileOf({ type: "user_id", value: id, collection: "users" });
const anon = (id: string) =>
  store.profileOf({ type: "anonymous_id", value: id, collection: "users" });
const email = async (raw: string) =>
  store.profileOf((await storedIdentifierFor(key, "users", "email", raw))!);

describe("Segment flat matching (https://segment.com/docs/unify/identity-resolution/identity-resolution-settings/)", () => {
  it("flat matching 1: no profile matches any identifier, so a profile is created", async () => {
    const applied = await store.apply(
      message("identify", { userId: "u1", anonymousId: "a1", traits: { email: "u1@example.com" } }),
    );
    expect(applied.users).toMatchObject({ action: "create", rule: "flat_match.no_match" });
    expect(store.survivors()).toHaveLength(1);
    expect(
      store
        .survivors()[0]
        ?.identifiers.map((id) => id.type)
        .sort(),
    ).toEqual(["anonymous_id", "email", "user_id"]);
  });

  it("flat matching 2: one profile matches, so the new identifiers and traits are added to it", async () => {
    await store.apply(message("page", { anonymousId: "a1" }));
    const applied = await store.apply(
      message("identify", { anonymousId: "a1", userId: "u1", traits: { plan: "pro" } }),
    );
    expect(applied.users).toMatchObject({
      action: "attach",
      rule: "flat_match.one_match",
      newIdentifiers: [{ type: "user_id", value: "u1" }],
    });
    expect(user("u1")?.id).toBe(anon("a1")?.id);
    expect(visibleTraits(user("u1")!.traits)).toEqual({ plan: "pro" });
    expect(store.survivors()).toHaveLength(1);
  });

  it("flat matching 3: several profiles match, so they merge and the older one survives", async () => {
    await store.apply(
      message("page", { anonymousId: "a1", timestamp: "2024-05-01T10:00:00.000Z" }),
    );
    await store.apply(
      message("identify", {
        userId: "u1",
        timestamp: "2024-05-01T11:00:00.000Z",
        traits: { name: "Ann" },
      }),
    );
    const older = anon("a1")!.id;
    const applied = await store.apply(
      message("identify", {
        userId: "u1",
        anonymousId: "a1",
        timestamp: "2024-05-01T12:00:00.000Z",
      }),
    );
    expect(applied.users).toMatchObject({
      action: "merge",
      rule: "flat_match.many_matches",
      survivor: older,
    });
    expect(store.survivors()).toHaveLength(1);
    expect(user("u1")?.id).toBe(older);
    expect(visibleTraits(user("u1")!.traits)).toEqual({ name: "Ann" });
    expect(user("u1")?.counters).toEqual({ page: 1, identify: 2 });
  });
});

describe("Segment identity resolution settings (https://segment.com/docs/unify/identity-resolution/identity-resolution-settings/)", () => {
  it("conflict resolution: {user_id abc123, email jane@} then {user_id abc456, email jane@} demotes the email and creates a new profile", async () => {
    await store.apply(
      message("identify", { userId: "abc123", traits: { email: "jane@example.com" } }),
    );
    const applied = await store.apply(
      message("identify", { userId: "abc456", traits: { email: "jane@example.com" } }),
    );
    expect(applied.users).toMatchObject({
      action: "create",
      identifiers: [{ type: "user_id", value: "abc456" }],
    });
    expect(applied.users?.dropped).toMatchObject([
      { rule: "limit.user_id", identifier: { type: "email" } },
    ]);
    expect(applied.users?.dropped).toHaveLength(1);
    expect(await email("jane@example.com")).toBe(user("abc123"));
    expect(user("abc456")).not.toBe(user("abc123"));
    expect(user("abc456")?.identifiers).toEqual([
      expect.objectContaining({ type: "user_id", value: "abc456" }),
    ]);
  });

  it("merge protection: anonymous_id a1 not reset at logout does not merge u1 and u2", async () => {
    await store.apply(message("identify", { anonymousId: "a1", userId: "u1" }));
    const applied = await store.apply(message("identify", { anonymousId: "a1", userId: "u2" }));
    expect(applied.users?.action).toBe("create");
    expect(applied.users?.dropped[0]).toMatchObject({
      rule: "limit.user_id",
      identifier: { type: "anonymous_id", value: "a1" },
    });
    expect(user("u1")).not.toBe(user("u2"));
    expect(anon("a1")).toBe(user("u1"));
  });

  it("merge protection: a shared team@company.com does not make a blob user", async () => {
    await store.apply(message("identify", { userId: "u1", traits: { email: "team@company.com" } }));
    await store.apply(message("identify", { userId: "u2", traits: { email: "team@company.com" } }));
    await store.apply(message("identify", { userId: "u3", traits: { email: "team@company.com" } }));
    expect(new Set([user("u1"), user("u2"), user("u3")]).size).toBe(3);
  });

  it("blocked values stay in the payload but are not promoted to identifiers", async () => {
    await store.apply(
      message("identify", {
        userId: "u1",
        anonymousId: "anonymous",
        traits: { email: "null", plan: "a" },
      }),
    );
    await store.apply(message("identify", { userId: "u2", anonymousId: "anonymous" }));
    await store.apply(
      message("identify", { userId: "u3", anonymousId: "00000000-0000-0000-0000-000000000000" }),
    );
    await store.apply(
      message("identify", { userId: "u4", anonymousId: "00000000-0000-0000-0000-000000000000" }),
    );
    expect(new Set([user("u1"), user("u2"), user("u3"), user("u4")]).size).toBe(4);
    expect(anon("anonymous")).toBeUndefined();
    expect(visibleTraits(user("u1")!.traits)).toEqual({ email: "null", plan: "a" });
  });

  it("limit: a sixth anonymous_id (others limit 5) is dropped and the event still lands on the user", async () => {
    for (const a of ["a1", "a2", "a3", "a4", "a5"])
      await store.apply(message("identify", { userId: "u1", anonymousId: a }));
    const applied = await store.apply(message("identify", { userId: "u1", anonymousId: "a6" }));
    expect(applied.users).toMatchObject({
      action: "attach",
      profileId: user("u1")?.id,
      newIdentifiers: [],
    });
    expect(applied.users?.dropped[0]).toMatchObject({
      rule: "limit.anonymous_id",
      identifier: { value: "a6" },
    });
    expect(anon("a6")).toBeUndefined();
    expect(user("u1")?.identifiers.filter((id) => id.type === "anonymous_id")).toHaveLength(5);
  });

  it("identity rule changes apply only to new data: a profile over a lowered limit still takes its own events", async () => {
    for (const a of ["a1", "a2", "a3"])
      await store.apply(message("identify", { userId: "u1", anonymousId: a }));
    const stricter = new MemoryProfileStore(
      parseIdentitySettings({ limits: { anonymous_id: { count: 1, period: "ever" } } }),
      key,
    );
    for (const [k, v] of store.index) stricter.index.set(k, v);
    for (const [k, v] of store.profiles) stricter.profiles.set(k, v);
    const same = await stricter.apply(
      message("track", { userId: "u1", anonymousId: "a2", event: "Clicked" }),
    );
    expect(same.users).toMatchObject({ action: "attach", newIdentifiers: [], dropped: [] });
    const more = await stricter.apply(
      message("track", { userId: "u1", anonymousId: "a9", event: "Clicked" }),
    );
    expect(more.users?.dropped[0]).toMatchObject({
      rule: "limit.anonymous_id",
      identifier: { value: "a9" },
    });
  });
});

describe("Segment identity limits (https://segment.com/docs/unify/product-limits/)", () => {
  it("merges per profile are capped; past the cap, event resolution continues without the merge", async () => {
    const capped = new MemoryProfileStore(parseIdentitySettings({ maxMergesPerProfile: 2 }), key);
    await capped.apply(
      message("identify", { userId: "u1", timestamp: "2024-01-01T00:00:00.000Z" }),
    );
    for (const a of ["a1", "a2", "a3"]) await capped.apply(message("page", { anonymousId: a }));
    expect(
      (await capped.apply(message("track", { userId: "u1", anonymousId: "a1" }))).users?.action,
    ).toBe("merge");
    expect(
      (await capped.apply(message("track", { userId: "u1", anonymousId: "a2" }))).users?.action,
    ).toBe("merge");
    const third = await capped.apply(
      message("track", { userId: "u1", anonymousId: "a3", event: "Third" }),
    );
    expect(third.users).toMatchObject({
      action: "attach",
      dropped: [{ rule: "merge_cap", identifier: { value: "a3" } }],
    });
    expect(capped.survivors()).toHaveLength(2);
    expect(
      capped.profileOf({ type: "user_id", value: "u1", collection: "users" })?.counters[
        "track:Third"
      ],
    ).toBe(1);
  });

  it("the default merge cap is 100 and the identifier cap is 1,000", () => {
    expect(DEFAULT_IDENTITY_RULES.maxMergesPerProfile).toBe(100);
    expect(DEFAULT_IDENTITY_RULES.maxIdentifiersPerProfile).toBe(1000);
  });

  it("identity mappings per profile are capped: a new identifier past the cap is dropped", async () => {
    const capped = new MemoryProfileStore(
      parseIdentitySettings({
        maxIdentifiersPerProfile: 3,
        defaultLimit: { count: 10, period: "ever" },
      }),
      key,
    );
    await capped.apply(
      message("identify", { userId: "u1", anonymousId: "a1", traits: { email: "x@example.com" } }),
    );
    const applied = await capped.apply(message("identify", { userId: "u1", anonymousId: "a2" }));
    expect(applied.users).toMatchObject({
      action: "attach",
      newIdentifiers: [],
      dropped: [{ rule: "identifier_cap", identifier: { value: "a2" } }],
    });
    expect(
      capped.profileOf({ type: "anonymous_id", value: "a2", collection: "users" }),
    ).toBeUndefined();
    // An event made only of new identifiers has no profile to overfill: it creates one.
    expect((await capped.apply(message("page", { anonymousId: "a2" }))).users?.action).toBe(
      "create",
    );
  });
});
