// Profile API access tokens: Basic auth with the token as user name and a blank password, scoped
// to one space (https://segment.com/docs/unify/profile-api/). Stored as SHA-256; shown once at creation.
import { createMiddleware } from "hono/factory";
import { randomToken, sha256Hex } from "../platform/index.ts";
import { ApiError } from "../errors.ts";

/** A Profile API token lives this long unless its creator says otherwise (README "Security"). */
export const DEFAULT_ACCESS_TOKEN_TTL_DAYS = 90;
const DAY_MS = 86_400_000;

export async function createAccessToken(
  env: Env,
  spaceId: string,
  name: string,
  ttlDays = DEFAULT_ACCESS_TOKEN_TTL_DAYS,
) {
  const token = `fyr_${randomToken(40)}`;
  const id = `tok_${randomToken(16)}`;
  const now = Date.now();
  const expiresAt = now + ttlDays * DAY_MS;
  await env.DB.prepare(
    `INSERT INTO access_tokens (id, space_id, name, token_hash, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  )
    .bind(id, spaceId, name, await sha256Hex(token), now, expiresAt)
    .run();
  return { id, token, expiresAt: new Date(expiresAt).toISOString() };
}

/** The space's Profile API tokens (never their secrets), newest first. */
export async function listAccessTokens(env: Env, spaceId: string) {
  const { results } = await env.DB.prepare(
    `SELECT id, name, created_at, expires_at, revoked_at FROM access_tokens WHERE space_id = ?
     ORDER BY created_at DESC LIMIT 1000`,
  )
    .bind(spaceId)
    .all<{
      id: string;
      name: string;
      created_at: number;
      expires_at: number | null;
      revoked_at: number | null;
    }>();
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return results.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    revokedAt: iso(r.revoked_at),
  }));
}

/** Revokes one of the space's tokens; false when the space has no such live token. */
export async function revokeAccessToken(env: Env, spaceId: string, id: string): Promise<boolean> {
  const result = await env.DB.prepare(
    "UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND space_id = ? AND revoked_at IS NULL",
  )
    .bind(Date.now(), id, spaceId)
    .run();
  return result.meta.changes > 0;
}

function tokenFrom(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  try {
    const decoded = atob(match[1]);
    return decoded.includes(":") ? decoded.slice(0, decoded.indexOf(":")) : decoded;
  } catch {
    return undefined;
  }
}

/** Requires a token of the space named in the path; another space's token is refused the same way. */
export const requireSpaceToken = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const token = tokenFrom(c.req.header("authorization"));
  if (!token)
    throw new ApiError(401, "authentication_error", "send Basic auth with an access token");
  // Lookup by hash: equal-time comparison is not needed for a value that is itself a hash of
  // the secret (no prefix of the token can be learned from timing).
  const row = await c.env.DB.prepare(
    "SELECT space_id, expires_at, revoked_at FROM access_tokens WHERE token_hash = ?",
  )
    .bind(await sha256Hex(token))
    .first<{ space_id: string; expires_at: number | null; revoked_at: number | null }>();
  const live =
    row !== null &&
    row.revoked_at === null &&
    (row.expires_at === null || row.expires_at > Date.now());
  if (!row || !live || row.space_id !== c.req.param("spaceId")) {
    throw new ApiError(401, "authentication_error", "the access token is not valid for this space");
  }
  await next();
});
