import type { ControllersConfig } from "./config.ts";

/** The venue every controller event belongs to: `context.venue.id`, and the group for counts. */
export interface VenueRef {
  id: string;
  groupId: string;
}

/**
 * Picks the venue from the deps (core wiring) or from the controllers config; the group defaults to
 * the venue id, so venue-level events land on one group per venue.
 */
export function resolveVenue(config: ControllersConfig, venue?: Partial<VenueRef>): VenueRef {
  const id = venue?.id ?? config.venueId;
  if (id === undefined)
    throw new Error("controllers: no venue id (pass deps.venue or set venueId)");
  return { id, groupId: venue?.groupId ?? config.groupId ?? id };
}
