// Ready-made audiences for venues, written in the same definition format users write (and
// validated by the same schema in tests). Event names default to what the venue agent emits
// (`Venue Visit Started`, agent/presence) and Segment's ecommerce spec (`Order Completed` is a
// booking or purchase); pass others if a venue tracks bookings differently.
import type { AudienceDefinition } from "./audience-definition.ts";

export interface PresetEvents {
  visit: string;
  booking: string;
  purchase: string;
}

export const DEFAULT_PRESET_EVENTS: PresetEvents = {
  visit: "Venue Visit Started",
  booking: "Order Completed",
  purchase: "Order Completed",
};

/** "Visited the venue more than twice in 90 days and no booking in 30 days." */
export function frequentVisitorsWithoutBooking(
  events: PresetEvents = DEFAULT_PRESET_EVENTS,
): AudienceDefinition {
  return {
    key: "frequent_visitors_no_booking",
    name: "Frequent visitors without a recent booking",
    condition: {
      kind: "and",
      conditions: [
        {
          kind: "event",
          event: { event: events.visit, where: [] },
          count: { operator: "more_than", value: 2 },
          window: { type: "within", days: 90 },
        },
        {
          kind: "did_not_perform",
          event: { event: events.booking, where: [] },
          window: { type: "within", days: 30 },
        },
      ],
    },
  };
}

/** "Recent purchasers (60 days)." */
export function recentPurchasers(events: PresetEvents = DEFAULT_PRESET_EVENTS): AudienceDefinition {
  return {
    key: "recent_purchasers",
    name: "Recent purchasers (60 days)",
    condition: {
      kind: "event",
      event: { event: events.purchase, where: [] },
      count: { operator: "at_least", value: 1 },
      window: { type: "within", days: 60 },
    },
  };
}

/**
 * "Lapsed guests (no visit in 12 months)": guests who did visit at some point, but not in the last
 * 365 days — without the first condition everyone who never came would be "lapsed".
 */
export function lapsedGuests(events: PresetEvents = DEFAULT_PRESET_EVENTS): AudienceDefinition {
  return {
    key: "lapsed_guests",
    name: "Lapsed guests (no visit in 12 months)",
    condition: {
      kind: "and",
      conditions: [
        {
          kind: "event",
          event: { event: events.visit, where: [] },
          count: { operator: "at_least", value: 1 },
        },
        {
          kind: "did_not_perform",
          event: { event: events.visit, where: [] },
          window: { type: "within", days: 365 },
        },
      ],
    },
  };
}

/** All presets with the default event names. */
export function audiencePresets(
  events: PresetEvents = DEFAULT_PRESET_EVENTS,
): AudienceDefinition[] {
  return [frequentVisitorsWithoutBooking(events), recentPurchasers(events), lapsedGuests(events)];
}
