// What one destination does with one event before any network call, in Segment's order
// (destinations/actions.md, consent-management, destination-filters.md): consent → integrations
// object → destination filters → subscription → the destination's PII form. Each refusal carries
// the discard reason the delivery overview reports.
import { planDelivery } from "./rules/plan.ts";
import {
  decideDelivery,
  type AllowReason,
  destinationForms,
  type EdgePrivacyConfig,
  DEFAULT_PII_POLICY,
} from "../gate/index.ts";
import type { NormalizedMessage } from "../message/index.ts";
import type { DestinationConfig } from "./destination-config.ts";

/** Why an event was filtered at the destination; Segment's names plus Foyer's PII refusal. */
export type FilterReason =
  | "FILTERED_BY_END_USER_CONSENT"
  | "FILTERED_BY_INTEGRATIONS_OBJECT"
  | "FILTERED_BY_RULES"
  | "NO_MATCHING_MAPPING"
  | "FILTERED_BY_PII_POLICY"
  | "UNSUPPORTED_EVENT_TYPE";

/** Overview groups: consent, PII, filter, subscription (and the rest). */
export const FILTER_GROUP: Record<FilterReason, string> = {
  FILTERED_BY_END_USER_CONSENT: "consent",
  FILTERED_BY_INTEGRATIONS_OBJECT: "integrations",
  FILTERED_BY_RULES: "filter",
  NO_MATCHING_MAPPING: "subscription",
  FILTERED_BY_PII_POLICY: "pii",
  UNSUPPORTED_EVENT_TYPE: "unsupported",
};

export type Judgement =
  | { deliver: true; event: NormalizedMessage; droppedFields: string[]; allowReason: AllowReason }
  | { deliver: false; reason: FilterReason; detail?: string; missingCategories?: string[] };

/** The privacy configuration this one destination is judged under. */
export function privacyConfigOf(config: DestinationConfig): EdgePrivacyConfig {
  const mapped = config.consentCategories.length > 0;
  return {
    consent: {
      categories: config.consentCategories,
      destinations: mapped ? { [config.name]: config.consentCategories } : {},
      requireConsent: config.requireConsent,
      strictlyNecessary: config.strictlyNecessary,
    },
    policy: {
      storage: DEFAULT_PII_POLICY,
      destinations: { [config.name]: config.pii },
      destinationDefault: config.pii,
    },
    // The edge applied the source's IP mode before the event was queued.
    ipMode: "keep",
  };
}

/** Judges one event for one destination; the delivered form has the destination's PII policy applied. */
export async function judgeEvent(
  config: DestinationConfig,
  message: NormalizedMessage,
): Promise<Judgement> {
  const privacy = privacyConfigOf(config);
  const decision = decideDelivery(message, config.name, privacy.consent);
  if (!decision.allowed)
    return {
      deliver: false,
      reason: decision.reason,
      detail: decision.detail,
      ...(decision.missingCategories ? { missingCategories: decision.missingCategories } : {}),
    };
  const plan = planDelivery(message, {
    integrationName: config.name,
    // Consent was decided above with the space's full rules (requireConsent included).
    consentCategories: [],
    filters: config.filters,
    ...(config.subscription === undefined ? {} : { subscription: config.subscription }),
  });
  if (!plan.deliver) return { deliver: false, reason: plan.reason, detail: plan.detail };
  const form = (await destinationForms(plan.event, [config.name], privacy))[config.name];
  if (!form?.message) return { deliver: false, reason: "FILTERED_BY_END_USER_CONSENT" };
  const droppedFields = (form.fields ?? [])
    .filter((f) => f.outcome === "dropped")
    .map((f) => f.path);
  return { deliver: true, event: form.message, droppedFields, allowReason: decision.reason };
}

/**
 * An adapter that refuses an event before sending (no identifier, unsupported type): when the PII
 * policy dropped fields, the refusal is the policy's doing; otherwise the event does not fit.
 */
export function refusalReason(error: string | undefined, droppedFields: readonly string[]) {
  if (error?.startsWith("MISSING_IDENTIFIER") && droppedFields.length > 0)
    return "FILTERED_BY_PII_POLICY" as const;
  if (error?.startsWith("UNSUPPORTED_EVENT_TYPE") || error?.startsWith("MISSING_IDENTIFIER"))
    return "UNSUPPORTED_EVENT_TYPE" as const;
  return undefined;
}
