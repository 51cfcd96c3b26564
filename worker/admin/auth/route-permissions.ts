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
  {
    method: "POST",
    path: `${A}/spaces/:spaceId/privacy-policy/rotate-hash-key`,
    permission: "config:write",
  },
  { method: "GET", path: `${A}/spaces/:spaceId/tokens`, permission: "tokens:manage" },
  { method: "POST", path: `${A}/spaces/:spaceId/tokens`, permission: "tokens:manage" },
  { method: "DELETE", path: `${A}/spaces/:spaceId/tokens/:tokenId`, permission: "tokens:manage" },
  // Workspace bootstrap: the owner token (env ADMIN_TOKEN) issues a space's first tokens here.
  { method: "POST", path: `${A}/tokens`, permission: "tokens:manage" },
  // Profile API tokens read raw traits, so issuing one is token management.
  {
    method: "POST",
    path: `${A}/spaces/:spaceId/access-tokens`,
    permission: "profile-tokens:manage",
  },
  {
    method: "GET",
    path: `${A}/spaces/:spaceId/access-tokens`,
    permission: "profile-tokens:manage",
  },
  {
    method: "DELETE",
    path: `${A}/spaces/:spaceId/access-tokens/:tokenId`,
    permission: "profile-tokens:manage",
  },
  { method: "GET", path: `${A}/spaces/:spaceId/identity-settings`, permission: "config:read" },
  { method: "PUT", path: `${A}/spaces/:spaceId/identity-settings`, permission: "config:write" },
  { method: "GET", path: `${A}/spaces/:spaceId/retention`, permission: "config:read" },
  { method: "PUT", path: `${A}/spaces/:spaceId/retention`, permission: "config:write" },
  { method: "GET", path: `${A}/spaces/:spaceId/audit`, permission: "audit:read" },
  { method: "GET", path: `${A}/spaces/:spaceId/identity-audit`, permission: "audit:read" },
  // The export holds the raw traits of every profile. One profile is read masked or, with the
  // PII grant, raw; `profiles/:profileId` alone would be ambiguous with `profiles/export`.
  { method: "GET", path: `${A}/spaces/:spaceId/profiles/export`, permission: "pii:read" },
  {
    method: "GET",
    path: `${A}/spaces/:spaceId/profiles/:profileId/masked`,
    permission: "profiles:read",
  },
  { method: "GET", path: `${A}/spaces/:spaceId/profiles/:profileId/pii`, permission: "pii:read" },
  { method: "GET", path: `${A}/spaces/:spaceId/suppressions`, permission: "regulations:read" },
  { method: "POST", path: `${A}/spaces/:spaceId/regulations`, permission: "regulations:write" },
  { method: "GET", path: `${A}/spaces/:spaceId/regulations`, permission: "regulations:read" },
  {
    method: "GET",
    path: `${A}/spaces/:spaceId/regulations/:regulationId`,
    permission: "regulations:read",
  },
  // Destinations and activation (issue 7): Editors configure them, Auditors read them; dead
  // letters hold event bodies, so reading them is events:read.
  { method: "POST", path: `${A}/spaces/:spaceId/destinations`, permission: "config:write" },
  { method: "GET", path: `${A}/spaces/:spaceId/destinations`, permission: "config:read" },
  {
    method: "GET",
    path: `${A}/spaces/:spaceId/destinations/:destinationId`,
    permission: "config:read",
  },
  {
    method: "PUT",
    path: `${A}/spaces/:spaceId/destinations/:destinationId`,
    permission: "config:write",
  },
  {
    method: "DELETE",
    path: `${A}/spaces/:spaceId/destinations/:destinationId`,
    permission: "config:write",
  },
  {
    method: "GET",
    path: `${A}/spaces/:spaceId/destinations/:destinationId/overview`,
    permission: "lineage:read",
  },
  {
    method: "GET",
    path: `${A}/spaces/:spaceId/destinations/:destinationId/events/:messageId`,
    permission: "lineage:read",
  },
  {
    method: "GET",
    path: `${A}/spaces/:spaceId/destinations/:destinationId/dead-letters`,
    permission: "events:read",
  },
  {
    method: "POST",
    path: `${A}/spaces/:spaceId/destinations/:destinationId/dead-letters/replay`,
    permission: "config:write",
  },
  ...(["computed-traits", "audiences"] as const).flatMap((kind): RoutePermission[] => [
    { method: "GET", path: `${A}/spaces/:spaceId/${kind}`, permission: "config:read" },
    // A preview counts current members: it reads profiles.
    { method: "POST", path: `${A}/spaces/:spaceId/${kind}/preview`, permission: "profiles:read" },
    { method: "GET", path: `${A}/spaces/:spaceId/${kind}/:key`, permission: "config:read" },
    { method: "PUT", path: `${A}/spaces/:spaceId/${kind}/:key`, permission: "config:write" },
    { method: "DELETE", path: `${A}/spaces/:spaceId/${kind}/:key`, permission: "config:write" },
  ]),
  // Counts of Durable Object requests and Queue messages, across spaces: the workspace owner's.
  { method: "GET", path: `${A}/meter`, permission: "spaces:manage" },
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

export interface RouteMatch {
  route: RoutePermission;
  /** `:param` values of the path, URI-decoded. */
  params: Record<string, string>;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The table row `method path` matches (first wins) with its params, or `undefined`. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const wanted = segments(path.split("?")[0] ?? "");
  const upper = method.toUpperCase();
  for (const route of ROUTE_PERMISSIONS) {
    if (route.method !== upper) continue;
    const pattern = segments(route.path);
    if (pattern.length !== wanted.length) continue;
    const matches = pattern.every((part, i) =>
      part.startsWith(":") ? (wanted[i] ?? "") !== "" : part === wanted[i],
    );
    if (!matches) continue;
    // No prototype: a route without `:spaceId` must read `params.spaceId` as undefined, never as
    // a value inherited from a polluted Object.prototype.
    const params = Object.create(null) as Record<string, string>;
    pattern.forEach((part, i) => {
      if (part.startsWith(":")) params[part.slice(1)] = decoded(wanted[i] ?? "");
    });
    return { route, params };
  }
  return undefined;
}

/** The permission `method path` needs, or `undefined` for a route not in the table (refuse it). */
export function permissionForRoute(method: string, path: string): Permission | undefined {
  return matchRoute(method, path)?.route.permission;
}
