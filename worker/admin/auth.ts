import { createMiddleware } from "hono/factory";
import { secretsEqual } from "../crypto/digest.ts";
import { ApiError } from "../errors.ts";

/**
 * Admin API guard: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. Role-checked
 * tokens replace the single token in the governance work (issue 4).
 */
export const requireAdmin = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) throw new ApiError(503, "admin_not_configured", "ADMIN_TOKEN is not set");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) throw new ApiError(401, "missing_token", "send Authorization: Bearer <token>");
  if (!(await secretsEqual(match[1], expected))) {
    throw new ApiError(401, "invalid_token", "the admin token is not valid");
  }
  await next();
});
