import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../../worker/platform/digest.ts";
import {
  issueAdminToken,
  parseTokenRequest,
  tokenId,
  verifyAdminToken,
  type StoredAdminToken,
} from "../../../../worker/admin/auth/tokens.ts";
import { PrivacyInputError } from "../../../../worker/gate/privacy-input-error.ts";

const NOW = new Date("2026-06-13T10:00:00.000Z");
const context = { now: NOW, spaceId: "sp_harbour" };

async function issued(ttlDays?: number): Promise<{ token: string; record: StoredAdminToken }> {
  const request = parseTokenRequest({
    role: "Auditor",
    grants: ["pii_access", "pii_access"],
    ...(ttlDays ? { ttlDays } : {}),
  });
  return issueAdminToken("sp_harbour", request, NOW);
}

describe("issueAdminToken", () => {
  it("shows the token once and stores only its SHA-256", async () => {
    const { token, record } = await issued(30);
    expect(token).toMatch(/^fyat_[A-Za-z0-9]{16}_[A-Za-z0-9]{40}$/);
    expect(record.hash).toBe(await sha256Hex(token));
    expect(JSON.stringify(record)).not.toContain(token.slice(22));
    expect(record).toMatchObject({
      id: tokenId(token),
      spaceId: "sp_harbour",
      role: "Auditor",
      grants: ["pii_access"],
      createdAt: NOW.toISOString(),
      expiresAt: "2026-07-13T10:00:00.000Z",
    });
  });

  it("never issues the same token twice", async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) tokens.add((await issued()).token);
    expect(tokens.size).toBe(20);
  });
});

describe("verifyAdminToken", () => {
  it("accepts the token it issued and returns its role and grants", async () => {
    const { token, record } = await issued();
    expect(await verifyAdminToken(token, record, context)).toEqual({
      ok: true,
      role: "Auditor",
      grants: ["pii_access"],
    });
  });

  it("refuses a token with one character changed", async () => {
    const { token, record } = await issued();
    const last = token.endsWith("a") ? "b" : "a";
    expect(await verifyAdminToken(token.slice(0, -1) + last, record, context)).toEqual({
      ok: false,
      code: "invalid_token",
    });
  });

  it("refuses a well-formed token that has no record", async () => {
    const { token } = await issued();
    expect(await verifyAdminToken(token, undefined, context)).toEqual({
      ok: false,
      code: "invalid_token",
    });
  });

  it("refuses a forged token presented against another token's record", async () => {
    const mine = await issued();
    const forged = await issued();
    expect(await verifyAdminToken(forged.token, mine.record, context)).toEqual({
      ok: false,
      code: "invalid_token",
    });
  });

  it.each([
    ["Bearer fyat_x"],
    [""],
    ["fyat_short_secret"],
    ["fyat_AAAAAAAAAAAAAAAA_" + "a".repeat(39)],
    ["test-admin-token"],
  ])("refuses malformed %j", async (presented) => {
    const { record } = await issued();
    expect(await verifyAdminToken(presented, record, context)).toEqual({
      ok: false,
      code: "malformed_token",
    });
  });

  it("refuses an expired token from its expiry instant on", async () => {
    const { token, record } = await issued(1);
    expect(
      (
        await verifyAdminToken(token, record, {
          ...context,
          now: new Date("2026-06-14T09:59:59.999Z"),
        })
      ).ok,
    ).toBe(true);
    expect(
      await verifyAdminToken(token, record, {
        ...context,
        now: new Date("2026-06-14T10:00:00.000Z"),
      }),
    ).toEqual({
      ok: false,
      code: "expired_token",
    });
  });

  it("refuses a revoked token", async () => {
    const { token, record } = await issued();
    expect(
      await verifyAdminToken(token, { ...record, revokedAt: NOW.toISOString() }, context),
    ).toEqual({
      ok: false,
      code: "revoked_token",
    });
  });

  it("refuses another space's token", async () => {
    const { token, record } = await issued();
    expect(await verifyAdminToken(token, record, { now: NOW, spaceId: "sp_other" })).toEqual({
      ok: false,
      code: "wrong_space",
    });
  });
});

describe("parseTokenRequest", () => {
  it.each([
    [null, "not_an_object", ""],
    [{ role: "Owner" }, "invalid_role", "role"],
    [{ role: "admin" }, "invalid_role", "role"],
    [{ role: "Admin", grants: ["superuser"] }, "invalid_grant", "grants"],
    [{ role: "Admin", grants: "pii_access" }, "invalid_grant", "grants"],
    [{ role: "Admin", ttlDays: 0 }, "invalid_ttl", "ttlDays"],
    [{ role: "Admin", ttlDays: 366 }, "invalid_ttl", "ttlDays"],
    [{ role: "Admin", ttlDays: 1.5 }, "invalid_ttl", "ttlDays"],
    [{ role: "Admin", spaceId: "sp_other" }, "unknown_field", "spaceId"],
  ])("refuses %j", (input, code, field) => {
    expect(() => parseTokenRequest(input)).toThrow(PrivacyInputError);
    try {
      parseTokenRequest(input);
    } catch (error) {
      expect(error).toMatchObject({ code, field });
    }
  });
});
