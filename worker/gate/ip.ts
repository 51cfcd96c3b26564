// IP address minimization. By default the edge keeps only the network part of `context.ip`:
// IPv4 loses its last octet (/24), IPv6 its last 80 bits (/48) — the granularity Google Analytics'
// IP anonymization uses — so coarse geolocation still works while the host is gone. A source can
// choose `keep` or `drop` instead. A value that is not an IP address is dropped: it cannot be
// minimized, and it may be anything.
import { formatIp, type NormalizedMessage, parseIp, type ParsedIp } from "../message/index.ts";
import { PrivacyInputError } from "./privacy-input-error.ts";

export const IP_MODES = ["truncate", "keep", "drop"] as const;
export type IpMode = (typeof IP_MODES)[number];

/** Zeroes the host part: IPv4 (and IPv4-mapped IPv6) last octet, IPv6 last 80 bits. */
export function truncateIp(ip: ParsedIp): ParsedIp {
  const bytes = ip.bytes.slice();
  if (ip.family === 4 || ip.mappedV4) bytes[bytes.length - 1] = 0;
  else bytes.fill(0, 6);
  return { ...ip, bytes };
}

export type IpOutcome =
  | { action: "kept" | "truncated"; value: string }
  | { action: "dropped"; reason: "policy" | "invalid_ip" };

/** Applies a source's IP mode to one value; garbage is always dropped. */
export function applyIpMode(value: unknown, mode: IpMode): IpOutcome {
  if (mode === "drop") return { action: "dropped", reason: "policy" };
  const parsed = typeof value === "string" ? parseIp(value) : undefined;
  if (!parsed) return { action: "dropped", reason: "invalid_ip" };
  if (mode === "keep") return { action: "kept", value: formatIp(parsed) };
  return { action: "truncated", value: formatIp(truncateIp(parsed)) };
}

/**
 * Applies the IP mode to `context.ip` and returns a new message (the input is not changed);
 * `undefined` outcome when the message has no IP.
 */
export function applyIpPolicy(
  message: NormalizedMessage,
  mode: IpMode,
): { message: NormalizedMessage; outcome: IpOutcome | undefined } {
  if (!("ip" in message.context)) return { message, outcome: undefined };
  const outcome = applyIpMode(message.context.ip, mode);
  const context = { ...message.context };
  if (outcome.action === "dropped") delete context.ip;
  else context.ip = outcome.value;
  return { message: { ...message, context }, outcome };
}

/** Validates a source's IP mode setting. */
export function parseIpMode(input: unknown, field = "ipMode"): IpMode {
  if (input === undefined) return "truncate";
  if (typeof input === "string" && (IP_MODES as readonly string[]).includes(input))
    return input as IpMode;
  throw new PrivacyInputError("invalid_ip_mode", field, `must be one of ${IP_MODES.join(", ")}`);
}
