// MAC address normalization for every format the WiFi vendors emit (RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21):
// `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF` (RFC 3580 §3.21), `aabb.ccdd.eeff` (Cisco), bare hex.

/** Thrown for anything that is not a 48-bit MAC; carries the reason, never the raw input. */
export class InvalidMacError extends Error {
  override readonly name = "InvalidMacError";
  /** Why the input was rejected (safe to log: contains no part of the input). */
  readonly reason: string;
  constructor(reason: string) {
    super(`invalid MAC address: ${reason}`);
    this.reason = reason;
  }
}

const GROUPINGS: readonly { separator: string; groupLength: number; groups: number }[] = [
  { separator: ":", groupLength: 2, groups: 6 },
  { separator: "-", groupLength: 2, groups: 6 },
  { separator: ".", groupLength: 4, groups: 3 },
];

const HEX = /^[0-9a-f]+$/;

/**
 * Normalizes a MAC in any vendor format to lower-case `aa:bb:cc:dd:ee:ff`.
 * Separators must be consistent and groups complete: `aa:bb-cc…` or `a:bb:…` are rejected rather
 * than guessed, because a wrong guess would hash to a different guest.
 * @throws InvalidMacError with a precise reason.
 */
export function normalizeMac(input: string): string {
  if (typeof input !== "string") throw new InvalidMacError("not a string");
  const value = input.trim().toLowerCase();
  if (value.length === 0) throw new InvalidMacError("empty");
  if (value.length > 17) throw new InvalidMacError(`too long (${value.length} characters, max 17)`);
  const hex = splitGroups(value);
  if (!HEX.test(hex)) throw new InvalidMacError("contains a non-hexadecimal character");
  if (hex.length !== 12) throw new InvalidMacError(`expected 12 hex digits, got ${hex.length}`);
  return hex.match(/../g)!.join(":");
}

function splitGroups(value: string): string {
  const used = GROUPINGS.filter((g) => value.includes(g.separator));
  if (used.length === 0) return value;
  if (used.length > 1) throw new InvalidMacError("mixed separators");
  const grouping = used[0]!;
  const groups = value.split(grouping.separator);
  if (groups.length !== grouping.groups) {
    throw new InvalidMacError(
      `expected ${grouping.groups} groups separated by "${grouping.separator}", got ${groups.length}`,
    );
  }
  if (groups.some((g) => g.length !== grouping.groupLength)) {
    throw new InvalidMacError(
      `every group separated by "${grouping.separator}" must have ${grouping.groupLength} hex digits`,
    );
  }
  return groups.join("");
}

/**
 * True when the locally administered (U/L) bit is set: a randomized / private address
 * (IEEE 802-2014 §8.2; draft-ietf-madinas-mac-address-randomization). Accepts any format.
 */
export function isRandomizedMac(mac: string): boolean {
  const firstOctet = parseInt(normalizeMac(mac).slice(0, 2), 16);
  return (firstOctet & 0x02) !== 0;
}

/** True when `input` normalizes as a MAC (no exception). */
export function looksLikeMac(input: string): boolean {
  try {
    normalizeMac(input);
    return true;
  } catch {
    return false;
  }
}
