// Decides, before any network call, whether one event goes to one destination, in Segment's order
// (destinations/actions.md, consent-management, filtering-data.md): consent → integrations
// object → destination filters → subscription. Each refusal carries Segment's discard code so the
// delivery overview can say why (FILTERED_BY_END_USER_CONSENT, FILTERED_BY_INTEGRATIONS_OBJECT,
// FILTERED_BY_RULES, NO_MATCHING_MAPPING).
import { type JsonObject, type NormalizedMessage, ownValue } from "../../message/index.ts";
import { isObject } from "../../destinations/index.ts";
import { applyDestinationFilters, type DestinationFilter } from "./filters.ts";
import { subscriptionMatches } from "./fql.ts";

export interface DestinationRoute {
  /** The destination's display name as clients write it in `integrations` (e.g. "Amplitude"). */
  integrationName: string;
  /** Consent category ids mapped to this destination; empty = unmapped (always receives). */
  consentCategories: readonly string[];
  filters: readonly DestinationFilter[];
  /** FQL trigger; undefined subscribes to everything. Invalid FQL matches nothing (fail closed). */
  subscription?: string;
}

export type DiscardReason =
  | "FILTERED_BY_END_USER_CONSENT"
  | "FILTERED_BY_INTEGRATIONS_OBJECT"
  | "FILTERED_BY_RULES"
  | "NO_MATCHING_MAPPING";

export type DeliveryPlan =
  | { deliver: true; event: NormalizedMessage }
  | { deliver: false; reason: DiscardReason; detail?: string };

/**
 * Segment's consent rule: no consent object ⇒ no enforcement; otherwise a mapped destination
 * receives only if every mapped category is `true` (empty preferences ⇒ all false).
 */
export function consentAllows(event: NormalizedMessage, categories: readonly string[]): boolean {
  if (categories.length === 0) return true;
  const consent = event.context.consent;
  if (!isObject(consent) || !("categoryPreferences" in consent)) return true;
  const preferences = consent.categoryPreferences;
  if (!isObject(preferences)) return false;
  return categories.every((category) => ownValue(preferences, category) === true);
}

/** `integrations: {All: false, Amplitude: true}` style selection (common.md §Integrations). */
export function integrationsAllow(integrations: JsonObject, name: string): boolean {
  const specific = integrations[name];
  if (specific !== undefined) return specific !== false;
  return integrations.All !== false;
}

/** The plan for one event and one destination. */
export function planDelivery(event: NormalizedMessage, route: DestinationRoute): DeliveryPlan {
  if (!consentAllows(event, route.consentCategories))
    return { deliver: false, reason: "FILTERED_BY_END_USER_CONSENT" };
  if (!integrationsAllow(event.integrations, route.integrationName))
    return { deliver: false, reason: "FILTERED_BY_INTEGRATIONS_OBJECT" };
  const filtered = applyDestinationFilters(route.filters, event as unknown as JsonObject);
  if (!filtered.kept)
    return {
      deliver: false,
      reason: filtered.reason,
      detail: `${filtered.filterId}: ${filtered.detail}`,
    };
  const kept = filtered.event as unknown as NormalizedMessage;
  if (route.subscription !== undefined && !subscriptionMatches(route.subscription, kept)) {
    return { deliver: false, reason: "NO_MATCHING_MAPPING" };
  }
  return { deliver: true, event: kept };
}
