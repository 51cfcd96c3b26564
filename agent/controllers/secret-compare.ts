import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// Both sides are HMACed with a per-process random key before `timingSafeEqual`: this makes the
// comparison constant-time even when the lengths differ (timingSafeEqual throws on unequal
// lengths, and an early length check would leak the secret's length). Reference §7 "Secrets".
const compareKey = randomBytes(32);

function digest(value: string): Buffer {
  return createHmac("sha256", compareKey).update(value, "utf8").digest();
}

/** Constant-time equality of a received secret (or signature) and the expected one. */
export function secretsMatch(received: string, expected: string): boolean {
  return timingSafeEqual(digest(received), digest(expected));
}
