// The portal redirects or posts the browser to URLs that arrive in an unsigned redirect
// (Meraki `base_grant_url`/`login_url`, Aruba `switchip`/`post`, every vendor's continue URL,
// https://developer.cisco.com/meraki/captive-portal-api/click-through-api, §1.2, §2.1, §3.1). Anyone can forge those parameters, so every such URL
// must name a host the venue allows, or the portal becomes an open redirect.

/** One allowed-host entry: `host`, `*.domain` (any subdomain, not the apex), optional `:port`. */
export interface HostPattern {
  /** Lower-case host without the `*.` prefix; IPv6 literals keep their brackets. */
  host: string;
  wildcard: boolean;
  /** When set, only this port (the scheme's default port counts when the URL names none). */
  port?: number;
}

/** Thrown by `parseHostPattern` for config entries that are not a host pattern. */
export class HostPatternError extends Error {
  override readonly name = "HostPatternError";
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const MAX_URL_LENGTH = 2048;

function isHostName(host: string): boolean {
  if (IPV4.test(host)) return true;
  if (/^\[[0-9a-f:.]+\]$/.test(host)) return true;
  return host.length <= 253 && host.split(".").every((label) => LABEL.test(label));
}

function canonicalIpv6(host: string, text: string): string {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    throw new HostPatternError(`"${text}": not a valid IPv6 literal`);
  }
}

/**
 * Parses `n143.network-auth.com`, `*.network-auth.com`, `192.168.1.1:8443` or `[fd00::1]`.
 * @throws HostPatternError naming what is wrong (a scheme, a path, a bare `*`, a bad label, a bad port).
 */
export function parseHostPattern(text: string): HostPattern {
  const entry = text.trim().toLowerCase();
  if (entry.includes("/")) throw new HostPatternError(`"${text}": give a host, not a URL or path`);
  const portMatch = /^(.*?)(?::(\d{1,5}))?$/.exec(entry);
  const rawHost = portMatch?.[1] ?? "";
  const port = portMatch?.[2] === undefined ? undefined : Number(portMatch[2]);
  if (port !== undefined && (port < 1 || port > 65535))
    throw new HostPatternError(`"${text}": port must be 1 to 65535`);
  const wildcard = rawHost.startsWith("*.");
  let host = (wildcard ? rawHost.slice(2) : rawHost).replace(/\.$/, "");
  // IPv6 literals compare in the URL parser's canonical form ([fd00:0::1] -> [fd00::1]).
  if (host.startsWith("[")) host = canonicalIpv6(host, text);
  if (host.includes("*"))
    throw new HostPatternError(`"${text}": "*" is allowed only as "*.domain"`);
  if (!isHostName(host)) throw new HostPatternError(`"${text}": not a valid host name`);
  if (wildcard && !host.includes("."))
    throw new HostPatternError(
      `"${text}": a wildcard needs a domain with a dot, e.g. *.example.com`,
    );
  return port === undefined ? { host, wildcard } : { host, wildcard, port };
}

function defaultPort(protocol: string): number {
  return protocol === "https:" ? 443 : 80;
}

function hostMatches(pattern: HostPattern, hostname: string, port: number): boolean {
  if (pattern.port !== undefined && pattern.port !== port) return false;
  if (!pattern.wildcard) return hostname === pattern.host;
  return hostname.endsWith(`.${pattern.host}`);
}

/**
 * Parses `candidate` as an absolute http(s) URL and returns it only when its host matches one of
 * `patterns`. Rejects other schemes (`javascript:`, `data:`), userinfo (`https://a@b`), relative and
 * protocol-relative URLs, and anything longer than 2048 characters. The WHATWG URL parser does the
 * host extraction, so `https://good.com.evil.com`, `https://evil.com\@good.com` and
 * `https://good.com@evil.com` resolve to the host the browser would really visit.
 */
export function allowedUrl(candidate: string, patterns: readonly HostPattern[]): URL | null {
  if (candidate.length === 0 || candidate.length > MAX_URL_LENGTH) return null;
  if (!/^https?:\/\//i.test(candidate.trim())) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "") return null;
  const hostname = url.hostname.replace(/\.$/, "");
  if (hostname === "") return null;
  const port = url.port === "" ? defaultPort(url.protocol) : Number(url.port);
  return patterns.some((p) => hostMatches(p, hostname, port)) ? url : null;
}
