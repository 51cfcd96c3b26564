// Every admin route against every role, and every route with another space's token: the HTTP
// layer enforces the role matrix (worker/admin/auth/roles.ts) and the space scope.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTE_PERMISSIONS } from "../../../../worker/admin/auth/route-permissions.ts";
import { authorize, ROLES, type Grant } from "../../../../worker/admin/auth/roles.ts";
import { admin, eventually, track } from "../../support.ts";
import {
  as,
  errorCode,
  issueToken,
  newSource,
  type IssuedToken,
  type TestSource,
} from "../admin-fixtures.ts";

const VARIANTS = ROLES.flatMap((role) => [
  { role, grants: [] as Grant[] },
  { role, grants: ["pii_access"] as Grant[] },
]);

let a: TestSource;
let b: TestSource;
let regulationA: string;
const tokens = new Map<string, IssuedToken>();
let otherSpace: IssuedToken;
let spareToken: IssuedToken;

function concrete(path: string, space: TestSource): string {
  const filled = path
    .replace(":spaceId", space.spaceId)
    .replace(":sourceId", space.sourceId)
    .replace(":messageId", "msg-1")
    .replace(":tokenId", spareToken.id)
    .replace(":profileId", "use_unknown")
    .replace(":regulationId", regulationA);
  if (filled.endsWith("/archive/object")) return `${filled}?key=source=${space.sourceId}/x.ndjson`;
  if (filled.endsWith("/archive")) return `${filled}?date=2026-01-01`;
  return filled;
}

beforeAll(async () => {
  a = await newSource();
  b = await newSource();
  for (const v of VARIANTS)
    tokens.set(`${v.role}/${v.grants.join()}`, await issueToken(a.spaceId, v.role, v.grants));
  otherSpace = await issueToken(b.spaceId, "Admin", ["pii_access"]);
  spareToken = await issueToken(a.spaceId, "Auditor");
  const reg = await admin<{ data: { regulateId: string } }>(
    "POST",
    `/spaces/${a.spaceId}/regulations`,
    {
      regulationType: "SUPPRESS_ONLY",
      subjectType: "USER_ID",
      subjectIds: ["fixture-user"],
    },
  );
  regulationA = reg.data.regulateId;
});

describe("every route against every role", () => {
  for (const route of ROUTE_PERMISSIONS) {
    it(`${route.method} ${route.path} needs ${route.permission}`, async () => {
      for (const v of VARIANTS) {
        const token = tokens.get(`${v.role}/${v.grants.join()}`)!;
        const body = route.method === "GET" || route.method === "DELETE" ? undefined : {};
        const res = await as(token.token, route.method, concrete(route.path, a), body);
        const label = `${v.role}${v.grants.length ? "+pii" : ""}`;
        if (route.method === "POST" && route.path === "/admin/v1/spaces") {
          // spaces:manage is workspace-wide: no space token holds it, whatever its role.
          expect(res.status, label).toBe(403);
          expect(errorCode(res.json)).toBe(
            v.role === "Admin" ? "workspace_owner_only" : "role_lacks_permission",
          );
        } else if (authorize(v.role, v.grants, route.permission).allowed) {
          expect([401, 403], `${label}: ${JSON.stringify(res.json)}`).not.toContain(res.status);
        } else {
          expect(res.status, label).toBe(403);
          expect(["role_lacks_permission", "pii_grant_required"]).toContain(errorCode(res.json));
        }
      }
    });
  }

  it("matches the documented matrix at its sharp edges", async () => {
    const editor = tokens.get("Editor/")!.token;
    const auditor = tokens.get("Auditor/")!.token;
    const adminNoPii = tokens.get("Admin/")!.token;
    expect((await as(editor, "POST", "/v1/regulations", {})).status).toBe(403);
    expect((await as(editor, "GET", `/admin/v1/spaces/${a.spaceId}/tokens`)).status).toBe(403);
    expect((await as(auditor, "PUT", `/admin/v1/spaces/${a.spaceId}/consent`, {})).status).toBe(
      403,
    );
    expect((await as(auditor, "GET", `/admin/v1/spaces/${a.spaceId}/audit`)).status).toBe(200);
    const pii = await as(adminNoPii, "GET", `/admin/v1/spaces/${a.spaceId}/profiles/export`);
    expect(pii.status).toBe(403);
    expect(errorCode(pii.json)).toBe("pii_grant_required");
  });
});

describe("the PII grant cannot be side-stepped", () => {
  const policyUrl = () => `/admin/v1/spaces/${a.spaceId}/privacy-policy`;
  const rawStorage = {
    storage: { classes: { email: "raw" }, default: "hashed" },
    destinationDefault: { default: "hashed" },
    destinations: {},
  };

  it("minting a Profile API token (raw traits) needs the grant", async () => {
    const url = `/admin/v1/spaces/${a.spaceId}/access-tokens`;
    const without = await as(tokens.get("Admin/")!.token, "POST", url, { name: "x" });
    expect(without.status).toBe(403);
    expect(errorCode(without.json)).toBe("pii_grant_required");
    const withGrant = await as(tokens.get("Admin/pii_access")!.token, "POST", url, { name: "x" });
    expect(withGrant.status).toBe(201);
  });

  it("making any PII class raw needs the grant; tightening does not", async () => {
    const editor = tokens.get("Editor/")!.token;
    const refused = await as(editor, "PUT", policyUrl(), rawStorage);
    expect(refused.status).toBe(403);
    expect(errorCode(refused.json)).toBe("pii_grant_required");
    expect((refused.json.error as { field?: string }).field).toBe("storage.classes.email");
    const named = await as(editor, "PUT", policyUrl(), {
      ...rawStorage,
      storage: { default: "hashed" },
      destinations: { Hook: { default: "raw" } },
    });
    expect(named.status).toBe(403);
    const stored = await as(editor, "GET", policyUrl());
    const policy = stored.json.policy as {
      storage: { classes: Record<string, string> };
      destinations: Record<string, unknown>;
    };
    expect(policy.storage.classes.email).not.toBe("raw");
    expect(policy.destinations).toEqual({});
    // Dropping more is always allowed.
    const tighter = await as(editor, "PUT", policyUrl(), {
      ...rawStorage,
      storage: { classes: { email: "dropped" }, default: "hashed" },
    });
    expect(tighter.status).toBe(200);
    const destination = await as(editor, "POST", `/admin/v1/spaces/${a.spaceId}/destinations`, {
      slug: "webhook",
      name: "Raw Hook",
      settings: { url: "https://receiver.test/raw", secret: "whsec_test_0123456789abcdef" },
      pii: { default: "raw" },
    });
    expect(destination.status).toBe(403);
    expect((destination.json.error as { field?: string }).field).toBe("pii.default");
    const granted = await as(
      tokens.get("Editor/pii_access")!.token,
      "PUT",
      policyUrl(),
      rawStorage,
    );
    expect(granted.status).toBe(200);
  });

  it("a masked read masks whatever the storage policy says", async () => {
    const s = await newSource();
    await admin("PUT", `/spaces/${s.spaceId}/privacy-policy`, {
      storage: { default: "raw" },
      destinationDefault: { default: "hashed" },
      destinations: {},
    });
    const reader = await issueToken(s.spaceId, "Editor");
    await track(s.writeKey, "/v1/identify", {
      userId: "masked-user",
      traits: { email: "masked@example.com", phone: "+447700900123" },
      messageId: "masked-1",
    });
    const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(s.spaceId));
    const profileId = await eventually(() => graph.lookup("users", "user_id", "masked-user"));
    const url = `/admin/v1/spaces/${s.spaceId}/profiles/${profileId}/masked`;
    const res = await eventually(async () => {
      const r = await as(reader.token, "GET", url);
      const traits = (r.json.profile as { traits?: Record<string, unknown> } | undefined)?.traits;
      return traits && "email" in traits ? r : undefined;
    });
    expect(JSON.stringify(res.json)).not.toContain("masked@example.com");
    expect(JSON.stringify(res.json)).not.toContain("7700900123");
  });
});

describe("every route with another space's token", () => {
  for (const route of ROUTE_PERMISSIONS) {
    it(`${route.method} ${route.path} hides space A from space B`, async () => {
      const body = route.method === "GET" || route.method === "DELETE" ? undefined : {};
      const res = await as(otherSpace.token, route.method, concrete(route.path, a), body);
      if (route.path === "/admin/v1/spaces" && route.method === "POST") {
        expect(res.status).toBe(403);
        expect(errorCode(res.json)).toBe("workspace_owner_only");
      } else if (route.path === "/admin/v1/spaces" || route.path === "/v1/regulations") {
        // No id in the path: the answer is about B's own space only.
        expect(JSON.stringify(res.json)).not.toContain(a.spaceId);
        expect(JSON.stringify(res.json)).not.toContain(regulationA);
      } else if (route.path === "/admin/v1/tokens") {
        const issued = await as(otherSpace.token, "POST", route.path, {
          spaceId: a.spaceId,
          role: "Admin",
        });
        expect(issued.status).toBe(404);
      } else {
        expect(res.status, JSON.stringify(res.json)).toBe(404);
      }
    });
  }

  it("fails closed on an archive key that names no source, or an unknown one", async () => {
    for (const key of ["source=", "source=nope/x.ndjson", `x/source=${a.sourceId}/y`]) {
      const res = await as(otherSpace.token, "GET", `/admin/v1/archive/object?key=${key}`);
      expect(res.status, key).toBe(404);
    }
  });

  it("changed nothing in space A", async () => {
    const spare = await env.DB.prepare("SELECT revoked_at FROM admin_tokens WHERE id = ?")
      .bind(spareToken.id)
      .first<{ revoked_at: number | null }>();
    // The spare token was revoked by A's own Admins above, never by B: B's attempts left no entry.
    const byB = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM audit_log WHERE space_id = ? AND actor = ?",
    )
      .bind(a.spaceId, `token:${otherSpace.id}`)
      .first<{ n: number }>();
    expect(spare).not.toBeNull();
    expect(byB?.n).toBe(0);
    const tokensOfA = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM admin_tokens WHERE space_id = ?",
    )
      .bind(a.spaceId)
      .first<{ n: number }>();
    expect(tokensOfA?.n).toBe(VARIANTS.length + 1);
  });
});
