// The passwords a NAS may use for RADIUS MAC authentication. Vendors send User-Name = the MAC and
// the password = the same MAC, but not always in the same format as the User-Name: Meraki and
// Ruckus use `AA-BB-CC-DD-EE-FF` (RFC 3580 §3.21), Aruba Instant On bare `aabbccddeeff`, UniFi
// `aa:bb:cc:dd:ee:ff`, Cisco WLC lower-case with '-' or none (RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21). With PAP the
// agent sees the password; with CHAP it can only try each format, so it tries these.
import { normalizeMac } from "../mac/normalize.ts";

/**
 * The User-Name exactly as sent, then the MAC in lower and upper case with ':', '-' or no
 * separator; without duplicates, in that order.
 * @throws InvalidMacError when `userName` is not a MAC address.
 */
export function macAuthPasswordCandidates(userName: string): string[] {
  const hex = normalizeMac(userName).split(":");
  const formats = [":", "-", ""].flatMap((separator) => {
    const lower = hex.join(separator);
    return [lower, lower.toUpperCase()];
  });
  return [...new Set([userName, ...formats])];
}
