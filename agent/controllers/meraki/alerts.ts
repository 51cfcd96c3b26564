// Meraki alerts → Segment messages. `client_connectivity` alerts carry a client
// (`alertData: {mac, ip, connected: "true"|"false", clientName, clientUrl}`, captured from a live
// Dashboard, see test/fixtures/meraki/README.md) and become session events on the guest; any other
// alert is a venue-level device alert. `ip` and `clientName` (often a person's name) are dropped.
import type { InputDeps, OutboxClass, OutboxMessage } from "../deps.ts";
import { guestTrack } from "../guest-event.ts";
import { accept, refuse, type ParseResult } from "../input-error.ts";
import { identifyField, optionalMacHash } from "../mac-field.ts";
import { venueTrack } from "../venue-event.ts";
import type { VenueRef } from "../venue.ts";
import type { MerakiAlertPayload } from "./alert-payload.ts";

export interface MappedMessages {
  messages: OutboxMessage[];
  cls: OutboxClass;
}

function connectedFlag(value: unknown): boolean | undefined {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return undefined;
}

/** Maps a validated alert to messages; a client alert with a bad `mac` or `connected` is refused. */
export function merakiAlertMessages(
  alert: MerakiAlertPayload,
  identifyMac: InputDeps["identifyMac"],
  venue: VenueRef,
): ParseResult<MappedMessages> {
  const apMacHash = optionalMacHash(identifyMac, alert.deviceMac, "deviceMac");
  if (!apMacHash.ok) return apMacHash;
  const idParts = [
    alert.occurredAt.toISOString(),
    alert.alertTypeId ?? alert.alertType,
    alert.deviceSerial ?? "",
  ];
  if (alert.alertTypeId === "client_connectivity") {
    const mac = alert.alertData.mac;
    if (typeof mac !== "string")
      return refuse("missing_field", "alertData.mac", "alertData.mac is required");
    const client = identifyField(identifyMac, mac, "alertData.mac");
    if (!client.ok) return client;
    const connected = connectedFlag(alert.alertData.connected);
    if (connected === undefined) {
      return refuse(
        "invalid_value",
        "alertData.connected",
        'alertData.connected must be "true" or "false"',
      );
    }
    const message = guestTrack({
      event: connected ? "WiFi Session Started" : "WiFi Session Ended",
      mac: client.value,
      timestamp: alert.occurredAt,
      venue,
      place: { apMacHash: apMacHash.value, apName: alert.deviceName },
      source: "meraki.alerts",
      idParts: [...idParts, client.value.hash, String(connected)],
      properties: { networkId: alert.networkId },
    });
    return accept({ messages: [message], cls: "session" });
  }
  const message = venueTrack({
    event: "Venue Device Alert",
    venue,
    timestamp: alert.occurredAt,
    source: "meraki.alerts",
    idParts,
    properties: {
      alertType: alert.alertType,
      alertTypeId: alert.alertTypeId,
      alertLevel: alert.alertLevel,
      networkId: alert.networkId,
      networkName: alert.networkName,
      deviceSerial: alert.deviceSerial,
      deviceName: alert.deviceName,
      deviceModel: alert.deviceModel,
      deviceMacHash: apMacHash.value,
    },
  });
  return accept({ messages: [message], cls: "venue" });
}
