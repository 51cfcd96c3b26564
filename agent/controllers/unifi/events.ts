// UniFi events → guest Segment messages. Keys from Kane610/aiounifi:aiounifi/models/event.py and
// unpoller/unifi:events.go (unpoller/unifi events.go, https://github.com/unpoller/unifi). `msg` and `hostname` are never copied: `msg` embeds the
// raw MAC ("User[d8:4c:…] has connected…") and hostnames are often personal names.
import type { InputDeps, OutboxClass, OutboxMessage } from "../deps.ts";
import { guestTrack } from "../guest-event.ts";
import { accept, refuse, type ParseResult } from "../input-error.ts";
import { identifyField, optionalMacHash } from "../mac-field.ts";
import type { VenueRef } from "../venue.ts";
import type { UnifiEvent } from "./event-frame.ts";

const EVENT_BY_KEY: Record<string, string> = {
  EVT_WU_Connected: "WiFi Session Started",
  EVT_WG_Connected: "WiFi Session Started",
  EVT_WU_Disconnected: "WiFi Session Ended",
  EVT_WG_Disconnected: "WiFi Session Ended",
  EVT_WU_Roam: "WiFi Client Roamed",
  EVT_WG_Roam: "WiFi Client Roamed",
  EVT_WU_RoamRadio: "WiFi Client Roamed",
  EVT_WG_RoamRadio: "WiFi Client Roamed",
  EVT_WG_AuthorizationEnded: "WiFi Guest Authorization Ended",
  EVT_WG_AuthorizationEndedByQuota: "WiFi Guest Authorization Ended",
  EVT_AD_GuestUnauthorized: "WiFi Guest Authorization Ended",
  EVT_AD_GuestAuthorizedFor: "WiFi Guest Authorized",
  EVT_AD_GuestExtended: "WiFi Guest Authorized",
  EVT_HS_AuthedByNoAuth: "WiFi Guest Authorized",
  EVT_HS_AuthedByPassword: "WiFi Guest Authorized",
  EVT_HS_VoucherUsed: "WiFi Guest Authorized",
  EVT_HS_PaymentProcessed: "WiFi Guest Authorized",
};

/** Outbox class per mapped event: authorizations are logins (evicted last), the rest sessions. */
function classOf(event: string): OutboxClass {
  return event === "WiFi Guest Authorized" ? "login" : "session";
}

/** True when the agent maps this event key; others are skipped (and counted) by the stream. */
export function isMappedUnifiKey(key: string): boolean {
  return Object.hasOwn(EVENT_BY_KEY, key);
}

/** Maps one mapped UniFi event to a message on the guest's hashed MAC. */
export function unifiEventMessage(
  event: UnifiEvent,
  identifyMac: InputDeps["identifyMac"],
  venue: VenueRef,
): ParseResult<{ message: OutboxMessage; cls: OutboxClass }> {
  const name = EVENT_BY_KEY[event.key];
  if (name === undefined)
    return refuse("unsupported_event", "key", `event key ${event.key} is not mapped`);
  if (event.clientMac === undefined)
    return refuse("missing_field", "user", "the event names no client (user/guest)");
  const mac = identifyField(identifyMac, event.clientMac, "user");
  if (!mac.ok) return mac;
  const ap = optionalMacHash(identifyMac, event.ap ?? event.apTo, "ap");
  if (!ap.ok) return ap;
  const apFrom = optionalMacHash(identifyMac, event.apFrom, "ap_from");
  if (!apFrom.ok) return apFrom;
  const properties: Record<string, unknown> = {
    unifiEventKey: event.key,
    guest:
      event.key.startsWith("EVT_WG_") ||
      event.key.startsWith("EVT_HS_") ||
      event.key.startsWith("EVT_AD_"),
  };
  if (name === "WiFi Session Ended") {
    properties.durationSeconds = event.duration;
    properties.bytesTotal = event.bytes;
  }
  if (name === "WiFi Client Roamed") properties.fromApMacHash = apFrom.value;
  if (name === "WiFi Guest Authorized") properties.authorizedMinutes = event.minutes;
  const message = guestTrack({
    event: name,
    mac: mac.value,
    timestamp: event.time,
    venue,
    place: { apMacHash: ap.value, apName: event.apName, ssid: event.ssid },
    source: "unifi.events",
    idParts: [event.id ?? `${event.key}/${event.time.toISOString()}`, mac.value.hash],
    properties,
  });
  return accept({ message, cls: classOf(name) });
}
