// Meraki Scanning v3 observations → hashed presence observations for the visit state machine.
import type { InputDeps } from "../deps.ts";
import { accept, type ParseResult } from "../input-error.ts";
import { identifyField, optionalMacHash } from "../mac-field.ts";
import type { PresenceObservation } from "../../presence/observation.ts";
import type { MerakiObservation, MerakiScanningPayload } from "./scanning-payload.ts";

interface Sighting {
  time?: Date;
  apMac?: string;
  rssi?: number;
}

/**
 * The freshest sighting: the newest location's strongest RSSI record, else `latestRecord`
 * ("If a client is no longer discoverable, a latestRecord object will contain the last access point
 * to hear the client", Scanning API v3 doc).
 */
function freshestSighting(observation: MerakiObservation): Sighting {
  const located = observation.locations.filter((l) => l.time !== undefined);
  const newest = located.sort((a, b) => (b.time?.getTime() ?? 0) - (a.time?.getTime() ?? 0))[0];
  if (newest !== undefined) {
    const strongest = [...newest.rssiRecords]
      .filter((r) => r.rssi !== undefined)
      .sort((a, b) => (b.rssi ?? 0) - (a.rssi ?? 0))[0];
    return { time: newest.time, apMac: strongest?.apMac, rssi: strongest?.rssi };
  }
  const latest = observation.latestRecord;
  return { time: latest?.time, apMac: latest?.nearestApMac, rssi: latest?.nearestApRssi };
}

/**
 * Turns a validated payload into presence observations with hashed client and AP MACs. Any bad MAC
 * refuses the whole delivery, so a 400 means nothing from it was recorded.
 */
export function merakiScanningObservations(
  payload: MerakiScanningPayload,
  identifyMac: InputDeps["identifyMac"],
  receivedAt: Date,
): ParseResult<PresenceObservation[]> {
  const out: PresenceObservation[] = [];
  for (const [i, observation] of payload.observations.entries()) {
    const at = `data.observations[${i}]`;
    const mac = identifyField(identifyMac, observation.clientMac, `${at}.clientMac`);
    if (!mac.ok) return mac;
    const sighting = freshestSighting(observation);
    const apMacHash = optionalMacHash(identifyMac, sighting.apMac, `${at}.apMac`);
    if (!apMacHash.ok) return apMacHash;
    out.push({
      mac: mac.value,
      seenAt: sighting.time ?? receivedAt,
      rssi: sighting.rssi,
      place: { apMacHash: apMacHash.value, ssid: observation.ssid },
      source: payload.type === "BLE" ? "meraki.scanning.ble" : "meraki.scanning.wifi",
    });
  }
  return accept(out);
}
