// A stand-in for the venue's controller on 127.0.0.1 (the real Meraki cloud, UniFi console and
// Aruba controller cannot run here). It follows the documented APIs (https://developer.cisco.com/meraki/captive-portal-api/click-through-api, §1.2,
// §2.2, §3.2) and records every request it receives so tests can assert on exactly what the portal
// sent. Credential checks go through `verifyCredential`, standing in for the controller's RADIUS
// Access-Request to the agent.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  json: unknown;
  headers: Record<string, string | undefined>;
}

export interface StandInOptions {
  unifiFlavor: "classic" | "unifi-os";
  unifiUser: { username: string; password: string };
  /** MACs the stand-in UniFi lists as connected, unauthorized guests. */
  unifiGuests: Set<string>;
  /** Answers the RADIUS check Meraki and Aruba make with the posted credentials. */
  verifyCredential(username: string, password: string): boolean;
}

export interface StandInController {
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const CSRF = "stand-in-csrf-token";
const JWT = `e30.${Buffer.from(JSON.stringify({ csrfToken: CSRF })).toString("base64url")}.sig`;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 65_536) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body = "",
): void {
  res.writeHead(status, headers);
  res.end(body);
}

const unifiJson = (
  res: ServerResponse,
  status: number,
  rc: "ok" | "error",
  data: unknown[],
  msg?: string,
) =>
  send(
    res,
    status,
    { "content-type": "application/json" },
    JSON.stringify({ meta: msg ? { rc, msg } : { rc }, data }),
  );

/** Starts the stand-in on 127.0.0.1 with an ephemeral port. */
export async function startStandInController(options: StandInOptions): Promise<StandInController> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = await readBody(req);
      const type = req.headers["content-type"] ?? "";
      const record: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        form: type.startsWith("application/x-www-form-urlencoded")
          ? Object.fromEntries(new URLSearchParams(text))
          : {},
        json:
          type.startsWith("application/json") && text ? (JSON.parse(text) as unknown) : undefined,
        headers: {
          cookie: req.headers.cookie,
          "x-csrf-token": req.headers["x-csrf-token"] as string | undefined,
        },
      };
      requests.push(record);
      route(record, res);
    })().catch(() => send(res, 500, {}, "stand-in error"));
  });

  const origin = await new Promise<string>((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });

  function route(r: RecordedRequest, res: ServerResponse): void {
    const os = options.unifiFlavor === "unifi-os";
    const prefix = os ? "/proxy/network" : "";
    // Meraki click-through: GET base_grant_url?continue_url=…&duration=… → on to continue_url.
    if (r.method === "GET" && r.path === "/splash/grant")
      return send(res, 302, { location: r.query.continue_url ?? "/" });
    // Meraki sign-on: the browser posts username/password/success_url to login_url (§1.2).
    if (r.method === "POST" && r.path === "/splash/login") {
      if (!options.verifyCredential(r.form.username ?? "", r.form.password ?? ""))
        return send(res, 302, { location: `/splash/denied?error_message=Access-Reject` });
      const success = new URL(r.form.success_url ?? `${origin}/`);
      success.searchParams.set("logout_url", `${origin}/splash/logout?key=stand-in`);
      return send(res, 302, { location: success.href });
    }
    // Aruba: the browser posts user/password/cmd=authenticate to /cgi-bin/login (§3.2).
    if (r.method === "POST" && r.path === "/cgi-bin/login") {
      const ok =
        r.form.cmd === "authenticate" &&
        options.verifyCredential(r.form.user ?? "", r.form.password ?? "");
      return ok
        ? send(res, 302, { location: r.form.url ?? "/" })
        : send(res, 401, {}, "Authentication failed");
    }
    if (r.method === "GET" && r.path === "/destination")
      return send(
        res,
        200,
        { "content-type": "text/html" },
        "<!doctype html><html lang=en><title>Destination</title><h1>Original destination</h1></html>",
      );
    // UniFi (§2.2): GET / tells classic (302 /manage) from UniFi OS (200).
    if (r.method === "GET" && r.path === "/")
      return os ? send(res, 200, {}, "UniFi OS") : send(res, 302, { location: "/manage" });
    const loginPath = os ? "/api/auth/login" : "/api/login";
    if (r.method === "POST" && r.path === loginPath) {
      const body = r.json as { username?: unknown; password?: unknown } | undefined;
      if (
        body?.username !== options.unifiUser.username ||
        body.password !== options.unifiUser.password
      )
        return unifiJson(res, 400, "error", [], "api.err.Invalid");
      return os
        ? send(
            res,
            200,
            {
              "set-cookie": `TOKEN=${JWT}; Path=/; HttpOnly`,
              "x-csrf-token": CSRF,
              "content-type": "application/json",
            },
            "{}",
          )
        : send(
            res,
            200,
            {
              "set-cookie": "unifises=stand-in-session; Path=/; HttpOnly",
              "content-type": "application/json",
            },
            JSON.stringify({ meta: { rc: "ok" }, data: [] }),
          );
    }
    const api = new RegExp(`^${prefix}/api/s/([^/]+)/(stat/sta/([^/]+)|cmd/stamgr)$`).exec(r.path);
    if (!api) return send(res, 404, {}, "not found");
    const cookie = r.headers.cookie ?? "";
    if (!(os ? cookie.includes(`TOKEN=${JWT}`) : cookie.includes("unifises=stand-in-session")))
      return unifiJson(res, 401, "error", [], "api.err.LoginRequired");
    if (api[1] !== "default") return unifiJson(res, 400, "error", [], "api.err.NoSiteContext");
    if (api[3] !== undefined) {
      const mac = decodeURIComponent(api[3]);
      return unifiJson(
        res,
        200,
        "ok",
        options.unifiGuests.has(mac) ? [{ mac, is_guest: true, authorized: false }] : [],
      );
    }
    if (r.method !== "POST") return send(res, 405, {}, "method not allowed");
    if (os && r.headers["x-csrf-token"] !== CSRF) return send(res, 403, {}, "csrf");
    const cmd = r.json as { cmd?: unknown; mac?: unknown; minutes?: unknown };
    if (cmd.cmd !== "authorize-guest" || typeof cmd.mac !== "string")
      return unifiJson(res, 400, "error", [], "api.err.Invalid");
    return unifiJson(res, 200, "ok", [
      { authorized_by: "api", mac: cmd.mac, minutes: cmd.minutes },
    ]);
  }

  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
