// Builds guest-scoped Segment messages from vendor input. The raw MAC never reaches this module:
// callers pass the `MacIdentity` from `deps.identifyMac` (docs/architecture.md invariant 5).
import { createHash } from "node:crypto";
import type { MacIdentity, OutboxMessage } from "./deps.ts";
import type { VenueRef } from "./venue.ts";

/**
 * A stable messageId from the parts that identify one input (vendor delivery id, MAC hash, time):
 * a redelivery of the same input yields the same id, which the edge then drops as a repeat.
 */
export function stableMessageId(...parts: string[]): string {
  const hex = createHash("sha256").update(parts.join("\u001f")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Where a guest was seen: AP as hashed MAC and/or name as the controller gives it, SSID. */
export interface VenuePlace {
  apMacHash?: string;
  apName?: string;
  ssid?: string;
}

export interface GuestTrackInput {
  event: string;
  mac: MacIdentity;
  timestamp: Date;
  venue: VenueRef;
  place: VenuePlace;
  /** Vendor input name, e.g. `meraki.alerts`; recorded as `properties.source`. */
  source: string;
  /** Parts that identify this input for the stable messageId. */
  idParts: string[];
  properties?: Record<string, unknown>;
}

/** The `context.externalIds` entry that carries the hashed MAC (docs/architecture.md, identity). */
export function wifiMacExternalId(mac: MacIdentity): Record<string, unknown> {
  return {
    id: mac.hash,
    type: "wifi_mac",
    collection: "users",
    encoding: "hmac-sha256",
    randomized: mac.randomized,
  };
}

function definedOnly(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** A guest `track` call: anonymousId = MAC hash, venue in `context.venue` and `properties`. */
export function guestTrack(input: GuestTrackInput): OutboxMessage {
  const { mac, venue, place } = input;
  const venueContext = definedOnly({ id: venue.id, ...place });
  return {
    type: "track",
    event: input.event,
    messageId: stableMessageId(input.source, input.event, ...input.idParts),
    timestamp: input.timestamp.toISOString(),
    anonymousId: mac.hash,
    properties: definedOnly({
      venueId: venue.id,
      ...place,
      source: input.source,
      randomizedMac: mac.randomized,
      ...input.properties,
    }),
    context: { venue: venueContext, externalIds: [wifiMacExternalId(mac)] },
  };
}
