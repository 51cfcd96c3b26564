// Venue-level messages (people counts, sensors, device alerts): scoped to the venue's group and a
// venue pseudo-user, never to a guest profile (docs/architecture.md, the agent: MQTT row).
import type { OutboxMessage } from "./deps.ts";
import { stableMessageId } from "./guest-event.ts";
import type { VenueRef } from "./venue.ts";

export interface VenueTrackInput {
  event: string;
  venue: VenueRef;
  timestamp: Date;
  source: string;
  idParts: string[];
  properties: Record<string, unknown>;
}

/** A `track` with `anonymousId = venue-<venueId>` and `context.groupId` = the venue group. */
export function venueTrack(input: VenueTrackInput): OutboxMessage {
  const { venue } = input;
  const properties = Object.fromEntries(
    Object.entries({ venueId: venue.id, source: input.source, ...input.properties }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return {
    type: "track",
    event: input.event,
    messageId: stableMessageId(input.source, input.event, venue.id, ...input.idParts),
    timestamp: input.timestamp.toISOString(),
    anonymousId: `venue-${venue.id}`,
    properties,
    context: { groupId: venue.groupId, venue: { id: venue.id } },
  };
}
