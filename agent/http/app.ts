// The agent's HTTP surface: health and status for operators, the controller webhooks, and the
// seam where the captive portal (issue "portal") mounts its routes.
import { Hono } from "hono";

/** A sub-application mounted at `path` (`/` for routes that carry their own prefix). */
export interface HttpMount {
  path: string;
  app: Hono;
}

export interface AgentAppOptions {
  /** The `/status` document (also what `agent status` prints). */
  status: () => unknown;
  /**
   * Mounted in order after `/healthz` and `/status`: the controller webhooks
   * (`controllerRoutes`, paths under `/webhooks/…`) and, later, the captive portal
   * (e.g. `{ path: "/portal", app: portalApp(deps) }`).
   */
  mounts?: readonly HttpMount[];
}

/** Builds the Hono app; tests call `app.request()` without a server (STYLE.md, hono). */
export function agentApp(options: AgentAppOptions): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/status", (c) => c.json(options.status() as Record<string, unknown>));
  for (const mount of options.mounts ?? []) app.route(mount.path, mount.app);
  app.notFound((c) => c.json({ error: { code: "not_found", message: "no such route" } }, 404));
  app.onError((_error, c) =>
    c.json(
      { error: { code: "internal_error", message: "the agent failed to handle this request" } },
      500,
    ),
  );
  return app;
}
