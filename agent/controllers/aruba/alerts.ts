// Aruba Central alerts → Segment messages. Client connect/disconnect alerts become session events
// on the guest. UNVERIFIED: the reference documents the envelope but not the `details` keys of
// client alerts; we read the client MAC from the keys Central uses elsewhere (`client_mac`,
// `macaddr`, `mac`) and refuse the alert if a connect/disconnect alert names none. Everything else
// is a venue-level device alert whose free text (`description`, `details`) is dropped: it may carry
// raw MACs or user names.
import type { InputDeps } from "../deps.ts";
import { guestTrack } from "../guest-event.ts";
import { accept, refuse, type ParseResult } from "../input-error.ts";
import { identifyField, optionalMacHash } from "../mac-field.ts";
import type { MappedMessages } from "../meraki/alerts.ts";
import type { JsonObject } from "../payload-fields.ts";
import { venueTrack } from "../venue-event.ts";
import type { VenueRef } from "../venue.ts";
import type { ArubaAlertPayload } from "./alert-payload.ts";
import type { ArubaDelivery } from "./signature.ts";

const CLIENT_MAC_KEYS = ["client_mac", "macaddr", "mac"];

function firstString(
  details: JsonObject,
  keys: string[],
): { key: string; value: string } | undefined {
  for (const key of keys) {
    const value = details[key];
    if (typeof value === "string" && value !== "") return { key, value };
  }
  return undefined;
}

/** "connected" / "disconnected" for a client alert type name ("AP Disconnected" is not one). */
export function arubaClientTransition(alertType: string): "connected" | "disconnected" | undefined {
  if (!/client|station|user/i.test(alertType)) return undefined;
  if (/disconnect/i.test(alertType)) return "disconnected";
  if (/connect/i.test(alertType)) return "connected";
  return undefined;
}

/** Maps a verified, validated Central alert to outbox messages. */
export function arubaAlertMessages(
  alert: ArubaAlertPayload,
  delivery: ArubaDelivery,
  identifyMac: InputDeps["identifyMac"],
  venue: VenueRef,
): ParseResult<MappedMessages> {
  const transition = arubaClientTransition(alert.alertType);
  const idParts = [delivery.service, alert.id];
  if (transition !== undefined) {
    const client = firstString(alert.details, CLIENT_MAC_KEYS);
    if (client === undefined) {
      return refuse(
        "missing_field",
        "details.client_mac",
        "a client alert needs details.client_mac",
      );
    }
    const mac = identifyField(identifyMac, client.value, `details.${client.key}`);
    if (!mac.ok) return mac;
    const ap = firstString(alert.details, ["ap_mac", "apmac"]);
    const apMacHash = optionalMacHash(identifyMac, ap?.value, `details.${ap?.key ?? "ap_mac"}`);
    if (!apMacHash.ok) return apMacHash;
    const message = guestTrack({
      event: transition === "connected" ? "WiFi Session Started" : "WiFi Session Ended",
      mac: mac.value,
      timestamp: alert.time,
      venue,
      place: {
        apMacHash: apMacHash.value,
        apName: firstString(alert.details, ["ap_name", "apname"])?.value,
        ssid: firstString(alert.details, ["ssid", "essid", "network"])?.value,
      },
      source: "aruba.central",
      idParts,
    });
    return accept({ messages: [message], cls: "session" });
  }
  const message = venueTrack({
    event: "Venue Device Alert",
    venue,
    timestamp: alert.time,
    source: "aruba.central",
    idParts,
    properties: {
      alertType: alert.alertType,
      alertLevel: alert.severity,
      state: alert.state,
      alertId: alert.id,
    },
  });
  return accept({ messages: [message], cls: "venue" });
}
