// The MAC leaves this module only as a keyed hash (docs/architecture.md, invariant 5): the venue key
// makes the hash useless for lookup tables built from vendor OUIs.
import { createHmac } from "node:crypto";
import type { MacIdentity } from "../controllers/deps.ts";
import { isRandomizedMac, normalizeMac } from "./normalize.ts";

/**
 * HMAC-SHA256(venueKey, normalized MAC) as lower-case hex, so every vendor format of the same
 * address gives the same hash.
 * @throws InvalidMacError when `mac` is not a MAC address.
 */
export function hashMac(venueKey: string, mac: string): string {
  if (venueKey.length === 0) throw new Error("hashMac: the venue key must not be empty");
  return createHmac("sha256", venueKey).update(normalizeMac(mac)).digest("hex");
}

/** Builds the `identifyMac` dependency that inputs use (`InputDeps.identifyMac`). */
export function macIdentifier(venueKey: string): (mac: string) => MacIdentity {
  if (venueKey.length === 0) throw new Error("macIdentifier: the venue key must not be empty");
  return (mac) => ({ hash: hashMac(venueKey, mac), randomized: isRandomizedMac(mac) });
}
