// Profile API access tokens: Basic auth with the token as user name and a blank password, scoped
// to one space (segment.md §3.5). Stored as SHA-256; shown once at creation.
import { createMiddleware } from "hono/factory";
import { randomToken, sha256Hex } from "../crypto/digest.ts";
import { ApiError } from "../errors.ts";

export async function createAccessToken(env: Env, spaceId: string, name: string) {
  const token = `fyr_${randomToken(40)}`;
  const id = `tok_${randomToken(16)}`;
  await env.DB.prepare(
    "INSERT INTO access_tokens (id, space_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(id, spaceId, name, await sha256Hex(token), Date.now())
    .run();
  return { id, token };
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
  const row = await c.env.DB.prepare("SELECT space_id FROM access_tokens WHERE token_hash = ?")
    .bind(await sha256Hex(token))
    .first<{ space_id: string }>();
  if (!row || row.space_id !== c.req.param("spaceId")) {
    throw new ApiError(401, "authentication_error", "the access token is not valid for this space");
  }
  await next();
});
