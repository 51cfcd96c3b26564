// Called-Station-Id is `AP-MAC[:SSID]` (RFC 3580 §3.20); vendors vary the MAC format and SSIDs
// may contain ':' (RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21), so the MAC is taken as the longest valid prefix.
import { normalizeMac } from "../mac/normalize.ts";

export interface CalledStation {
  apMac?: string;
  ssid?: string;
}

/** Splits `5C-06-10-48-04-45:meraki`, `d015a6c274d0`, `aa:bb:cc:dd:ee:ff:Guest:WiFi`… */
export function parseCalledStationId(value: string | undefined): CalledStation {
  if (value === undefined || value.length === 0) return {};
  for (const macLength of [17, 14, 12]) {
    const head = value.slice(0, macLength);
    const rest = value.slice(macLength);
    if (rest !== "" && !rest.startsWith(":")) continue;
    try {
      const apMac = normalizeMac(head);
      const ssid = rest.slice(1);
      return ssid.length > 0 ? { apMac, ssid } : { apMac };
    } catch {
      continue;
    }
  }
  return {};
}
