// Who is a returning guest: a valid signed cookie naming a known guest, or a hashed MAC that
// logged in within the configured window. A MAC not seen (randomized or not) is simply unknown,
// so the guest gets the form (https://source.android.com/docs/core/connect/wifi-mac-randomization-behavior: private addresses rotate).
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { KnownGuest } from "../guests/guest-store.ts";
import { GUEST_COOKIE, readGuestCookie } from "../guests/guest-cookie.ts";
import type { PortalRuntime } from "./portal-runtime.ts";

const DAY_MS = 86_400_000;

/** The returning guest for this request and (confirmed) MAC hash, or undefined. */
export function recogniseGuest(
  c: Context,
  rt: PortalRuntime,
  macHash: string | undefined,
): KnownGuest | undefined {
  const now = rt.deps.input.now();
  const fromCookie = readGuestCookie(rt.config.secret, getCookie(c, GUEST_COOKIE), now);
  const byCookie = fromCookie === undefined ? undefined : rt.guests.byGuestId(fromCookie);
  if (byCookie !== undefined) return byCookie;
  if (macHash === undefined) return undefined;
  return rt.guests.byMacSince(macHash, now.getTime() - rt.config.returning.macWindowDays * DAY_MS);
}
