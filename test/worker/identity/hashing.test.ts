// Keyed hashing of PII identifiers: known-answer values (computed independently with Node's
// crypto.createHmac), namespacing, the wifi_mac pass-through, key separation and bad secrets.
import { describe, expect, it } from "vitest";
import {
  IdentitySecretError,
  hashIdentifiers,
  identifierKey,
  importIdentitySecret,
  keyedIdentifierHash,
  storedIdentifierFor,
} from "../../../worker/identity/hashing.ts";
import type { Identifier } from "../../../worker/identity/identifiers.ts";
import { macHash } from "./message-builder.ts";

const SECRET = "hashing-test-space-secret-0123456789";
const key = await importIdentitySecret(SECRET);
const id = (type: string, value: string): Identifier => ({
  type,
  value,
  strength: "strong",
  collection: "users",
});

describe("keyed identifier hashes", () => {
  it("are HMAC-SHA256(secret, type:value) (known answers from node:crypto)", async () => {
    expect(await keyedIdentifierHash(key, "email", "jane@example.com")).toBe(
      "1a631dc2272a161dcc3fe365d667cf8815f3d8b5e622e08213fd48e26cda7416",
    );
    expect(await keyedIdentifierHash(key, "phone", "+442079460000")).toBe(
      "0c3021b34a7b812a330cdf43cd9113e7546abfb90653eba1614e603680a18035",
    );
  });

  it("hash email and phone, keep ids as sent, and never hash the agent's MAC hash again", async () => {
    const mac = macHash(3);
    const stored = await hashIdentifiers(key, [
      id("email", "jane@example.com"),
      id("phone", "+442079460000"),
      id("user_id", "u1"),
      id("wifi_mac", mac),
    ]);
    expect(stored.map((s) => [s.type, s.value, s.encoding])).toEqual([
      ["email", "1a631dc2272a161dcc3fe365d667cf8815f3d8b5e622e08213fd48e26cda7416", "hmac-sha256"],
      ["phone", "0c3021b34a7b812a330cdf43cd9113e7546abfb90653eba1614e603680a18035", "hmac-sha256"],
      ["user_id", "u1", "none"],
      ["wifi_mac", mac, "hmac-sha256"],
    ]);
    expect(JSON.stringify(stored)).not.toContain("jane");
  });

  it("namespace by type: the same value under two types gives two hashes and two keys", async () => {
    expect(await keyedIdentifierHash(key, "email", "x")).not.toBe(
      await keyedIdentifierHash(key, "phone", "x"),
    );
    const mac = macHash(3);
    expect(identifierKey(id("wifi_mac", mac))).toBe(`users/wifi_mac:${mac}`);
    expect(identifierKey(id("wifi_mac", mac))).not.toBe(identifierKey(id("anonymous_id", mac)));
    expect(identifierKey(id("user_id", "g1"))).not.toBe(
      identifierKey({ ...id("user_id", "g1"), collection: "accounts" }),
    );
  });

  it("differ between spaces: another secret gives another hash", async () => {
    const other = await importIdentitySecret(
      new TextEncoder().encode("another-space-secret-9876543210-xyz"),
    );
    expect(await keyedIdentifierHash(other, "email", "jane@example.com")).not.toBe(
      await keyedIdentifierHash(key, "email", "jane@example.com"),
    );
  });

  it("lookups normalize and hash like ingestion, and refuse values that cannot be identifiers", async () => {
    expect((await storedIdentifierFor(key, "users", "email", " Jane@Example.com"))?.value).toBe(
      "1a631dc2272a161dcc3fe365d667cf8815f3d8b5e622e08213fd48e26cda7416",
    );
    expect(await storedIdentifierFor(key, "users", "phone", "12")).toBeUndefined();
    expect(
      await storedIdentifierFor(key, "users", "wifi_mac", "aa:bb:cc:dd:ee:ff"),
    ).toBeUndefined();
  });
});

describe("bad secrets", () => {
  it.each([
    ["", 0],
    ["short", 5],
    ["x".repeat(31), 31],
  ])("refuses a %j-byte secret", async (secret, bytes) => {
    await expect(importIdentitySecret(secret)).rejects.toThrow(IdentitySecretError);
    await expect(importIdentitySecret(secret)).rejects.toThrow(`got ${bytes}`);
  });
});
