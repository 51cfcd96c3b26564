// Which permission each admin route needs. A route missing from the table is refused (deny by
// default), so a new route cannot ship without a decision here. Paths use Hono's `:param` syntax.
import type { Permission } from "./roles.ts";

export interface RoutePermission {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  permission: Permission;
}

const A = "/admin/v1";

export const ROUTE_PERMISSIONS: readonly RoutePermission[] = [
  { method: "POST", path: `${A}/spaces`, permission: "spaces:manage" },
  { method: "GET", path: `${A}/spaces`, permission: "config:read" },
  { method: "GET", path: `${A}/spaces/:spaceId`, permission: "config:read" },
  { method: "POST", path: `${A}/spaces/:spaceId/sources`, permission: "config:write" },
  { method: "GET", path: `${A}/spaces/:spaceId/sources`, permission: "config:read" },
  { method: "GET", path: `${A}/sources/:sourceId`, permission: "config:read" },
  { method: "PATCH", path: `${A}/sources/:sourceId`, permission: "config:write" },
  { method: "POST", path: `${A}/sources/:sourceId/enable`, permission: "config:write" },
  { method: "POST", path: `${A}/sources/:sourceId/disable`, permission: "config:write" },
  { method: "POST", path: `${A}/sources/:sourceId/rotate-key`, permission: "config:write" },
  { method: "GET", path: `${A}/sources/:sourceId/events`, permission: "events:read" },
  { method: "GET", path: `${A}/sources/:sourceId/archive`, permission: "events:read" },
  { method: "GET", path: `${A}/archive/object`, permission: "events:read" },
  { method: "GET", path: `${A}/sources/:sourceId/debugger`, permission: "events:read" },
  { method: "GET", path: `${A}/sources/:sourceId/debugger/recent`, permission: "events:read" },
  {
    method: "GET",
    path: `${A}/sources/:sourceId/events/:messageId/lineage`,
    permission: "lineage:read",
  },
  { method: "GET", path: `${A}/spaces/:spaceId/consent`, permission: "config:read" },
  { method: "PUT", path: `${A}/spaces/:spaceId/consent`, permission: "config:write" },
  { method: "GET", path: `${A}/spaces/:spaceId/privacy-policy`, permission: "config:read" },
  { method: "PUT", path: `${A}/spaces/:spaceId/privacy-policy`, permission: "config:write" },
  { method: "GET", path: `${A}/spaces/:spaceId/tokens`, permission: "tokens:manage" },
  { method: "POST", path: `${A}/spaces/:spaceId/tokens`, permission: "tokens:manage" },
  { method: "DELETE", path: `${A}/spaces/:spaceId/tokens/:tokenId`, permission: "tokens:manage" },
  { method: "GET", path: `${A}/spaces/:spaceId/audit`, permission: "audit:read" },
  { method: "GET", path: `${A}/spaces/:spaceId/profiles/:profileId`, permission: "profiles:read" },
  { method: "GET", path: `${A}/spaces/:spaceId/profiles/:profileId/pii`, permission: "pii:read" },
  // The regulations API sits at Segment's path (issue 4), behind an admin token.
  { method: "POST", path: "/v1/regulations", permission: "regulations:write" },
  { method: "GET", path: "/v1/regulations", permission: "regulations:read" },
  { method: "GET", path: "/v1/regulations/:regulationId", permission: "regulations:read" },
];

/** Path segments; inner empty segments are kept so `/sources//events` never matches a `:param`. */
function segments(path: string): string[] {
  const parts = path.split("/").slice(1);
  return parts.length > 1 && parts[parts.length - 1] === "" ? parts.slice(0, -1) : parts;
}

/** The permission `method path` needs, or `undefined` for a route not in the table (refuse it). */
export function permissionForRoute(method: string, path: string): Permission | undefined {
  const wanted = segments(path.split("?")[0] ?? "");
  const upper = method.toUpperCase();
  for (const route of ROUTE_PERMISSIONS) {
    if (route.method !== upper) continue;
    const pattern = segments(route.path);
    if (pattern.length !== wanted.length) continue;
    const matches = pattern.every((part, i) =>
      part.startsWith(":") ? (wanted[i] ?? "") !== "" : part === wanted[i],
    );
    if (matches) return route.permission;
  }
  return undefined;
}
