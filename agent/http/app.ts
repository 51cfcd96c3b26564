// The agent's HTTP surface: health and status for operators, the controller webhooks, and the
// seam where the captive portal (issue "portal") mounts its routes.
import { Hono } from "hono";
import { isSourceAllowed, remoteAddressOf } from "../controllers/source-allow.ts";

/**
 * Who may read `/status` by default: this machine only. The same port serves the captive portal
 * to every guest, and the status document (venue, counters, uplink state) is for operators.
 */
export const DEFAULT_STATUS_SOURCES: readonly string[] = ["127.0.0.1/32", "::1/128"];

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
  /** Addresses (CIDR) that may read `/status`; default DEFAULT_STATUS_SOURCES. */
  statusAllowedSources?: readonly string[];
}

/** Builds the Hono app; tests call `app.request()` without a server (STYLE.md, hono). */
export function agentApp(options: AgentAppOptions): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true }));
  const statusSources = options.statusAllowedSources ?? DEFAULT_STATUS_SOURCES;
  app.get("/status", (c) => {
    if (!isSourceAllowed(remoteAddressOf(c.env), statusSources))
      return c.json(
        { error: { code: "source_not_allowed", message: "status is for operators" } },
        403,
      );
    return c.json(options.status() as Record<string, unknown>);
  });
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
