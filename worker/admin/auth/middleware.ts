// Admin API authentication and authorization. Two kinds of bearer token:
// - the workspace owner token (env ADMIN_TOKEN, compared in constant time): role Admin with the
//   PII grant, every space; it bootstraps the space tokens;
// - space tokens `fyat_…` (worker/admin/auth/tokens.ts), stored hashed in D1, with a role,
//   grants, one space and an optional expiry.
// Every request is matched against the route table (worker/admin/auth/route-permissions.ts) and
// authorized by the role matrix (roles.ts); a route missing from the table is refused to every
// token. Resources of another space answer 404 (principal.ts). Every authenticated call is
// written to the audit log with its outcome.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { secretsEqual, recordAudit } from "../../platform/index.ts";
import { ApiError } from "../../errors.ts";
import { TOKEN_PREFIX, tokenId, verifyAdminToken } from "./tokens.ts";
import { matchRoute, type RouteMatch } from "./route-permissions.ts";
import { authorize } from "./roles.ts";
import { getSource } from "../../sources/index.ts";
import { assertSpaceVisible, type AdminEnv, type AdminPrincipal } from "./principal.ts";
import { findAdminToken, touchAdminToken } from "./token-store.ts";

const TOKEN_ERRORS = {
  malformed_token: "the admin token is not in the fyat_<id>_<secret> form",
  invalid_token: "the admin token is not valid",
  expired_token: "the admin token has expired",
  revoked_token: "the admin token has been revoked",
} as const;

async function authenticate(env: Env, presented: string): Promise<AdminPrincipal> {
  if (presented.startsWith(TOKEN_PREFIX)) {
    const id = tokenId(presented);
    if (id === undefined) throw new ApiError(401, "malformed_token", TOKEN_ERRORS.malformed_token);
    const record = await findAdminToken(env, id);
    const check = await verifyAdminToken(presented, record, {
      now: new Date(),
      spaceId: record?.spaceId ?? "",
    });
    if (!check.ok) {
      const code = check.code === "wrong_space" ? "invalid_token" : check.code;
      throw new ApiError(401, code, TOKEN_ERRORS[code]);
    }
    return {
      actor: `token:${id}`,
      role: check.role,
      grants: check.grants,
      spaceId: record?.spaceId,
    };
  }
  const owner = env.ADMIN_TOKEN;
  if (!owner) throw new ApiError(503, "admin_not_configured", "ADMIN_TOKEN is not set");
  if (!(await secretsEqual(presented, owner))) {
    throw new ApiError(401, "invalid_token", TOKEN_ERRORS.invalid_token);
  }
  return { actor: "owner", role: "Admin", grants: ["pii_access"], spaceId: undefined };
}

/** The space a request concerns, checked against a space token's own: 404 when it is another's. */
async function assertScope(
  env: Env,
  c: Context<AdminEnv>,
  principal: AdminPrincipal,
  match: RouteMatch,
): Promise<string | undefined> {
  const { spaceId, sourceId } = match.params;
  if (spaceId !== undefined) {
    assertSpaceVisible(principal, spaceId);
    return spaceId;
  }
  let source = sourceId;
  if (match.route.path.endsWith("/archive/object")) {
    source = /^source=([^/]+)\//.exec(c.req.query("key") ?? "")?.[1];
    // Fail closed: a space token reads an archive object only when the key names one of its
    // sources (a key without a source, or of a deleted source, is nobody's to read by scope).
    if (principal.spaceId !== undefined && source === undefined) {
      throw new ApiError(404, "object_not_found", "no archive object with that key");
    }
  }
  if (source !== undefined) {
    const row = await getSource(env, source);
    if (principal.spaceId !== undefined && (!row || row.spaceId !== principal.spaceId)) {
      throw new ApiError(404, "source_not_found", `no source ${source}`);
    }
    return row?.spaceId;
  }
  if (match.route.method === "POST" && match.route.path === "/admin/v1/spaces") {
    if (principal.spaceId !== undefined) {
      throw new ApiError(403, "workspace_owner_only", "space tokens cannot create spaces");
    }
  }
  return principal.spaceId;
}

/** Guards `/admin/*` and the regulations API. */
export const requireAdmin = createMiddleware<AdminEnv>(async (c, next) => {
  const header = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
  if (!header?.[1]) throw new ApiError(401, "missing_token", "send Authorization: Bearer <token>");
  const principal = await authenticate(c.env, header[1]);
  c.set("principal", principal);
  const match = matchRoute(c.req.method, c.req.path);
  let spaceId = principal.spaceId;
  let status = 500;
  try {
    if (match) {
      const decision = authorize(principal.role, principal.grants, match.route.permission);
      if (!decision.allowed) {
        throw new ApiError(403, decision.reason, `this token may not ${match.route.permission}`, {
          details: { permission: match.route.permission },
        });
      }
      spaceId = await assertScope(c.env, c, principal, match);
    } else {
      // Deny by default, the owner token included: a route ships only with a row in the table
      // (test/worker/security/route-table.test.ts checks every registered route has one).
      throw new ApiError(403, "route_not_classified", "this route has no permission decision");
    }
    await next();
    status = c.res.status;
  } catch (error) {
    status = error instanceof ApiError ? error.status : 500;
    throw error;
  } finally {
    if (principal.spaceId !== undefined)
      await touchAdminToken(c.env, principal.actor.slice(6), Date.now());
    if (spaceId !== undefined) {
      await recordAudit(c.env, {
        spaceId,
        actor: principal.actor,
        action: `${c.req.method} ${match?.route.path ?? c.req.routePath}`,
        target: c.req.path,
        status,
        detail: match ? { permission: match.route.permission } : {},
      });
    }
  }
});
