import { describe, expect, it } from "vitest";
import {
  guestCookieValue,
  newGuestId,
  readGuestCookie,
} from "../../../agent/portal/guests/guest-cookie.ts";
import {
  CSRF_TOKEN_TTL_SECONDS,
  issueCsrfToken,
  newSessionId,
  verifyCsrfToken,
} from "../../../agent/portal/security/csrf.ts";
import { RateLimiter } from "../../../agent/http/rate-limit.ts";

const SECRET = "s".repeat(32);
const t0 = new Date("2026-03-01T12:00:00Z");
const later = (s: number) => new Date(t0.getTime() + s * 1000);

describe("CSRF tokens", () => {
  const sid = newSessionId();
  const token = issueCsrfToken(SECRET, sid, "client_mac=aa", t0);

  it("verify for the same session, arrival and time window", () => {
    expect(
      verifyCsrfToken(SECRET, sid, "client_mac=aa", token, later(CSRF_TOKEN_TTL_SECONDS)),
    ).toEqual({ ok: true });
  });

  it.each([
    [
      "another session",
      () => verifyCsrfToken(SECRET, newSessionId(), "client_mac=aa", token, t0),
      "mismatch",
    ],
    [
      "an edited arrival",
      () => verifyCsrfToken(SECRET, sid, "client_mac=bb", token, t0),
      "mismatch",
    ],
    [
      "another secret",
      () => verifyCsrfToken("t".repeat(32), sid, "client_mac=aa", token, t0),
      "mismatch",
    ],
    [
      "no session cookie",
      () => verifyCsrfToken(SECRET, undefined, "client_mac=aa", token, t0),
      "no_session",
    ],
    ["no token", () => verifyCsrfToken(SECRET, sid, "client_mac=aa", undefined, t0), "malformed"],
    [
      "a truncated token",
      () => verifyCsrfToken(SECRET, sid, "client_mac=aa", token.slice(0, -1), t0),
      "malformed",
    ],
    [
      "a re-dated token",
      () =>
        verifyCsrfToken(
          SECRET,
          sid,
          "client_mac=aa",
          token.replace(/^\d+/, String(Math.floor(t0.getTime() / 1000) + 5)),
          t0,
        ),
      "mismatch",
    ],
    [
      "an expired token",
      () => verifyCsrfToken(SECRET, sid, "client_mac=aa", token, later(CSRF_TOKEN_TTL_SECONDS + 1)),
      "expired",
    ],
    [
      "a token from the future",
      () => verifyCsrfToken(SECRET, sid, "client_mac=aa", token, later(-120)),
      "expired",
    ],
  ])("fail for %s", (_label, check, reason) => {
    expect(check()).toEqual({ ok: false, reason });
  });
});

describe("returning-guest cookie", () => {
  const guestId = newGuestId();
  const value = guestCookieValue(SECRET, guestId, later(3600));

  it("reads back the guest id until it expires", () => {
    expect(readGuestCookie(SECRET, value, t0)).toBe(guestId);
    expect(readGuestCookie(SECRET, value, later(3601))).toBeUndefined();
  });

  it.each([
    ["missing", undefined],
    ["garbage", "hello"],
    ["signed with another secret", guestCookieValue("x".repeat(32), guestId, later(3600))],
    ["another guest id with this signature", value.replace(guestId, newGuestId())],
    ["an extended expiry", value.replace(/\.(\d+)\./, (_m, s: string) => `.${Number(s) + 99999}.`)],
  ])("refuses a cookie that is %s", (_label, cookie) => {
    expect(readGuestCookie(SECRET, cookie, t0)).toBeUndefined();
  });
});

describe("RateLimiter", () => {
  it("allows max hits per window per key, then answers with Retry-After", () => {
    let now = 0;
    const limiter = new RateLimiter({ max: 3, windowMs: 60_000 }, () => now);
    expect([1, 2, 3].map(() => limiter.hit("a").ok)).toEqual([true, true, true]);
    now = 10_000;
    expect(limiter.hit("a")).toEqual({ ok: false, retryAfterSeconds: 50 });
    expect(limiter.hit("b").ok).toBe(true);
  });

  it("weighs the previous window (sliding), and forgets it after two windows", () => {
    let now = 0;
    const limiter = new RateLimiter({ max: 4, windowMs: 1000 }, () => now);
    for (let i = 0; i < 4; i++) expect(limiter.hit("k").ok).toBe(true);
    now = 1250; // 75% of the previous window still counts: 3 of 4
    expect(limiter.hit("k").ok).toBe(true);
    expect(limiter.hit("k").ok).toBe(false);
    now = 3000;
    for (let i = 0; i < 4; i++) expect(limiter.hit("k").ok).toBe(true);
  });

  it("bounds memory by dropping the oldest key", () => {
    let now = 0;
    const limiter = new RateLimiter({ max: 1, windowMs: 1000 }, () => now, 2);
    expect(limiter.hit("a").ok).toBe(true);
    expect(limiter.hit("b").ok).toBe(true);
    expect(limiter.hit("c").ok).toBe(true);
    expect(limiter.hit("a").ok).toBe(true);
    expect(limiter.hit("c").ok).toBe(false);
    now = 1;
  });

  it("refuses a nonsensical rule", () => {
    expect(() => new RateLimiter({ max: 0, windowMs: 1000 })).toThrow(RangeError);
    expect(() => new RateLimiter({ max: 1, windowMs: 0 })).toThrow(RangeError);
  });
});
