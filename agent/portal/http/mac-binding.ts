// Whether the MAC a controller's redirect claims may be bound to this login. The redirect is
// unsigned (Meraki's `client_mac`, UniFi's `id`, Aruba's `mac` are plain query
// parameters), so anyone can send a victim's MAC and bind their own email, consent and 30-day MAC
// authorization to it, or be recognised as the victim. The agent only binds a MAC it observed for
// the requesting address itself: the RADIUS accounting session whose Framed-IP-Address is the
// address this request comes from. Otherwise the login is recorded without a MAC.
import type { MacIdentity } from "../../controllers/deps.ts";

export type MacBinding =
  | { kind: "confirmed"; mac: MacIdentity }
  | { kind: "unconfirmed"; reason: "not_observed" | "mismatch" };

/** `::ffff:10.0.0.5` (Node's dual-stack form) → `10.0.0.5`; other addresses unchanged. */
export function normalizeClientIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped?.[1] ?? ip.toLowerCase();
}

/** Confirms `claimed` against the MAC hash the agent observed at the client's address. */
export function bindMac(claimed: MacIdentity, observedHash: string | undefined): MacBinding {
  if (observedHash === undefined) return { kind: "unconfirmed", reason: "not_observed" };
  return observedHash === claimed.hash
    ? { kind: "confirmed", mac: claimed }
    : { kind: "unconfirmed", reason: "mismatch" };
}
