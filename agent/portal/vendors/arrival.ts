// Which controller sent the guest, read from the splash redirect's query parameters
// (https://developer.cisco.com/meraki/captive-portal-api/click-through-api Meraki click-through, §1.2 Meraki sign-on, §2.1 UniFi, §3.1 Aruba).
// The redirect is unsigned, so every URL in it is checked against the vendor's allowed hosts here,
// before anything is rendered: a forged grant or login URL never reaches a page.
import { normalizeMac } from "../../mac/normalize.ts";
import { allowedUrl, type HostPattern } from "../security/allowed-hosts.ts";

interface ArrivalBase {
  /** The guest's MAC, normalized `aa:bb:cc:dd:ee:ff`; hashed before it is stored or sent. */
  clientMac: string;
  clientIp?: string;
  apMac?: string;
  /** The page the guest first asked for (unchecked: `continueTarget` decides what to do with it). */
  continueUrl?: string;
}

export type Arrival =
  | (ArrivalBase & { vendor: "meraki-click"; grantUrl: string })
  | (ArrivalBase & { vendor: "meraki-signon"; loginUrl: string })
  | (ArrivalBase & { vendor: "unifi"; site: string; ssid?: string })
  | (ArrivalBase & { vendor: "aruba"; loginHost: string; essid?: string });

export type Vendor = Arrival["vendor"];

/** A redirect the portal cannot serve; `field` names the parameter, the message says why. */
export class ArrivalError extends Error {
  override readonly name = "ArrivalError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** Allowed hosts per vendor, from the portal config. */
export interface ArrivalPolicy {
  merakiHosts: readonly HostPattern[];
  arubaHosts: readonly HostPattern[];
  /** The scheme the Aruba login form posts with (its default port is the one host patterns see). */
  arubaScheme: "http" | "https";
}

/** The query parameter the portal adds for UniFi's `/guest/s/<site>/` path (the site is in the path). */
export const UNIFI_SITE_PARAM = "unifi_site";

const IP = /^[0-9a-fA-F:.]{2,45}$/;

function one(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new ArrivalError(name, "given more than once");
  const value = values[0]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function mac(params: URLSearchParams, name: string, required: true): string;
function mac(params: URLSearchParams, name: string, required: false): string | undefined;
function mac(params: URLSearchParams, name: string, required: boolean): string | undefined {
  const value = one(params, name);
  if (value === undefined) {
    if (required) throw new ArrivalError(name, "missing: the client's MAC address is required");
    return undefined;
  }
  try {
    return normalizeMac(value);
  } catch {
    throw new ArrivalError(name, "not a MAC address");
  }
}

function ip(params: URLSearchParams, name: string): string | undefined {
  const value = one(params, name);
  if (value !== undefined && !IP.test(value)) throw new ArrivalError(name, "not an IP address");
  return value;
}

function checkedUrl(params: URLSearchParams, name: string, hosts: readonly HostPattern[]): string {
  const value = one(params, name);
  if (value === undefined) throw new ArrivalError(name, "missing");
  const url = allowedUrl(value, hosts);
  if (url === null) throw new ArrivalError(name, "not an http(s) URL on an allowed host");
  return url.href;
}

function optional<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Detects the vendor and validates its parameters.
 * @throws ArrivalError naming the first bad or missing parameter.
 */
export function detectArrival(params: URLSearchParams, policy: ArrivalPolicy): Arrival {
  if (params.has("base_grant_url")) {
    return optional({
      vendor: "meraki-click" as const,
      grantUrl: checkedUrl(params, "base_grant_url", policy.merakiHosts),
      clientMac: mac(params, "client_mac", true),
      clientIp: ip(params, "client_ip"),
      apMac: mac(params, "node_mac", false),
      continueUrl: one(params, "user_continue_url"),
    });
  }
  if (params.has("login_url")) {
    return optional({
      vendor: "meraki-signon" as const,
      loginUrl: checkedUrl(params, "login_url", policy.merakiHosts),
      clientMac: mac(params, "client_mac", true),
      clientIp: ip(params, "client_ip"),
      apMac: mac(params, "ap_mac", false),
      continueUrl: one(params, "continue_url"),
    });
  }
  if (params.has(UNIFI_SITE_PARAM)) {
    const site = one(params, UNIFI_SITE_PARAM) ?? "";
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(site))
      throw new ArrivalError("site", "not a UniFi site name");
    return optional({
      vendor: "unifi" as const,
      site,
      clientMac: mac(params, "id", true),
      apMac: mac(params, "ap", false),
      ssid: one(params, "ssid"),
      continueUrl: one(params, "url"),
    });
  }
  if (one(params, "cmd") === "login") {
    // Aruba Instant names the login host `switchip`; Instant On names it `post` (§3.1).
    const hostParam = params.has("switchip") ? "switchip" : "post";
    const loginHost = one(params, hostParam);
    if (loginHost === undefined) throw new ArrivalError("switchip", "missing");
    if (
      !/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(loginHost) ||
      allowedUrl(`${policy.arubaScheme}://${loginHost}/`, policy.arubaHosts) === null
    )
      throw new ArrivalError(hostParam, "not an allowed Aruba login host");
    return optional({
      vendor: "aruba" as const,
      loginHost: loginHost.toLowerCase(),
      clientMac: mac(params, "mac", true),
      clientIp: ip(params, "ip"),
      apMac: mac(params, "apmac", false),
      essid: one(params, "essid") ?? one(params, "network"),
      continueUrl: one(params, "url"),
    });
  }
  throw new ArrivalError(
    "query",
    "no captive-portal parameters: open this page from the WiFi network's sign-in",
  );
}
