import { describe, expect, it } from "vitest";
import { ADMIN, admin, call, newSource } from "../support.ts";

describe("identity settings through the admin API", () => {
  it("saves valid settings and refuses invalid ones with the failing path", async () => {
    const s = await newSource();
    expect(await admin("GET", `/spaces/${s.spaceId}/identity-settings`)).toEqual({ settings: {} });
    const settings = {
      limits: { email: { count: 2, period: "monthly" } },
      blocked: { values: ["test@example.com"] },
    };
    expect(await admin("PUT", `/spaces/${s.spaceId}/identity-settings`, settings)).toEqual({
      settings,
    });
    expect(await admin("GET", `/spaces/${s.spaceId}/identity-settings`)).toEqual({ settings });

    const bad = await call(`/admin/v1/spaces/${s.spaceId}/identity-settings`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ limits: { email: { count: 0, period: "ever" } } }),
    });
    expect(bad.status).toBe(400);
    const error = (await bad.json<{ error: { code: string; field: string } }>()).error;
    expect(error.code).toBe("invalid_settings");
    expect(error.field).toBe("limits.email.count");
    expect(await admin("GET", `/spaces/${s.spaceId}/identity-settings`)).toEqual({ settings });
  });

  it("answers 404 for an unknown space", async () => {
    const res = await call("/admin/v1/spaces/spa_nope/identity-audit", { headers: ADMIN });
    expect(res.status).toBe(404);
  });
});
