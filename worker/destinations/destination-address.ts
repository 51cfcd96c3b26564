// Which URLs a destination may be sent to: public http(s) hosts only, so a space admin cannot aim a
// webhook at the worker's own network (server-side request forgery). Checked when a destination
// is configured and again on every send and every redirect hop (http-send.ts).
//
// workerd has no DNS API, so a hostname's resolved addresses cannot be checked here: the literal
// forms are refused (IPv4 in decimal, octal and hex are normalized by the WHATWG URL parser;
// IPv4-mapped IPv6 is unwrapped) and names that resolve to private space are left to Cloudflare's
// egress, which does not route Workers' subrequests to private networks
// (https://developers.cloudflare.com/workers/runtime-apis/fetch/).
import ipaddr from "ipaddr.js";

/**
 * `strict`: public addresses only (production). `loopback`: loopback hosts too, for local
 * development against a receiver on 127.0.0.1 (env ALLOW_PRIVATE_DESTINATIONS="loopback").
 */
export type AddressPolicy = "strict" | "loopback";

/** Hostnames that name the machine or a cloud metadata service rather than a public host. */
const LOCAL_NAMES = /^(localhost|metadata|metadata\.google\.internal|instance-data)$/;
const LOCAL_SUFFIXES = /\.(localhost|local|internal)$/;

/** The policy env configures; anything but the exact opt-in is strict. */
export function addressPolicyOf(env: { ALLOW_PRIVATE_DESTINATIONS?: string }): AddressPolicy {
  return env.ALLOW_PRIVATE_DESTINATIONS === "loopback" ? "loopback" : "strict";
}

function addressProblem(literal: string, policy: AddressPolicy): string | undefined {
  let address = ipaddr.parse(literal);
  if (address.kind() === "ipv6") {
    const v6 = address as ipaddr.IPv6;
    // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form (::a.b.c.d, RFC 4291
    // §2.5.5.1): judged as the IPv4 address they carry (`http://[::7f00:1]/` is loopback).
    const compatible = v6.parts.slice(0, 6).every((p) => p === 0) && (v6.parts[6] ?? 0) !== 0;
    if (v6.isIPv4MappedAddress() || compatible) {
      const [hi = 0, lo = 0] = v6.parts.slice(6);
      address = new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
    }
  }
  const range = address.range();
  if (range === "unicast") return undefined;
  if (range === "loopback" && policy === "loopback") return undefined;
  return `${literal} is a ${range} address, not a public one`;
}

/**
 * Why `url` may not be a destination, or `undefined` when it may. Refuses non-http(s) schemes,
 * credentials in the URL, loopback/private/link-local/CGNAT/ULA/metadata addresses and names.
 */
export function destinationUrlProblem(url: string, policy: AddressPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "not a URL";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return `scheme ${parsed.protocol} is not http or https`;
  }
  if (parsed.username !== "" || parsed.password !== "") return "credentials in the URL";
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  const literal = host.startsWith("[") ? host.slice(1, -1) : host;
  if (ipaddr.isValid(literal)) return addressProblem(literal, policy);
  if (LOCAL_NAMES.test(host) || LOCAL_SUFFIXES.test(host)) {
    if (policy === "loopback" && /(^|\.)localhost$/.test(host)) return undefined;
    return `${host} is not a public host`;
  }
  return undefined;
}
