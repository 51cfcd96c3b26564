// CSRF tokens for the portal's forms (OWASP CSRF cheat sheet, "signed double-submit cookie"): the
// token is an HMAC over the session id from the guest's cookie, the issue time and the vendor
// redirect parameters the form carries. A token from another session, an expired one, or one whose
// hidden arrival parameters were edited fails, so one check covers forgery and tampering.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** How long a rendered form stays submittable. */
export const CSRF_TOKEN_TTL_SECONDS = 3600;

/** A fresh, unguessable session id for the `portal_sid` cookie (128 bits). */
export function newSessionId(): string {
  return randomBytes(16).toString("base64url");
}

function mac(secret: string, sessionId: string, issuedAt: number, bound: string): string {
  return createHmac("sha256", secret)
    .update(`csrf\n${sessionId}\n${issuedAt}\n${bound}`)
    .digest("base64url");
}

/** Issues `<issuedAtSeconds>.<hmac>` for a form rendered in `sessionId`, bound to `bound`. */
export function issueCsrfToken(
  secret: string,
  sessionId: string,
  bound: string,
  now: Date,
): string {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return `${issuedAt}.${mac(secret, sessionId, issuedAt, bound)}`;
}

export type CsrfCheck =
  { ok: true } | { ok: false; reason: "no_session" | "malformed" | "expired" | "mismatch" };

/** Verifies a submitted token against the session cookie and the submitted bound value. */
export function verifyCsrfToken(
  secret: string,
  sessionId: string | undefined,
  bound: string,
  token: string | undefined,
  now: Date,
): CsrfCheck {
  if (sessionId === undefined || sessionId === "") return { ok: false, reason: "no_session" };
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token ?? "");
  if (!match) return { ok: false, reason: "malformed" };
  const issuedAt = Number(match[1]);
  const age = Math.floor(now.getTime() / 1000) - issuedAt;
  if (age < -60 || age > CSRF_TOKEN_TTL_SECONDS) return { ok: false, reason: "expired" };
  const expected = Buffer.from(mac(secret, sessionId, issuedAt, bound));
  const given = Buffer.from(match[2] ?? "");
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: "mismatch" };
  return { ok: true };
}
