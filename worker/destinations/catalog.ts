// Every destination Foyer ships, by slug. The delivery worker looks an adapter up here, validates
// the stored settings with its schema once, then calls `send` / `deleteUser`.
import { amplitudeDestination } from "./amplitude.ts";
import { brazeDestination } from "./braze.ts";
import type { DestinationAdapter } from "./adapter.ts";
import { ga4Destination } from "./ga4.ts";
import { klaviyoDestination } from "./klaviyo.ts";
import { metaConversionsDestination } from "./meta-conversions.ts";
import { mixpanelDestination } from "./mixpanel.ts";
import { webhookDestination } from "./webhook.ts";

export const DESTINATIONS = {
  webhook: webhookDestination,
  amplitude: amplitudeDestination,
  mixpanel: mixpanelDestination,
  ga4: ga4Destination,
  braze: brazeDestination,
  klaviyo: klaviyoDestination,
  "meta-conversions": metaConversionsDestination,
} as const;

export type DestinationSlug = keyof typeof DESTINATIONS;

/** The adapter for a slug, or undefined for an unknown one (Segment's `UNKNOWN_INTEGRATION`). */
export function destinationAdapter(slug: string): DestinationAdapter<unknown> | undefined {
  return Object.hasOwn(DESTINATIONS, slug) ? DESTINATIONS[slug as DestinationSlug] : undefined;
}
