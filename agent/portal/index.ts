// The captive portal as a mount on the agent's HTTP app (agent/http/app.ts `HttpMount`). Mounted
// at `/`: the routes carry their own prefixes because UniFi's external-portal redirect always
// targets `/guest/s/<site>/` on the portal host (https://help.ui.com/hc/en-us/articles/31228198640023-External-Hotspot-API-for-Authorization-Clients).
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { HttpMount } from "../http/app.ts";
import { formRoute, landing, successRoute } from "./http/pages.ts";
import { pageContext, portalRuntime, sendPage, type PortalDeps } from "./http/portal-runtime.ts";
import { loginRoute, reconnectRoute } from "./http/submit.ts";
import { UNIFI_SITE_PARAM } from "./vendors/arrival.ts";
import { errorPage } from "./views/outcome-pages.ts";

export type { PortalDeps } from "./http/portal-runtime.ts";
export { portalConfigSchema, type PortalConfig } from "./config.ts";

/** Form posts are a few hundred bytes; anything above this is refused before parsing. */
const MAX_FORM_BYTES = 16 * 1024;

/** Builds the portal's routes for the agent to mount. */
export function createPortal(deps: PortalDeps): HttpMount {
  const rt = portalRuntime(deps);
  const app = new Hono();
  const query = (url: string) => new URL(url).searchParams;
  app.get("/portal", (c) => landing(c, rt, query(c.req.url).toString()));
  const unifi = (site: string, url: string) => {
    const params = query(url);
    params.set(UNIFI_SITE_PARAM, site);
    return params.toString();
  };
  app.get("/guest/s/:site/", (c) => landing(c, rt, unifi(c.req.param("site"), c.req.url)));
  app.get("/guest/s/:site", (c) => landing(c, rt, unifi(c.req.param("site"), c.req.url)));
  app.get("/portal/form", (c) => formRoute(c, rt));
  app.get("/portal/success", (c) => successRoute(c, rt));
  const limit = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: (c) => {
      const ctx = pageContext(c, rt);
      return sendPage(c, ctx, errorPage(ctx, ctx.t.expiredForm), 413);
    },
  });
  app.post("/portal/login", limit, (c) => loginRoute(c, rt));
  app.post("/portal/reconnect", limit, (c) => reconnectRoute(c, rt));
  return { path: "/", app };
}
