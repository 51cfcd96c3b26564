// Event consent: whether one destination may receive one event, from the event's
// `context.consent.categoryPreferences` and the integrations object (https://segment.com/docs/privacy/consent-management/, §1.9).
// Rules, as Segment documents them:
// - a destination mapped to categories receives only if ALL of them are `true`; unmapped ones
//   receive everything;
// - an empty `categoryPreferences` means every category is false;
// - no consent object (or an empty one) means no enforcement — unless the space requires consent,
//   then the event counts as "strictly necessary only" (Foyer's rule, docs/architecture.md);
// - consent is evaluated before the integrations object, and an integrations `false` still blocks.
import {
  type JsonObject,
  type NormalizedMessage,
  isUnsafeKey,
  ownValue,
} from "../../message/index.ts";
import type { ConsentSettings } from "./settings.ts";
import type { DeliveryDecision } from "../decision.ts";
import { isRecord } from "../privacy-input-error.ts";

/** What an event says about consent: nothing, or a preference per category. */
export type EventConsent =
  { kind: "absent" } | { kind: "present"; preferences: Readonly<Record<string, boolean>> };

/**
 * Reads `context.consent.categoryPreferences`. Only a literal `true` grants a category: ingestion
 * already refuses non-boolean values, and anything else here must not open a destination.
 */
export function readEventConsent(context: JsonObject | undefined): EventConsent {
  const consent = context?.consent;
  if (!isRecord(consent)) return { kind: "absent" };
  const prefs = consent.categoryPreferences;
  if (!isRecord(prefs)) return { kind: "absent" };
  const preferences: Record<string, boolean> = {};
  for (const [category, value] of Object.entries(prefs))
    if (!isUnsafeKey(category)) preferences[category] = value === true;
  return { kind: "present", preferences };
}

function consentDecision(
  consent: EventConsent,
  mapped: readonly string[],
  settings: ConsentSettings,
): DeliveryDecision {
  let granted: (category: string) => boolean;
  if (consent.kind === "absent") {
    if (!settings.requireConsent) return { allowed: true, reason: "CONSENT_NOT_ENFORCED" };
    if (mapped.length === 0) {
      // Strictly-necessary-only: a destination with no declared purpose is not known to be
      // necessary, so a space that requires consent fails closed for it.
      return {
        allowed: false,
        reason: "FILTERED_BY_END_USER_CONSENT",
        missingCategories: [],
        detail: "the space requires consent, the event has none and the destination is unmapped",
      };
    }
    const necessary = new Set(settings.strictlyNecessary);
    granted = (category) => necessary.has(category);
  } else {
    if (mapped.length === 0) return { allowed: true, reason: "DESTINATION_NOT_MAPPED" };
    // A mapped category the consent manager did not send counts as false (https://segment.com/docs/privacy/consent-management/).
    granted = (category) => ownValue(consent.preferences, category) === true;
  }
  const missing = mapped.filter((category) => !granted(category));
  if (missing.length === 0) return { allowed: true, reason: "CONSENT_GRANTED" };
  return {
    allowed: false,
    reason: "FILTERED_BY_END_USER_CONSENT",
    missingCategories: missing,
    detail:
      consent.kind === "absent"
        ? "the space requires consent and the event has none: strictly necessary categories only"
        : "a consent category the destination is mapped to is not granted",
  };
}

/**
 * The integrations object (https://segment.com/docs/guides/filtering-data/): a destination's own key decides; without one, `All`
 * does (default true). Objects carry options and count as enabled. Keys are case-sensitive.
 */
export function integrationsAllow(integrations: JsonObject, destination: string): boolean {
  const own = integrations[destination];
  if (own !== undefined) return own !== false;
  return integrations.All !== false;
}

/**
 * Decides whether `destination` may receive `message`, with the reason for the lineage record.
 * Consent is checked first, so an event blocked by both reports `FILTERED_BY_END_USER_CONSENT`.
 */
export function decideDelivery(
  message: Pick<NormalizedMessage, "context" | "integrations">,
  destination: string,
  settings: ConsentSettings,
): DeliveryDecision {
  const mapped = settings.destinations[destination] ?? [];
  const consent = consentDecision(readEventConsent(message.context), mapped, settings);
  if (!consent.allowed) return consent;
  if (!integrationsAllow(message.integrations, destination)) {
    return {
      allowed: false,
      reason: "FILTERED_BY_INTEGRATIONS_OBJECT",
      detail: "the event's integrations object disables this destination",
    };
  }
  return consent;
}

/** {@link decideDelivery} for each destination, keyed by destination name. */
export function decideDeliveries(
  message: Pick<NormalizedMessage, "context" | "integrations">,
  destinations: readonly string[],
  settings: ConsentSettings,
): Record<string, DeliveryDecision> {
  const out: Record<string, DeliveryDecision> = {};
  for (const destination of destinations) {
    out[destination] = decideDelivery(message, destination, settings);
  }
  return out;
}
