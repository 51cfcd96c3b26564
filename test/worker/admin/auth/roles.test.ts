import { describe, expect, it } from "vitest";
import {
  GRANTS,
  ROLES,
  ROLE_MATRIX,
  authorize,
  roleMatrixMarkdown,
  type Grant,
  type Permission,
} from "../../../../worker/admin/auth/roles.ts";
import {
  ROUTE_PERMISSIONS,
  permissionForRoute,
} from "../../../../worker/admin/auth/route-permissions.ts";

const GRANT_SETS: Grant[][] = [[], ["pii_access"]];

describe("role matrix", () => {
  it("gives Admin everything but raw PII without the grant", () => {
    for (const { permission } of ROLE_MATRIX) {
      expect(authorize("Admin", ["pii_access"], permission)).toEqual({ allowed: true });
    }
    expect(authorize("Admin", [], "pii:read")).toEqual({
      allowed: false,
      reason: "pii_grant_required",
    });
  });

  it("keeps Editors away from tokens, regulations and the audit log", () => {
    for (const permission of [
      "tokens:manage",
      "regulations:read",
      "regulations:write",
      "audit:read",
      "spaces:manage",
    ] as const) {
      expect(authorize("Editor", ["pii_access"], permission)).toEqual({
        allowed: false,
        reason: "role_lacks_permission",
      });
    }
    expect(authorize("Editor", [], "config:write").allowed).toBe(true);
  });

  it("makes Auditors read-only: configuration, audit, lineage, regulation status", () => {
    const allowed = ROLE_MATRIX.filter(
      (r) => authorize("Auditor", ["pii_access"], r.permission).allowed,
    ).map((r) => r.permission);
    expect(allowed).toEqual(["config:read", "regulations:read", "audit:read", "lineage:read"]);
  });

  it("needs the PII grant for raw PII, and the grant opens nothing else", () => {
    for (const role of ROLES) {
      for (const { permission } of ROLE_MATRIX) {
        const without = authorize(role, [], permission).allowed;
        const withGrant = authorize(role, ["pii_access"], permission).allowed;
        if (permission === "pii:read" || permission === "profile-tokens:manage")
          expect(without).toBe(false);
        else expect(withGrant).toBe(without);
      }
    }
  });

  it("refuses a permission it does not know", () => {
    expect(authorize("Admin", ["pii_access"], "root" as Permission)).toEqual({
      allowed: false,
      reason: "unknown_permission",
    });
  });

  it("renders the README table from the same data", () => {
    const table = roleMatrixMarkdown().split("\n");
    expect(table[0]).toBe("| permission | what it allows | Admin | Editor | Auditor |");
    expect(table).toHaveLength(ROLE_MATRIX.length + 2);
    for (const [i, entry] of ROLE_MATRIX.entries()) {
      const cells = (table[i + 2] ?? "").split(" | ").slice(-3);
      cells[2] = (cells[2] ?? "").replace(/ \|$/, "");
      expect(cells).toEqual(ROLES.map((r) => entry.access[r]));
    }
  });
});

describe("route permissions", () => {
  it.each([
    ["GET", "/admin/v1/spaces/sp_1/sources", "config:read"],
    ["POST", "/admin/v1/sources/src_1/rotate-key", "config:write"],
    ["POST", "/admin/v1/sources/src_1/disable", "config:write"],
    ["GET", "/admin/v1/sources/src_1/events?limit=10", "events:read"],
    ["GET", "/admin/v1/sources/src_1/events/m-1/lineage", "lineage:read"],
    ["get", "/admin/v1/archive/object", "events:read"],
    ["POST", "/v1/regulations", "regulations:write"],
    ["GET", "/v1/regulations/reg_9", "regulations:read"],
    ["DELETE", "/admin/v1/spaces/sp_1/tokens/tok_1", "tokens:manage"],
    ["GET", "/admin/v1/spaces/sp_1/profiles/p_1/pii", "pii:read"],
    ["POST", "/admin/v1/spaces/sp_1/access-tokens", "profile-tokens:manage"],
  ])("%s %s needs %s", (method, path, permission) => {
    expect(permissionForRoute(method, path)).toBe(permission);
  });

  it.each([
    ["DELETE", "/admin/v1/spaces/sp_1"],
    ["POST", "/admin/v1/sources/src_1/destroy"],
    ["GET", "/admin/v1/sources//events"],
    ["GET", "/admin/v1/spaces/sp_1/sources/extra"],
    ["PUT", "/v1/regulations"],
  ])("denies unknown route %s %s", (method, path) => {
    expect(permissionForRoute(method, path)).toBeUndefined();
  });

  it("tries every route against every role and grant set", () => {
    const outcomes: string[] = [];
    for (const route of ROUTE_PERMISSIONS) {
      const concrete = route.path.replace(/:[A-Za-z]+/g, "x1");
      const permission = permissionForRoute(route.method, concrete);
      expect(permission).toBe(route.permission);
      for (const role of ROLES) {
        for (const grants of GRANT_SETS) {
          const allowed = authorize(role, grants, route.permission).allowed;
          const row = ROLE_MATRIX.find((r) => r.permission === route.permission);
          const access = row?.access[role];
          expect(allowed).toBe(
            access === "yes" || (access === "with PII grant" && grants.includes("pii_access")),
          );
          if (allowed) outcomes.push(`${role}:${route.method} ${route.path}`);
        }
      }
    }
    expect(outcomes).not.toContain("Auditor:POST /v1/regulations");
    expect(outcomes).not.toContain("Editor:POST /admin/v1/spaces/:spaceId/tokens");
    expect(GRANTS).toEqual(["pii_access"]);
  });

  it("has no two routes that match the same request", () => {
    for (const route of ROUTE_PERMISSIONS) {
      const concrete = route.path.replace(/:[A-Za-z]+/g, "x1");
      const matches = ROUTE_PERMISSIONS.filter((other) => {
        if (other.method !== route.method) return false;
        const a = other.path.split("/");
        const b = concrete.split("/");
        return a.length === b.length && a.every((part, i) => part.startsWith(":") || part === b[i]);
      });
      expect(matches).toEqual([route]);
    }
  });
});
