// Optional allow-list of webhook source addresses: exact IPv4/IPv6 addresses or CIDRs. Secrets and
// signatures are the real protection; this narrows who may even try. Parsing is ipaddr.js
// (https://github.com/whitequark/ipaddr.js), not hand-rolled: IPv6 has too many text forms.
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One parsed allow-list entry: a network and its prefix length (an exact address is /32 or /128). */
export type SourceRange = readonly [Address, number];

/**
 * Parses an address written the way RFC 4291 §2.2 (IPv6) or dotted-quad decimal (IPv4) allow.
 * Refused: RFC 4007 zone ids (`fe80::1%eth0`: meaningful only on one host's interface) and the
 * legacy IPv4 forms inet_aton accepts (`10.1`, `0x0a.0.0.1`, leading zeros read as octal).
 */
function parseAddress(text: string): Address | string {
  if (text.includes("%")) return "zone ids (%…) are not allowed";
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return "not an IPv4 or IPv6 address";
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) compares as the IPv4 it carries. */
function unmapped([address, bits]: SourceRange): SourceRange {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [address, bits];
}

/**
 * Parses one allow-list entry (`192.0.2.7`, `10.0.0.0/8`, `2001:db8::/32`, `::ffff:10.0.0.0/104`).
 * Returns the range, or a message saying why the entry is refused.
 */
export function parseSourceEntry(entry: string): SourceRange | string {
  if (entry.includes("%")) return "zone ids (%…) are not allowed";
  const slash = entry.indexOf("/");
  const address = parseAddress(slash === -1 ? entry : entry.slice(0, slash));
  if (typeof address === "string") return address;
  const max = address.kind() === "ipv4" ? 32 : 128;
  if (slash === -1) return unmapped([address, max]);
  const bitsText = entry.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText) || bits > max)
    return `prefix length must be an integer from 0 to ${max}`;
  return unmapped([address, bits]);
}

/** True when `remote` matches one entry of `allowed`; an empty list allows everyone. */
export function isSourceAllowed(remote: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  if (remote === undefined) return false;
  // The socket reports link-local peers with their zone; the address itself is what is listed.
  const peer = parseAddress(remote.split("%")[0] ?? "");
  if (typeof peer === "string") return false;
  const [ip] = unmapped([peer, peer.kind() === "ipv4" ? 32 : 128]);
  return allowed.some((entry) => {
    const range = parseSourceEntry(entry);
    // Entries are validated when the config is loaded; a bad one here never matches.
    if (typeof range === "string" || range[0].kind() !== ip.kind()) return false;
    return ip.match(range[0], range[1]);
  });
}

/** The peer address @hono/node-server exposes as `c.env.incoming.socket.remoteAddress`. */
export function remoteAddressOf(env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined)
    ?.incoming;
  const address = incoming?.socket?.remoteAddress;
  return typeof address === "string" ? address : undefined;
}
