// UniFi Network login (https://help.ui.com/hc/en-us/articles/31228198640023-External-Hotspot-API-for-Authorization-Clients): classic controllers `POST /api/login` (cookie `unifises`),
// UniFi OS consoles `POST /api/auth/login` (cookie `TOKEN`, a JWT) with every Network path prefixed
// `/proxy/network` and the `x-csrf-token` response header echoed on later requests. `GET /`
// tells them apart: a 302 (to /manage) is classic, a 200 is UniFi OS (jens-maus/node-unifi).
import { secretText, type UnifiConfig } from "../config.ts";

/** What a login needs: the agent's controller config and the portal's grant config both fit. */
export interface UnifiLoginTarget {
  url: string;
  username: string;
  flavor: "auto" | "classic" | "unifi-os";
}

export interface UnifiSession {
  /** `Cookie` header value for the WebSocket upgrade. */
  cookie: string;
  csrfToken?: string;
  /** "" on classic controllers, "/proxy/network" on UniFi OS. */
  prefix: string;
}

export class UnifiLoginError extends Error {
  override readonly name = "UnifiLoginError";
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** The UniFi OS CSRF token, from the header or else the JWT's `csrfToken` claim (Art-of-WiFi). */
export function csrfFromSession(
  header: string | null,
  tokenCookie: string | undefined,
): string | undefined {
  if (header !== null && header !== "") return header;
  const payload = tokenCookie?.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      csrfToken?: unknown;
    };
    return typeof claims.csrfToken === "string" ? claims.csrfToken : undefined;
  } catch {
    return undefined;
  }
}

async function detectFlavor(
  base: string,
  fetchImpl: typeof fetch,
): Promise<"classic" | "unifi-os"> {
  const res = await fetchImpl(`${base}/`, { redirect: "manual" });
  await res.body?.cancel();
  return res.status >= 300 && res.status < 400 ? "classic" : "unifi-os";
}

/** Logs in and returns what the event stream needs; throws `UnifiLoginError` on refusal. */
export function unifiLogin(config: UnifiConfig, fetchImpl: typeof fetch = fetch) {
  return unifiLoginWith(config, secretText(config.password), fetchImpl);
}

/**
 * Logs in to `target` with `password`. A controller that cannot be reached throws the fetch's
 * own error (from the flavor probe or the login); a refusal throws `UnifiLoginError`.
 */
export async function unifiLoginWith(
  target: UnifiLoginTarget,
  password: string,
  fetchImpl: typeof fetch = fetch,
): Promise<UnifiSession> {
  const base = target.url.replace(/\/+$/, "");
  const flavor = target.flavor === "auto" ? await detectFlavor(base, fetchImpl) : target.flavor;
  const path = flavor === "classic" ? "/api/login" : "/api/auth/login";
  const res = await fetchImpl(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: target.username, password }),
  });
  await res.body?.cancel();
  if (!res.ok) throw new UnifiLoginError(`UniFi login refused (${res.status})`, res.status);
  const cookies = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] ?? "")
    .filter((c) => c.includes("="));
  if (cookies.length === 0)
    throw new UnifiLoginError("UniFi login returned no session cookie", res.status);
  const token = cookies.find((c) => c.startsWith("TOKEN="))?.slice("TOKEN=".length);
  return {
    cookie: cookies.join("; "),
    csrfToken: csrfFromSession(res.headers.get("x-csrf-token"), token),
    prefix: flavor === "classic" ? "" : "/proxy/network",
  };
}
