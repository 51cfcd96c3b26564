// Everything the portal's handlers share: config, agent dependencies, guest store, rate limiters,
// and the per-request helpers (session cookie, page context, security headers). The handlers
// themselves stay thin: they parse, call the pure modules, and render.
import { randomBytes } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { InputDeps } from "../../controllers/deps.ts";
import type { PortalConfig } from "../config.ts";
import { GuestStore } from "../guests/guest-store.ts";
import { messagesFor, negotiateLocale } from "../i18n/negotiate.ts";
import { newSessionId } from "../security/csrf.ts";
import { RateLimiter } from "../../http/rate-limit.ts";
import type { ArrivalPolicy } from "../vendors/arrival.ts";
import type { PageContext } from "../views/page-context.ts";
import type { SafeHtml } from "../views/safe-html.ts";

/** What `createPortal` needs from the agent. */
export interface PortalDeps {
  config: PortalConfig;
  venue: { id: string; name: string };
  /** The agent's input dependencies: MAC hashing, the durable outbox, counters, clock, log. */
  input: InputDeps;
  /** The agent's `CredentialStore` (RADIUS accepts exactly what it issues). */
  credentials: {
    issue(macHash: string | null, ttlSeconds: number): { username: string; password: string };
    authorizeMac(macHash: string): void;
  };
  /** The agent's SQLite database; the portal adds its `portal_guests*` tables. */
  db: DatabaseSync;
  /**
   * For the UniFi controller API: the agent passes its pinned TLS client
   * (agent/controllers/unifi/controller-fetch.ts); tests pass a stand-in. Defaults to global fetch.
   */
  fetch?: typeof fetch;
  /**
   * The MAC hash of the device the agent saw at this client address (a RADIUS accounting session's
   * Framed-IP-Address), or undefined: only such a MAC is bound to a login (mac-binding.ts).
   */
  observedMacHash?: (clientIp: string) => string | undefined;
}

export const SESSION_COOKIE = "portal_sid";

export interface PortalRuntime {
  deps: PortalDeps;
  config: PortalConfig;
  guests: GuestStore;
  perIp: RateLimiter;
  perMac: RateLimiter;
  policy: ArrivalPolicy;
}

/** Builds the shared state once per agent. */
export function portalRuntime(deps: PortalDeps): PortalRuntime {
  const { config } = deps;
  const now = () => deps.input.now().getTime();
  const rule = (r: { max: number; windowSeconds: number }) => ({
    max: r.max,
    windowMs: r.windowSeconds * 1000,
  });
  return {
    deps,
    config,
    guests: new GuestStore(deps.db),
    perIp: new RateLimiter(rule(config.rateLimit.perIp), now),
    perMac: new RateLimiter(rule(config.rateLimit.perMac), now),
    policy: {
      merakiHosts: config.meraki.allowedHosts,
      arubaHosts: config.aruba.allowedHosts,
      arubaScheme: config.aruba.loginScheme,
    },
  };
}

/** The TCP peer's address (the guest, or its NAT); "unknown" when not served by node-server. */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Whether the portal's cookies get `Secure`: when the request came over HTTPS, and also when the
 * configured `publicUrl` is https, because a TLS-terminating proxy in front of the agent hands it
 * plain-HTTP requests and the cookie must still never travel in clear.
 */
export function secureCookies(c: Context, rt: PortalRuntime): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return rt.config.publicUrl !== undefined && new URL(rt.config.publicUrl).protocol === "https:";
}

/** The session id from the cookie, setting a fresh one when there is none. */
export function ensureSession(c: Context, rt: PortalRuntime): string {
  const existing = getCookie(c, SESSION_COOKIE);
  if (existing !== undefined && /^[A-Za-z0-9_-]{22}$/.test(existing)) return existing;
  const sid = newSessionId();
  setCookie(c, SESSION_COOKIE, sid, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: secureCookies(c, rt),
  });
  return sid;
}

/** Language, theme and a fresh CSP nonce for one response. */
export function pageContext(c: Context, rt: PortalRuntime): PageContext {
  const locale = negotiateLocale(c.req.header("accept-language"), rt.config.defaultLocale);
  return {
    locale,
    t: messagesFor(locale),
    venueName: rt.deps.venue.name,
    theme: rt.config.theme,
    nonce: randomBytes(16).toString("base64"),
  };
}

/**
 * Sends a page with the portal's security headers: a CSP allowing only the page's own nonce'd
 * style and script, forms posting to http(s) controllers, no framing, no caching, no referrer.
 */
export function sendPage(
  c: Context,
  ctx: PageContext,
  page: SafeHtml,
  status: 200 | 400 | 403 | 409 | 413 | 422 | 429 | 502 = 200,
): Response {
  c.header(
    "content-security-policy",
    `default-src 'none'; style-src 'nonce-${ctx.nonce}'; script-src 'nonce-${ctx.nonce}'; img-src 'self' https: data:; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'`,
  );
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  c.header("cache-control", "no-store");
  c.header("content-language", ctx.locale);
  c.header("vary", "Accept-Language, Cookie");
  return c.html(page.value, status);
}

/** The absolute URL of the success page, from `publicUrl` or the request's origin. */
export function successUrl(c: Context, rt: PortalRuntime): string {
  const base = rt.config.publicUrl ?? new URL(c.req.url).origin;
  return new URL("/portal/success", base).href;
}
