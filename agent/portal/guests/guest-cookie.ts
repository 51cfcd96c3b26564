// The returning-guest cookie: `<guestId>.<expiresAtSeconds>.<hmac>`. Signed so a guest id cannot
// be guessed or forged into someone else's consent; it holds no PII.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const GUEST_COOKIE = "foyer_guest";

/** A new random guest id (the `portal_guest` external id). */
export function newGuestId(): string {
  return `pg_${randomBytes(16).toString("base64url")}`;
}

function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(`guest\n${payload}`).digest("base64url");
}

/** The cookie value for `guestId`, valid until `expiresAt`. */
export function guestCookieValue(secret: string, guestId: string, expiresAt: Date): string {
  const payload = `${guestId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${sign(secret, payload)}`;
}

/** The guest id in a valid, unexpired cookie value, else undefined. */
export function readGuestCookie(
  secret: string,
  value: string | undefined,
  now: Date,
): string | undefined {
  const match = /^(pg_[A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!match) return undefined;
  const [, guestId = "", expires = "0", mac = ""] = match;
  if (Number(expires) * 1000 < now.getTime()) return undefined;
  const expected = Buffer.from(sign(secret, `${guestId}.${expires}`));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return guestId;
}
