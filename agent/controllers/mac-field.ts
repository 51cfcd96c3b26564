import type { InputDeps, MacIdentity } from "./deps.ts";
import { accept, refuse, type ParseResult } from "./input-error.ts";

/**
 * Hashes a MAC taken from a vendor payload; garbage becomes an `invalid_mac` error on that field.
 * The raw value is not echoed in the message (it may be a real MAC with a typo).
 */
export function identifyField(
  identifyMac: InputDeps["identifyMac"],
  mac: string,
  path: string,
): ParseResult<MacIdentity> {
  try {
    return accept(identifyMac(mac));
  } catch {
    return refuse("invalid_mac", path, `${path} is not a MAC address`);
  }
}

/** Like `identifyField` for an optional infrastructure MAC (an AP); yields its hash only. */
export function optionalMacHash(
  identifyMac: InputDeps["identifyMac"],
  mac: string | undefined,
  path: string,
): ParseResult<string | undefined> {
  if (mac === undefined) return accept(undefined);
  const id = identifyField(identifyMac, mac, path);
  return id.ok ? accept(id.value.hash) : id;
}
