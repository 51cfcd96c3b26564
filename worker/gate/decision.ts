// Why an event was or was not delivered to one destination. Refusals use Segment's discard reason
// names from Delivery Overview ("Filtered at destination", https://segment.com/docs/connections/delivery-overview/), so an answer to "why
// did destination X not get this event" reads the same as in Segment.

/** Segment's "Filtered at destination" discard reasons that Foyer's privacy rules produce. */
export const DISCARD_REASONS = [
  "FILTERED_BY_END_USER_CONSENT",
  "FILTERED_BY_INTEGRATIONS_OBJECT",
] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];

/**
 * Foyer's names for a delivery that is allowed (Segment has no reason for a success; these say
 * which rule let the event through).
 */
export const ALLOW_REASONS = [
  /** No consent object and the space does not require one: no enforcement (https://segment.com/docs/privacy/consent-management/). */
  "CONSENT_NOT_ENFORCED",
  /** The destination is mapped to no consent category: unmapped destinations receive everything. */
  "DESTINATION_NOT_MAPPED",
  /** Every category the destination is mapped to is `true`. */
  "CONSENT_GRANTED",
] as const;
export type AllowReason = (typeof ALLOW_REASONS)[number];

export type DeliveryDecision =
  | { allowed: true; reason: AllowReason }
  | {
      allowed: false;
      reason: DiscardReason;
      /** Consent categories the destination needs that were not granted (consent refusals only). */
      missingCategories?: string[];
      /** A short, PII-free explanation for the lineage API. */
      detail: string;
    };
