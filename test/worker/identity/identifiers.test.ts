// Identifier extraction and normalization: which fields become identifiers, in which form, and
// which values are refused (with the reason, never the value).
import { describe, expect, it } from "vitest";
import { extractIdentifiers } from "../../../worker/identity/identifiers.ts";
import { normalizeEmail, normalizePhone } from "../../../worker/identity/normalize-identifier.ts";
import {
  DEFAULT_IDENTITY_RULES,
  parseIdentitySettings,
} from "../../../worker/identity/settings.ts";
import { macHash, message, wifiMacExternalId } from "./message-builder.ts";

const extract = (...args: Parameters<typeof message>) =>
  extractIdentifiers(message(...args), DEFAULT_IDENTITY_RULES);
const pairs = (...args: Parameters<typeof message>) =>
  extract(...args).identifiers.map((i) => `${i.collection}/${i.type}:${i.value}`);

describe("Segment's identifier fields", () => {
  it("reads userId, anonymousId, traits.email, context.traits.email and phone, normalized", () => {
    const ids = pairs("identify", {
      userId: "U-1",
      anonymousId: "a-1",
      traits: { email: "  Jane@Example.COM ", phone: "+44 (20) 7946-0000" },
      context: { traits: { email: "jane.work@example.com" } },
      properties: { email: "ignored@example.com" },
    });
    expect(ids).toEqual([
      "users/user_id:U-1",
      "users/anonymous_id:a-1",
      "users/email:jane@example.com",
      "users/phone:+442079460000",
      "users/email:jane.work@example.com",
    ]);
  });

  it("does not read properties.email (Segment's current table reads traits only)", () => {
    expect(pairs("track", { userId: "u1", properties: { email: "x@example.com" } })).toEqual([
      "users/user_id:u1",
    ]);
  });

  it("reads device ids by OS, the advertising id only when ad tracking is enabled", () => {
    const ios = {
      device: {
        type: "ios",
        id: "dev-1",
        advertisingId: "idfa-1",
        adTrackingEnabled: true,
        token: "tok-1",
      },
    };
    expect(pairs("track", { context: ios })).toEqual([
      "users/ios.id:dev-1",
      "users/ios.push_token:tok-1",
      "users/ios.idfa:idfa-1",
    ]);
    const android = {
      device: { type: "android", id: "dev-2", advertisingId: "aaid", adTrackingEnabled: false },
    };
    expect(pairs("track", { context: android })).toEqual(["users/android.id:dev-2"]);
    expect(pairs("track", { context: { device: { type: "web", id: "dev-3" } } })).toEqual([]);
  });

  it("reads the Google Analytics client id", () => {
    expect(
      pairs("page", { context: { integrations: { "Google Analytics": { clientId: "GA1.2.3" } } } }),
    ).toEqual(["users/ga_client_id:GA1.2.3"]);
  });

  it("reads context.externalIds with the type lower-cased and the collection kept", () => {
    const externalIds = [
      { id: "shop-9", type: "Shopify_ID", collection: "users", encoding: "none" },
      { id: "crm-acct", type: "crm_account", collection: "accounts", encoding: "none" },
      { id: "x", type: "bad type!", collection: "users", encoding: "none" },
      { id: "y", type: "ok", collection: "teams", encoding: "none" },
    ];
    const result = extract("track", { userId: "u1", context: { externalIds } });
    expect(result.identifiers.map((i) => `${i.collection}/${i.type}:${i.value}`)).toEqual([
      "users/user_id:u1",
      "users/shopify_id:shop-9",
      "accounts/crm_account:crm-acct",
    ]);
    expect(result.rejected).toEqual([
      { type: "bad type!", field: "context.externalIds[2]", reason: "invalid" },
      { type: "ok", field: "context.externalIds[3]", reason: "invalid" },
    ]);
  });

  it("keeps one identifier when the same one arrives twice", () => {
    const externalIds = [{ id: "u1", type: "user_id", collection: "users", encoding: "none" }];
    expect(pairs("identify", { userId: "u1", context: { externalIds } })).toEqual([
      "users/user_id:u1",
    ]);
  });
});

describe("the venue agent's wifi_mac", () => {
  const hash = macHash(7);
  it("a randomized MAC is one weak identifier; the anonymousId equal to it is not a second one", () => {
    const result = extract("track", {
      anonymousId: hash.toUpperCase(),
      context: { externalIds: [wifiMacExternalId(hash, true)] },
    });
    expect(result.identifiers).toEqual([
      { type: "wifi_mac", value: hash, strength: "weak", collection: "users" },
    ]);
    expect(result.rejected).toEqual([
      { type: "anonymous_id", field: "anonymousId", reason: "duplicate_of_wifi_mac" },
    ]);
  });

  it("a globally administered MAC is a strong identifier", () => {
    expect(
      extract("track", { context: { externalIds: [wifiMacExternalId(hash, false)] } }).identifiers,
    ).toEqual([{ type: "wifi_mac", value: hash, strength: "strong", collection: "users" }]);
  });

  it("a clear MAC (not the agent's 64-hex hash) is refused and never stored", () => {
    const result = extract("track", {
      userId: "u1",
      context: { externalIds: [wifiMacExternalId("aa:bb:cc:dd:ee:ff", false)] },
    });
    expect(result.identifiers.map((i) => i.type)).toEqual(["user_id"]);
    expect(result.rejected).toEqual([
      { type: "wifi_mac", field: "context.externalIds[0]", reason: "invalid" },
    ]);
    expect(JSON.stringify(result)).not.toContain("aa:bb");
  });
});

describe("alias and group", () => {
  it("alias links previousId (as anonymous_id) and userId", () => {
    expect(pairs("alias", { userId: "u1", previousId: "old-anon" })).toEqual([
      "users/user_id:u1",
      "users/anonymous_id:old-anon",
    ]);
  });

  it("group gives the account's group_id, the user's ids and a user–account link", () => {
    const result = extract("group", {
      userId: "u1",
      groupId: "acme",
      traits: { email: "billing@acme.test" },
    });
    expect(result.identifiers.map((i) => `${i.collection}/${i.type}:${i.value}`)).toEqual([
      "users/user_id:u1",
      "accounts/group_id:acme",
    ]);
    expect(result.linksUserToAccount).toBe(true);
    expect(extract("identify", { userId: "u1" }).linksUserToAccount).toBe(false);
  });

  it("refuses a groupId over 500 characters (Segment drops it)", () => {
    const result = extract("group", { userId: "u1", groupId: "g".repeat(501) });
    expect(result.rejected).toEqual([{ type: "group_id", field: "groupId", reason: "too_long" }]);
    expect(result.linksUserToAccount).toBe(false);
  });
});

describe("blocked values", () => {
  it.each([
    "",
    "   ",
    "null",
    "NULL",
    "undefined",
    "anonymous",
    "Anonymous",
    "-1",
    "0",
    "000-000",
    "00000000-0000-0000-0000-000000000000",
  ])("the default blocks userId %j", (value) => {
    const result = extract("identify", { userId: value, anonymousId: "a1" });
    expect(result.identifiers.map((i) => i.type)).toEqual(["anonymous_id"]);
    expect(result.rejected).toEqual([{ type: "user_id", field: "userId", reason: "blocked" }]);
  });

  it("does not block values that only contain a blocked value", () => {
    expect(pairs("identify", { userId: "null-user", anonymousId: "0x1" })).toEqual([
      "users/user_id:null-user",
      "users/anonymous_id:0x1",
    ]);
  });

  it("adds configured values and patterns to the defaults", () => {
    const rules = parseIdentitySettings({
      blocked: { values: ["void", "abc123"], patterns: ["^test-"] },
    });
    const result = extractIdentifiers(
      message("identify", { userId: "abc123", anonymousId: "test-9", traits: { email: "void" } }),
      rules,
    );
    expect(result.identifiers).toEqual([]);
    expect(result.rejected.map((r) => r.reason)).toEqual(["blocked", "blocked", "invalid"]);
    expect(extractIdentifiers(message("identify", { userId: "null" }), rules).identifiers).toEqual(
      [],
    );
  });
});

describe("normalization", () => {
  it.each([
    ["+44 20 7946 0000", "+442079460000"],
    ["0044-20-7946-0000", "+442079460000"],
    ["+1/555/010/9999", "+15550109999"],
  ])("phone %j becomes %j", (raw, expected) => {
    expect(normalizePhone(raw)).toEqual({ ok: true, value: expected });
  });

  // A national number has no country at the edge: it is no identifier (it used to become the
  // key "+02079460000", which no international spelling of the same number ever matched).
  it.each(["12345", "+1234567890123456", "call me", "+44 20 ext 5", "(020) 7946.0000"])(
    "phone %j is invalid",
    (raw) => {
      expect(normalizePhone(raw)).toEqual({ ok: false, reason: "invalid" });
    },
  );

  it("email is trimmed and lower-cased; malformed or oversized ones are refused", () => {
    expect(normalizeEmail(" A.B@Example.ORG\t")).toEqual({ ok: true, value: "a.b@example.org" });
    expect(normalizeEmail("no-at-sign")).toEqual({ ok: false, reason: "invalid" });
    expect(normalizeEmail("a@b@c")).toEqual({ ok: false, reason: "invalid" });
    expect(normalizeEmail(42)).toEqual({ ok: false, reason: "invalid" });
    expect(normalizeEmail(`${"a".repeat(250)}@x.io`)).toEqual({ ok: false, reason: "too_long" });
  });
});
