// Scenarios through the whole pure pipeline (extract → hash → resolve → apply): shared devices,
// venue WiFi guests with randomized and fixed MACs, alias and group calls.
import { beforeEach, describe, expect, it } from "vitest";
import { importIdentitySecret, storedIdentifierFor } from "../../../worker/identity/hashing.ts";
import { DEFAULT_IDENTITY_RULES } from "../../../worker/identity/settings.ts";
import { visibleTraits } from "../../../worker/profiles/traits.ts";
import type { NormalizedMessage } from "../../../worker/message/message.ts";
import { MemoryProfileStore } from "./memory-profile-store.ts";
import { macHash, message, wifiMacExternalId } from "./message-builder.ts";

const key = await importIdentitySecret("pipeline-space-secret-0123456789abcdef");
let store: MemoryProfileStore;
beforeEach(() => {
  store = new MemoryProfileStore(DEFAULT_IDENTITY_RULES, key);
});
const user = (value: string) => store.profileOf({ type: "user_id", value, collection: "users" });
const byEmail = async (raw: string) =>
  store.profileOf((await storedIdentifierFor(key, "users", "email", raw))!);
const byMac = (hash: string) =>
  store.profileOf({ type: "wifi_mac", value: hash, collection: "users" });

/** What the venue agent sends: the MAC hash as anonymousId and as a wifi_mac external id. */
function agentEvent(
  type: "identify" | "track",
  hash: string,
  randomized: boolean,
  fields: Partial<NormalizedMessage> = {},
): NormalizedMessage {
  return message(type, {
    anonymousId: hash,
    context: { externalIds: [wifiMacExternalId(hash, randomized)] },
    ...fields,
  });
}

describe("shared device", () => {
  it("two people, one anonymousId, two user_ids: two profiles, each with its own events", async () => {
    await store.apply(message("page", { anonymousId: "laptop", name: "Home" }));
    await store.apply(
      message("identify", { anonymousId: "laptop", userId: "alice", traits: { name: "Alice" } }),
    );
    await store.apply(
      message("track", { anonymousId: "laptop", userId: "alice", event: "Bought" }),
    );
    await store.apply(
      message("identify", { anonymousId: "laptop", userId: "bob", traits: { name: "Bob" } }),
    );
    await store.apply(message("track", { anonymousId: "laptop", userId: "bob", event: "Bought" }));
    expect(user("alice")).not.toBe(user("bob"));
    expect(visibleTraits(user("alice")!.traits)).toEqual({ name: "Alice" });
    expect(visibleTraits(user("bob")!.traits)).toEqual({ name: "Bob" });
    expect(user("alice")?.counters).toEqual({ "page:Home": 1, identify: 1, "track:Bought": 1 });
    expect(user("bob")?.counters).toEqual({ identify: 1, "track:Bought": 1 });
    expect(store.plans.flatMap((p) => p.dropped.map((d) => d.rule))).toEqual([
      "limit.user_id",
      "limit.user_id",
    ]);
  });
});

describe("venue WiFi guests", () => {
  it("a portal login ties the guest's MAC to their email; later sessions land on the same profile", async () => {
    const mac = macHash(1);
    await store.apply(agentEvent("track", mac, true, { event: "WiFi Session Started" }));
    await store.apply(
      agentEvent("identify", mac, true, { traits: { email: "Guest@Example.com", name: "Guest" } }),
    );
    await store.apply(agentEvent("track", mac, true, { event: "WiFi Session Ended" }));
    const guest = await byEmail("guest@example.com");
    expect(byMac(mac)).toBe(guest);
    expect(store.survivors()).toHaveLength(1);
    expect(guest?.identifiers.map((i) => i.type).sort()).toEqual(["email", "wifi_mac"]);
    expect(
      store.profileOf({ type: "anonymous_id", value: mac, collection: "users" }),
    ).toBeUndefined();
    expect(guest?.counters).toEqual({
      "track:WiFi Session Started": 1,
      identify: 1,
      "track:WiFi Session Ended": 1,
    });
    expect(visibleTraits(guest!.traits)).toEqual({ email: "Guest@Example.com", name: "Guest" });
  });

  it("a randomized MAC seen with two known guests never merges them", async () => {
    const mac = macHash(2);
    await store.apply(agentEvent("identify", mac, true, { traits: { email: "ann@example.com" } }));
    await store.apply(message("identify", { userId: "ben", traits: { email: "ben@example.com" } }));
    const applied = await store.apply(
      agentEvent("identify", mac, true, { traits: { email: "ben@example.com" } }),
    );
    expect(await byEmail("ann@example.com")).not.toBe(await byEmail("ben@example.com"));
    expect(byMac(mac)).toBe(await byEmail("ann@example.com"));
    expect(applied.users).toMatchObject({
      action: "attach",
      dropped: [{ rule: "weak_identifier_merge", identifier: { type: "wifi_mac" } }],
    });
  });

  it("the same scenario with a globally administered MAC merges the two guests (a strong identifier)", async () => {
    const mac = macHash(3);
    await store.apply(agentEvent("identify", mac, false, { traits: { email: "ann@example.com" } }));
    await store.apply(message("identify", { userId: "ben", traits: { email: "ben@example.com" } }));
    const applied = await store.apply(
      agentEvent("identify", mac, false, { traits: { email: "ben@example.com" } }),
    );
    expect(applied.users?.action).toBe("merge");
    expect(await byEmail("ann@example.com")).toBe(await byEmail("ben@example.com"));
  });
});

describe("alias", () => {
  it("links the anonymous previousId to the userId, merging the anonymous history", async () => {
    await store.apply(
      message("identify", {
        anonymousId: "anon-1",
        traits: { plan: "trial" },
        timestamp: "2024-05-01T10:00:00.000Z",
      }),
    );
    await store.apply(
      message("identify", {
        userId: "u1",
        traits: { name: "Uma" },
        timestamp: "2024-05-01T11:00:00.000Z",
      }),
    );
    const applied = await store.apply(
      message("alias", {
        previousId: "anon-1",
        userId: "u1",
        timestamp: "2024-05-01T12:00:00.000Z",
      }),
    );
    expect(applied.users?.action).toBe("merge");
    expect(store.survivors()).toHaveLength(1);
    expect(visibleTraits(user("u1")!.traits)).toEqual({ name: "Uma", plan: "trial" });
  });

  it("aliasing one userId to another does not merge two identified profiles", async () => {
    await store.apply(message("identify", { userId: "old-id" }));
    await store.apply(message("identify", { userId: "new-id" }));
    await store.apply(message("alias", { previousId: "old-id", userId: "new-id" }));
    expect(user("old-id")).not.toBe(user("new-id"));
  });
});

describe("group", () => {
  it("creates the account profile with the group's traits and links each member to it", async () => {
    const first = await store.apply(
      message("group", { userId: "u1", groupId: "acme", traits: { name: "Acme", plan: "team" } }),
    );
    const second = await store.apply(
      message("group", {
        anonymousId: "a2",
        groupId: "acme",
        traits: { plan: "enterprise" },
        timestamp: "2024-05-02T00:00:00.000Z",
      }),
    );
    expect(first.accounts?.action).toBe("create");
    expect(second.accounts).toMatchObject({ action: "attach", profileId: first.accountProfile });
    const account = store.profileOf({ type: "group_id", value: "acme", collection: "accounts" });
    expect(visibleTraits(account!.traits)).toEqual({ name: "Acme", plan: "enterprise" });
    expect(visibleTraits(user("u1")!.traits)).toEqual({});
    expect([...store.links].sort()).toEqual(
      [`${first.userProfile}->${account?.id}`, `${second.userProfile}->${account?.id}`].sort(),
    );
    expect(store.survivors("accounts")).toHaveLength(1);
  });
});
