// Optional allow-list of webhook source addresses (exact IPs or IPv4 CIDRs). Secrets and
// signatures are the real protection; this narrows who may even try.
import { isIPv4 } from "node:net";

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

function unmapped(ip: string): string {
  return ip.startsWith("::ffff:") && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

/** True when `remote` matches one entry of `allowed`; an empty list allows everyone. */
export function isSourceAllowed(remote: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  if (remote === undefined) return false;
  const ip = unmapped(remote);
  return allowed.some((entry) => {
    const [base, bits] = entry.split("/");
    if (bits === undefined || base === undefined) return unmapped(entry) === ip;
    const prefix = Number(bits);
    if (!isIPv4(base) || !isIPv4(ip) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32)
      return false;
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    return (ipv4ToInt(base) & mask) === (ipv4ToInt(ip) & mask);
  });
}

/** The peer address @hono/node-server exposes as `c.env.incoming.socket.remoteAddress`. */
export function remoteAddressOf(env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined)
    ?.incoming;
  const address = incoming?.socket?.remoteAddress;
  return typeof address === "string" ? address : undefined;
}
