// Every admin route the app registers has a row in the route-permission table, and a route
// without one is refused to every token, the owner's included (deny by default).
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requireAdmin } from "../../../worker/admin/auth/middleware.ts";
import { app } from "../../../worker/app.ts";
import { ROUTE_PERMISSIONS, matchRoute } from "../../../worker/admin/auth/route-permissions.ts";
import { ADMIN, call } from "../support.ts";

const GUARDED = /^\/(admin\/|v1\/regulations)/;

/** Hono's `:kind{a|b}` expands to one concrete path per alternative; names of params are dropped. */
function concretePaths(path: string): string[] {
  const choice = /:\w+\{([^}]+)\}/.exec(path);
  if (!choice) return [path.replace(/:\w+/g, ":")];
  return (choice[1] ?? "").split("|").flatMap((alt) => concretePaths(path.replace(choice[0], alt)));
}

const registered = app.routes
  .filter((r) => r.method !== "ALL" && GUARDED.test(r.path))
  .flatMap((r) => concretePaths(r.path).map((path) => `${r.method} ${path}`));

describe("route-permission table", () => {
  it("finds the admin routes of the app", () => {
    expect(registered.length).toBeGreaterThanOrEqual(60);
  });

  it.each(registered)("classifies %s", (route) => {
    const [method = "", path = ""] = route.split(" ");
    const match = matchRoute(method, path.replace(/:/g, "x1"));
    expect(match?.route.path.replace(/:\w+/g, ":")).toBe(path);
  });

  it("has no row for a route the app does not serve", () => {
    const served = new Set(registered);
    const stale = ROUTE_PERMISSIONS.map(
      (r) => `${r.method} ${r.path.replace(/:\w+/g, ":")}`,
    ).filter((r) => !served.has(r));
    expect(stale).toEqual([]);
  });

  it("refuses a route missing from the table even to the owner token", async () => {
    const res = await call("/admin/v1/not-a-route", { headers: ADMIN });
    expect(res.status).toBe(403);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("route_not_classified");
  });

  it("refuses a registered route that has no row, even to the owner token", async () => {
    const probe = new Hono<{ Bindings: Env }>();
    probe.use("/admin/*", requireAdmin);
    probe.get("/admin/v1/unclassified", (c) => c.json({ leaked: true }));
    probe.onError((e, c) => c.json({ status: (e as { status?: number }).status }, 418));
    const res = await probe.request("/admin/v1/unclassified", { headers: ADMIN }, env);
    expect(await res.json()).toEqual({ status: 403 });
  });
});
