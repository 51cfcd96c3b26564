// POST /portal/login and POST /portal/reconnect. Order matters: IP limit, CSRF (which also
// proves the hidden arrival was not edited), arrival, MAC limit, form; then the events are
// appended durably BEFORE the grant (docs/architecture.md invariant 6), then the vendor grant.
import { createHash } from "node:crypto";
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import {
  formLoginMessages,
  reconnectMessages,
  type LoginEventInput,
} from "../events/login-events.ts";
import { validateLoginForm, type ConsentChoices } from "../form/login-form.ts";
import { GUEST_COOKIE, guestCookieValue, newGuestId } from "../guests/guest-cookie.ts";
import { verifyCsrfToken } from "../security/csrf.ts";
import type { Arrival } from "../vendors/arrival.ts";
import { grantAccess } from "../vendors/grant.ts";
import { UnifiGrantError, authorizeUnifiGuest } from "../vendors/unifi.ts";
import { errorPage, handoffPage } from "../views/outcome-pages.ts";
import type { PageContext } from "../views/page-context.ts";
import { arrivalOrError, renderForm } from "./pages.ts";
import { recogniseGuest } from "./recognise.ts";
import { bindMac, normalizeClientIp } from "./mac-binding.ts";
import {
  SESSION_COOKIE,
  clientIp,
  pageContext,
  secureCookies,
  sendPage,
  successUrl,
  type PortalRuntime,
} from "./portal-runtime.ts";
import { getCookie } from "hono/cookie";

type Checked = {
  ctx: PageContext;
  fields: Record<string, string>;
  arrival: Arrival;
  query: string;
  loginId: string;
};

async function checkSubmission(c: Context, rt: PortalRuntime): Promise<Checked | Response> {
  const ctx = pageContext(c, rt);
  const byIp = rt.perIp.hit(clientIp(c));
  if (!byIp.ok) return tooMany(c, rt, ctx, byIp.retryAfterSeconds, "ip");
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") fields[k] = v;
  const query = fields.arrival ?? "";
  const csrf = verifyCsrfToken(
    rt.config.secret,
    getCookie(c, SESSION_COOKIE),
    query,
    fields.csrf,
    rt.deps.input.now(),
  );
  if (!csrf.ok) {
    rt.deps.input.count("portal.csrf.rejected");
    rt.deps.input.log.warn("portal form rejected", { reason: `csrf_${csrf.reason}` });
    const retry = csrf.reason === "mismatch" ? undefined : `/portal?${query}`;
    return sendPage(c, ctx, errorPage(ctx, ctx.t.expiredForm, retry), 403);
  }
  const arrival = arrivalOrError(c, rt, ctx, query);
  if (arrival instanceof Response) return arrival;
  const loginId = createHash("sha256")
    .update(fields.csrf ?? "")
    .digest("hex");
  return { ctx, fields, arrival, query, loginId };
}

function tooMany(
  c: Context,
  rt: PortalRuntime,
  ctx: PageContext,
  retryAfter: number,
  by: string,
): Response {
  rt.deps.input.count(`portal.rate_limited.${by}`);
  c.header("retry-after", String(retryAfter));
  return sendPage(c, ctx, errorPage(ctx, ctx.t.tooMany), 429);
}

/**
 * The claimed MAC, and whether it may be bound (mac-binding.ts): logged and counted either way,
 * so venue IT sees how many logins could not be tied to a device.
 */
function macOf(c: Context, rt: PortalRuntime, s: Checked) {
  const claimed = rt.deps.input.identifyMac(s.arrival.clientMac);
  const observed = rt.deps.observedMacHash?.(normalizeClientIp(clientIp(c)));
  const binding = bindMac(claimed, observed);
  if (binding.kind === "unconfirmed") {
    rt.deps.input.count(`portal.mac.unconfirmed.${binding.reason}`);
    rt.deps.input.log.warn("portal login without MAC binding", { reason: binding.reason });
  }
  return { claimed, confirmed: binding.kind === "confirmed" ? binding.mac : undefined };
}

async function finish(
  c: Context,
  rt: PortalRuntime,
  s: Checked,
  guestId: string,
  consent: ConsentChoices,
  mac: ReturnType<typeof macOf>,
): Promise<Response> {
  const now = rt.deps.input.now();
  const macHash = mac.claimed.hash;
  // Only a confirmed MAC is remembered for recognition and authorized for 30 days of RADIUS MAC
  // authentication; the grant below still names the claimed device (the controller or RADIUS
  // checks the real one when it connects).
  rt.guests.recordLogin(guestId, mac.confirmed?.hash ?? null, consent, now.getTime());
  if (mac.confirmed) rt.deps.credentials.authorizeMac(mac.confirmed.hash);
  const expires = new Date(now.getTime() + rt.config.returning.cookieDays * 86_400_000);
  // Lax, not Strict: a returning guest reaches the portal through the controller's cross-site
  // redirect (a top-level GET), and Strict would withhold this cookie on exactly that navigation,
  // so one-tap reconnect could never recognise them. Lax still withholds it on cross-site POSTs.
  setCookie(c, GUEST_COOKIE, guestCookieValue(rt.config.secret, guestId, expires), {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    expires,
    secure: secureCookies(c, rt),
  });
  try {
    const step = await grantAccess(s.arrival, {
      config: rt.config,
      macHash,
      successUrl: successUrl(c, rt),
      issueCredential: (hash, ttl) => rt.deps.credentials.issue(hash, ttl),
      authorizeUnifi: async (a) => {
        if (rt.config.unifi === undefined)
          throw new UnifiGrantError("login", "no unifi section in the portal config");
        await authorizeUnifiGuest(
          rt.config.unifi,
          a.apMac ? { mac: a.clientMac, apMac: a.apMac } : { mac: a.clientMac },
          rt.deps.fetch,
        );
      },
    });
    rt.deps.input.count(`portal.granted.${s.arrival.vendor}`);
    if (step.kind === "redirect") return c.redirect(step.location, 303);
    if (step.kind === "post") return sendPage(c, s.ctx, handoffPage(s.ctx, step));
    return c.redirect(step.continueUrl ?? "/portal/success", 303);
  } catch (error) {
    if (!(error instanceof UnifiGrantError)) throw error;
    rt.deps.input.count(`portal.grant_failed.${s.arrival.vendor}`);
    rt.deps.input.log.error("portal grant failed", {
      vendor: s.arrival.vendor,
      step: error.step,
      status: error.status,
    });
    return sendPage(c, s.ctx, errorPage(s.ctx, s.ctx.t.grantFailed, `/portal?${s.query}`), 502);
  }
}

function eventInput(
  rt: PortalRuntime,
  s: Checked,
  guestId: string,
  consent: ConsentChoices,
  mac: LoginEventInput["mac"],
): LoginEventInput {
  return {
    loginId: s.loginId,
    guestId,
    mac,
    consent,
    venueId: rt.deps.venue.id,
    vendor: s.arrival.vendor,
    locale: s.ctx.locale,
    at: rt.deps.input.now(),
    categories: rt.config.consentCategories,
  };
}

/** POST /portal/login */
export async function loginRoute(c: Context, rt: PortalRuntime): Promise<Response> {
  const s = await checkSubmission(c, rt);
  if (s instanceof Response) return s;
  const mac = macOf(c, rt, s);
  const byMac = rt.perMac.hit(mac.claimed.hash);
  if (!byMac.ok) return tooMany(c, rt, s.ctx, byMac.retryAfterSeconds, "mac");
  const result = validateLoginForm(s.fields, rt.config.fields);
  if (!result.ok) {
    rt.deps.input.count("portal.form.invalid");
    return renderForm(c, rt, s.ctx, s.query, {
      values: s.fields,
      errors: result.errors,
      status: 422,
    });
  }
  const guestId = newGuestId();
  rt.deps.input.append(
    formLoginMessages(
      eventInput(rt, s, guestId, result.login.consent, mac.confirmed),
      result.login,
    ),
    "login",
  );
  rt.deps.input.count("portal.login.form");
  rt.deps.input.log.info("portal login recorded", {
    vendor: s.arrival.vendor,
    method: "form",
    randomizedMac: mac.claimed.randomized,
    macBinding: mac.confirmed ? "confirmed" : "unconfirmed",
  });
  return finish(c, rt, s, guestId, result.login.consent, mac);
}

/** POST /portal/reconnect: one tap for a recognised guest, the form otherwise. */
export async function reconnectRoute(c: Context, rt: PortalRuntime): Promise<Response> {
  const s = await checkSubmission(c, rt);
  if (s instanceof Response) return s;
  const mac = macOf(c, rt, s);
  const byMac = rt.perMac.hit(mac.claimed.hash);
  if (!byMac.ok) return tooMany(c, rt, s.ctx, byMac.retryAfterSeconds, "mac");
  const guest = recogniseGuest(c, rt, mac.confirmed?.hash);
  if (guest === undefined)
    return renderForm(c, rt, s.ctx, s.query, { notice: s.ctx.t.notRecognised, status: 409 });
  rt.deps.input.append(
    reconnectMessages(eventInput(rt, s, guest.guestId, guest.consent, mac.confirmed)),
    "login",
  );
  rt.deps.input.count("portal.login.reconnect");
  rt.deps.input.log.info("portal login recorded", {
    vendor: s.arrival.vendor,
    method: "reconnect",
    randomizedMac: mac.claimed.randomized,
    macBinding: mac.confirmed ? "confirmed" : "unconfirmed",
  });
  return finish(c, rt, s, guest.guestId, guest.consent, mac);
}
