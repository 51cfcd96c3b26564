import type { MacIdentity } from "../controllers/deps.ts";
import type { VenuePlace } from "../controllers/guest-event.ts";

/** One sighting of a device, already hashed: the input of the visit state machine. */
export interface PresenceObservation {
  mac: MacIdentity;
  seenAt: Date;
  /** Strongest RSSI (dBm) reported for this sighting, when the vendor gives one. */
  rssi?: number;
  place: VenuePlace;
  /** Vendor input, e.g. `meraki.scanning`. */
  source: string;
}
