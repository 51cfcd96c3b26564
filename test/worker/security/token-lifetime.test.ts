// Tokens do not live for ever: Profile API tokens expire (90 days by default) and can be revoked;
// space admin tokens expire after 90 days unless their request says otherwise.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_ADMIN_TOKEN_TTL_DAYS } from "../../../worker/admin/auth/tokens.ts";
import { admin, call, newSource } from "../support.ts";

const DAY = 86_400_000;

function profileRead(spaceId: string, token: string) {
  return call(`/v1/spaces/${spaceId}/collections/users/profiles/user_id:nobody/traits`, {
    headers: { authorization: `Basic ${btoa(`${token}:`)}` },
  });
}

describe("Profile API token lifetime", () => {
  it("expires after 90 days by default, or the ttlDays asked for", async () => {
    const s = await newSource();
    const before = Date.now();
    const { accessToken } = await admin<{
      accessToken: { id: string; token: string; expiresAt: string };
    }>("POST", `/spaces/${s.spaceId}/access-tokens`, { name: "reader" });
    const expires = Date.parse(accessToken.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 90 * DAY);
    expect(expires).toBeLessThan(Date.now() + 90 * DAY + 1_000);
    expect((await profileRead(s.spaceId, accessToken.token)).status).toBe(404);
    // Past its expiry (moved into the past in D1, as the clock would), it is refused.
    await env.DB.prepare("UPDATE access_tokens SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, accessToken.id)
      .run();
    expect((await profileRead(s.spaceId, accessToken.token)).status).toBe(401);

    const short = await admin<{ accessToken: { expiresAt: string } }>(
      "POST",
      `/spaces/${s.spaceId}/access-tokens`,
      { name: "short", ttlDays: 1 },
    );
    expect(Date.parse(short.accessToken.expiresAt)).toBeLessThan(Date.now() + DAY + 1_000);
    const bad = await call(`/admin/v1/spaces/${s.spaceId}/access-tokens`, {
      method: "POST",
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ name: "x", ttlDays: 366 }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { field: string } }>()).error.field).toBe("ttlDays");
  });

  it("is listed without its secret and revoked at once", async () => {
    const s = await newSource();
    const { accessToken } = await admin<{ accessToken: { id: string; token: string } }>(
      "POST",
      `/spaces/${s.spaceId}/access-tokens`,
      { name: "to revoke" },
    );
    expect((await profileRead(s.spaceId, accessToken.token)).status).toBe(404);
    const listed = await admin<{ accessTokens: Record<string, unknown>[] }>(
      "GET",
      `/spaces/${s.spaceId}/access-tokens`,
    );
    expect(listed.accessTokens).toMatchObject([
      { id: accessToken.id, name: "to revoke", revokedAt: null },
    ]);
    expect(JSON.stringify(listed)).not.toContain(accessToken.token);
    await admin("DELETE", `/spaces/${s.spaceId}/access-tokens/${accessToken.id}`);
    expect((await profileRead(s.spaceId, accessToken.token)).status).toBe(401);
    const again = await call(`/admin/v1/spaces/${s.spaceId}/access-tokens/${accessToken.id}`, {
      method: "DELETE",
      headers: { authorization: "Bearer test-admin-token" },
    });
    expect(again.status).toBe(404);
    // Another space cannot revoke it (its id is not that space's).
    const other = await newSource();
    const cross = await call(`/admin/v1/spaces/${other.spaceId}/access-tokens/${accessToken.id}`, {
      method: "DELETE",
      headers: { authorization: "Bearer test-admin-token" },
    });
    expect(cross.status).toBe(404);
  });
});

describe("space admin token lifetime", () => {
  it("expires after 90 days when the request names no ttlDays", async () => {
    const s = await newSource();
    const before = Date.now();
    const res = await admin<{ adminToken: { expiresAt: string | null } }>("POST", "/tokens", {
      spaceId: s.spaceId,
      role: "Auditor",
    });
    expect(DEFAULT_ADMIN_TOKEN_TTL_DAYS).toBe(90);
    expect(Date.parse(res.adminToken.expiresAt ?? "")).toBeGreaterThanOrEqual(before + 90 * DAY);
  });
});
