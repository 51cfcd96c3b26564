// Authorizes a guest through the UniFi Network controller's private API (https://help.ui.com/hc/en-us/articles/31228198640023-External-Hotspot-API-for-Authorization-Clients):
// log in (classic `POST /api/login`, UniFi OS `POST /api/auth/login` with every Network path
// prefixed `/proxy/network` and the CSRF token echoed), optionally check the MAC is a connected
// guest (the redirect is unsigned, §2.1), then `POST /api/s/{site}/cmd/stamgr` with
// `authorize-guest`. Sources: jens-maus/node-unifi `authorizeGuest()`, Art-of-WiFi `authorize_guest()`.
import type { UnifiGrantConfig } from "../config.ts";
import { UnifiLoginError, unifiLoginWith } from "../../controllers/unifi/login.ts";

/** The controller refused or failed; `step` says which call, never a MAC or a password. */
export class UnifiGrantError extends Error {
  override readonly name = "UnifiGrantError";
  readonly step: "detect" | "login" | "verify" | "authorize";
  readonly status: number | undefined;
  constructor(step: UnifiGrantError["step"], message: string, status?: number) {
    super(`UniFi ${step}: ${message}`);
    this.step = step;
    this.status = status;
  }
}

interface UnifiSession {
  headers: Record<string, string>;
  prefix: string;
}

export interface UnifiGuest {
  mac: string;
  apMac?: string;
}

/** The `authorize-guest` body: MAC lower-cased, minutes, kbps limits, data limit in MB as `bytes`. */
export function authorizeGuestBody(
  config: UnifiGrantConfig,
  guest: UnifiGuest,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    cmd: "authorize-guest",
    mac: guest.mac.toLowerCase(),
    minutes: config.minutes,
  };
  if (config.upKbps !== undefined) body.up = config.upKbps;
  if (config.downKbps !== undefined) body.down = config.downKbps;
  if (config.megabytes !== undefined) body.bytes = config.megabytes;
  if (guest.apMac !== undefined) body.ap_mac = guest.apMac.toLowerCase();
  return body;
}

/** The shared UniFi login (agent/controllers/unifi/login.ts), its failures as grant errors. */
async function login(
  config: UnifiGrantConfig,
  base: string,
  fetchImpl: typeof fetch,
): Promise<UnifiSession> {
  let session: Awaited<ReturnType<typeof unifiLoginWith>>;
  try {
    session = await unifiLoginWith({ ...config, url: base }, config.password, fetchImpl);
  } catch (error) {
    if (error instanceof UnifiLoginError)
      throw new UnifiGrantError("login", error.message.replace(/^UniFi login /, ""), error.status);
    throw new UnifiGrantError("detect", `controller unreachable (${String(error)})`);
  }
  const headers: Record<string, string> = {
    cookie: session.cookie,
    "content-type": "application/json",
  };
  if (session.csrfToken) headers["x-csrf-token"] = session.csrfToken;
  return { headers, prefix: session.prefix };
}

async function envelope(res: Response, step: UnifiGrantError["step"]): Promise<unknown[]> {
  const body = (await res.json().catch(() => null)) as {
    meta?: { rc?: unknown; msg?: unknown };
    data?: unknown;
  } | null;
  if (!res.ok || body?.meta?.rc !== "ok") {
    const msg = typeof body?.meta?.msg === "string" ? body.meta.msg : `HTTP ${res.status}`;
    throw new UnifiGrantError(step, msg, res.status);
  }
  return Array.isArray(body.data) ? (body.data as unknown[]) : [];
}

/**
 * Authorizes `guest` on the controller for `config.minutes`, with the configured limits.
 * @throws UnifiGrantError when the controller is unreachable, refuses the login, does not list the
 *   MAC as a guest (with `verifyGuest`), or answers the command with `rc: "error"`.
 */
export async function authorizeUnifiGuest(
  config: UnifiGrantConfig,
  guest: UnifiGuest,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const base = config.url.replace(/\/+$/, "");
  const session = await login(config, base, fetchImpl);
  const api = `${base}${session.prefix}/api/s/${encodeURIComponent(config.site)}`;
  const mac = guest.mac.toLowerCase();
  // Put in the path as is, like node-unifi's `/stat/sta/<mac>`: only a normalized MAC gets here.
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac))
    throw new UnifiGrantError("verify", "not a normalized MAC");
  if (config.verifyGuest) {
    const res = await fetchImpl(`${api}/stat/sta/${mac}`, { headers: session.headers });
    const clients = await envelope(res, "verify");
    const client = clients[0] as { is_guest?: unknown } | undefined;
    if (client?.is_guest !== true)
      throw new UnifiGrantError("verify", "the MAC is not a connected guest", res.status);
  }
  const res = await fetchImpl(`${api}/cmd/stamgr`, {
    method: "POST",
    headers: session.headers,
    body: JSON.stringify(authorizeGuestBody(config, guest)),
  });
  await envelope(res, "authorize");
}
