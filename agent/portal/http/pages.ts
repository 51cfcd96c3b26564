// GET routes: the landing page (welcome, or one-tap reconnect for a returning guest), the form,
// and the success page. Vendor parameters are validated before anything is rendered.
import type { Context } from "hono";
import { allowedUrl } from "../security/allowed-hosts.ts";
import { issueCsrfToken } from "../security/csrf.ts";
import { ArrivalError, detectArrival, type Arrival } from "../vendors/arrival.ts";
import { loginPage } from "../views/login-page.ts";
import { errorPage, reconnectPage, successPage } from "../views/outcome-pages.ts";
import { welcomePage } from "../views/welcome.ts";
import type { PageContext } from "../views/page-context.ts";
import { recogniseGuest } from "./recognise.ts";
import { bindMac, normalizeClientIp } from "./mac-binding.ts";
import {
  clientIp,
  ensureSession,
  pageContext,
  sendPage,
  type PortalRuntime,
} from "./portal-runtime.ts";

/** Parses the arrival or answers 400 with a page saying how to get back on track. */
export function arrivalOrError(
  c: Context,
  rt: PortalRuntime,
  ctx: PageContext,
  query: string,
): Arrival | Response {
  try {
    return detectArrival(new URLSearchParams(query), rt.policy);
  } catch (error) {
    if (!(error instanceof ArrivalError)) throw error;
    rt.deps.input.count("portal.arrival.rejected");
    rt.deps.input.log.warn("portal redirect rejected", { field: error.field });
    return sendPage(c, ctx, errorPage(ctx, ctx.t.badArrival), 400);
  }
}

/** Renders the form with a fresh CSRF token bound to this session and arrival. */
export function renderForm(
  c: Context,
  rt: PortalRuntime,
  ctx: PageContext,
  query: string,
  extra: {
    values?: Record<string, string>;
    errors?: Parameters<typeof loginPage>[1]["errors"];
    notice?: string;
    status?: 200 | 409 | 422;
  } = {},
): Response {
  const csrf = issueCsrfToken(rt.config.secret, ensureSession(c, rt), query, rt.deps.input.now());
  const model = {
    action: "/portal/login",
    arrival: query,
    csrf,
    fields: rt.config.fields,
    values: extra.values ?? {},
    errors: extra.errors ?? [],
    ...(rt.config.termsUrl ? { termsUrl: rt.config.termsUrl } : {}),
    ...(extra.notice ? { notice: extra.notice } : {}),
  };
  return sendPage(c, ctx, loginPage(ctx, model), extra.status ?? 200);
}

/** GET /portal and GET /guest/s/:site/: welcome, or reconnect for a recognised guest. */
export function landing(c: Context, rt: PortalRuntime, query: string): Response {
  const ctx = pageContext(c, rt);
  const arrival = arrivalOrError(c, rt, ctx, query);
  if (arrival instanceof Response) return arrival;
  rt.deps.input.count(`portal.viewed.${arrival.vendor}`);
  const mac = rt.deps.input.identifyMac(arrival.clientMac);
  const observed = rt.deps.observedMacHash?.(normalizeClientIp(clientIp(c)));
  const formHref = `/portal/form?${query}`;
  // By MAC only when the agent saw that MAC at this address (mac-binding.ts); a cookie always.
  const confirmed = bindMac(mac, observed).kind === "confirmed" ? mac.hash : undefined;
  if (recogniseGuest(c, rt, confirmed) !== undefined) {
    const csrf = issueCsrfToken(rt.config.secret, ensureSession(c, rt), query, rt.deps.input.now());
    return sendPage(
      c,
      ctx,
      reconnectPage(ctx, { action: "/portal/reconnect", arrival: query, csrf, formHref }),
    );
  }
  ensureSession(c, rt);
  return sendPage(c, ctx, welcomePage(ctx, formHref));
}

/** GET /portal/form */
export function formRoute(c: Context, rt: PortalRuntime): Response {
  const ctx = pageContext(c, rt);
  const query = new URL(c.req.url).searchParams.toString();
  const arrival = arrivalOrError(c, rt, ctx, query);
  if (arrival instanceof Response) return arrival;
  return renderForm(c, rt, ctx, query);
}

/**
 * GET /portal/success (also Meraki sign-on's `success_url`, which adds `logout_url`). Links are
 * shown only for allowed hosts; nothing here redirects.
 */
export function successRoute(c: Context, rt: PortalRuntime): Response {
  const ctx = pageContext(c, rt);
  const onward = [...rt.config.meraki.allowedHosts, ...rt.config.continueHosts];
  const continueUrl = allowedUrl(c.req.query("continue_url") ?? "", onward)?.href;
  const logoutUrl = allowedUrl(
    c.req.query("logout_url") ?? "",
    rt.config.meraki.allowedHosts,
  )?.href;
  return sendPage(
    c,
    ctx,
    successPage(ctx, {
      ...(continueUrl ? { continueUrl } : {}),
      ...(logoutUrl ? { logoutUrl } : {}),
    }),
  );
}
