// Who is calling the admin API, as the auth middleware established it, and the space checks every
// handler applies: a space token sees only its own space; anything else is answered 404, exactly
// as if it did not exist, so a token cannot probe another space's ids.
import type { Context } from "hono";
import { ApiError } from "../../errors.ts";
import type { Grant, Role } from "./roles.ts";

export interface AdminPrincipal {
  /** `owner` for the workspace token (env ADMIN_TOKEN), `token:<id>` for a space token. */
  actor: string;
  role: Role;
  grants: readonly Grant[];
  /** The one space a space token may touch; `undefined` for the workspace owner (every space). */
  spaceId: string | undefined;
}

export interface AdminVariables {
  principal: AdminPrincipal;
}

export type AdminEnv = { Bindings: Env; Variables: AdminVariables };

/** The principal of an authenticated admin request. */
export function principalOf(c: Context<AdminEnv>): AdminPrincipal {
  const principal = c.get("principal") as AdminPrincipal | undefined;
  if (!principal) throw new ApiError(401, "missing_token", "send Authorization: Bearer <token>");
  return principal;
}

/** Whether the principal may see `spaceId`. */
export function canSeeSpace(principal: AdminPrincipal, spaceId: string): boolean {
  return principal.spaceId === undefined || principal.spaceId === spaceId;
}

/** Throws the same 404 a missing space gets when the principal may not see `spaceId`. */
export function assertSpaceVisible(principal: AdminPrincipal, spaceId: string): void {
  if (!canSeeSpace(principal, spaceId))
    throw new ApiError(404, "space_not_found", `no space ${spaceId}`);
}
