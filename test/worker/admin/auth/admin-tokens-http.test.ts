// Space tokens over HTTP: issued once and stored hashed, refused when malformed, forged, expired
// or revoked (each with its own 401 code), never able to pass on a grant their issuer lacks, and
// every use written to the audit log an Auditor can read.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../../worker/platform/digest.ts";
import { createAdminToken } from "../../../../worker/admin/auth/token-store.ts";
import { admin } from "../../support.ts";
import { as, errorCode, issueToken, newSource } from "../admin-fixtures.ts";

const DAY = 86_400_000;

describe("admin tokens", () => {
  it("stores only the hash and shows the token once", async () => {
    const s = await newSource();
    const { token, id } = await issueToken(s.spaceId, "Editor");
    const row = await env.DB.prepare("SELECT * FROM admin_tokens WHERE id = ?")
      .bind(id)
      .first<Record<string, unknown>>();
    expect(row?.hash).toBe(await sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(22));
    const listed = await admin<{ tokens: Record<string, unknown>[] }>(
      "GET",
      `/spaces/${s.spaceId}/tokens`,
    );
    expect(listed.tokens.map((t) => t.id)).toEqual([id]);
    expect(JSON.stringify(listed)).not.toContain(String(row?.hash));
    expect((await as(token, "GET", `/admin/v1/spaces/${s.spaceId}/sources`)).status).toBe(200);
  });

  it("answers malformed, forged, unknown, expired and revoked tokens with their own 401", async () => {
    const s = await newSource();
    const good = await issueToken(s.spaceId, "Admin");
    const forged = `fyat_${good.id}_${"A".repeat(40)}`;
    const unknown = `fyat_${"B".repeat(16)}_${"C".repeat(40)}`;
    const expired = await createAdminToken(
      env,
      s.spaceId,
      { role: "Admin", grants: [], ttlDays: 1 },
      new Date(Date.now() - 2 * DAY),
    );
    const revoked = await issueToken(s.spaceId, "Admin");
    await admin("DELETE", `/spaces/${s.spaceId}/tokens/${revoked.id}`);
    const cases: [string, string][] = [
      ["fyat_short", "malformed_token"],
      [forged, "invalid_token"],
      [unknown, "invalid_token"],
      [expired.token, "expired_token"],
      [revoked.token, "revoked_token"],
      ["not-the-owner-token", "invalid_token"],
    ];
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log").first<{
      n: number;
    }>();
    for (const [token, code] of cases) {
      const res = await as(token, "PUT", `/admin/v1/spaces/${s.spaceId}/retention`, {
        retentionDays: 1,
      });
      expect(res.status, code).toBe(401);
      expect(errorCode(res.json)).toBe(code);
    }
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log").first<{
      n: number;
    }>();
    expect(after?.n).toBe(before?.n);
    const retention = await admin<{ retentionDays: number }>(
      "GET",
      `/spaces/${s.spaceId}/retention`,
    );
    expect(retention.retentionDays).toBe(90);
    expect((await as(good.token, "GET", `/admin/v1/spaces/${s.spaceId}`)).status).toBe(200);
  });

  it("refuses bad token requests and grants the issuer does not hold, creating nothing", async () => {
    const s = await newSource();
    const adminNoPii = await issueToken(s.spaceId, "Admin");
    const bad: [unknown, number, string][] = [
      [{ role: "Owner" }, 400, "invalid_role"],
      [{ role: "Admin", grants: ["root"] }, 400, "invalid_grant"],
      [{ role: "Admin", ttlDays: 0 }, 400, "invalid_ttl"],
      [{ role: "Admin", extra: true }, 400, "unknown_field"],
      [{ role: "Auditor", grants: ["pii_access"] }, 403, "grant_not_held"],
    ];
    for (const [body, status, code] of bad) {
      const res = await as(adminNoPii.token, "POST", `/admin/v1/spaces/${s.spaceId}/tokens`, body);
      expect(res.status, code).toBe(status);
      expect(errorCode(res.json)).toBe(code);
    }
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM admin_tokens WHERE space_id = ?")
      .bind(s.spaceId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
    const missing = await as("test-admin-token", "POST", "/admin/v1/tokens", { role: "Admin" });
    expect(errorCode(missing.json)).toBe("missing_space");
  });

  it("logs token use and configuration changes where an Auditor can read them", async () => {
    const s = await newSource();
    const editor = await issueToken(s.spaceId, "Editor");
    const auditor = await issueToken(s.spaceId, "Auditor");
    const changed = await as(editor.token, "PUT", `/admin/v1/spaces/${s.spaceId}/consent`, {
      categories: ["Marketing"],
    });
    expect(changed.status).toBe(200);
    const refused = await as(editor.token, "GET", `/admin/v1/spaces/${s.spaceId}/audit`);
    expect(refused.status).toBe(403);
    const log = await as(auditor.token, "GET", `/admin/v1/spaces/${s.spaceId}/audit`);
    expect(log.status).toBe(200);
    const entries = log.json.entries as { actor: string; action: string; status: number | null }[];
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: "owner", action: "token.issued" }),
        expect.objectContaining({ actor: `token:${editor.id}`, action: "consent.updated" }),
        expect.objectContaining({
          actor: `token:${editor.id}`,
          action: "PUT /admin/v1/spaces/:spaceId/consent",
          status: 200,
        }),
        expect.objectContaining({
          actor: `token:${editor.id}`,
          action: "GET /admin/v1/spaces/:spaceId/audit",
          status: 403,
        }),
      ]),
    );
    const used = await env.DB.prepare("SELECT last_used_at FROM admin_tokens WHERE id = ?")
      .bind(editor.id)
      .first<{ last_used_at: number | null }>();
    expect(used?.last_used_at).not.toBeNull();
  });
});
