// Profile consent: what a person granted, per category, folded from `Segment Consent Preference
// Updated` events and captive-portal logins (https://segment.com/docs/privacy/consent-management/). Each category is a last-writer-wins
// register ordered by event timestamp, ties broken by messageId, so the result does not depend on
// arrival order (the same rule as identity traits, docs/architecture.md). A category never collected
// counts as false, as Segment does on merge and in audiences.
import { type NormalizedMessage, isUnsafeKey, ownValue } from "../../message/index.ts";
import type { DeliveryDecision } from "../decision.ts";
import { PrivacyInputError, isRecord } from "../privacy-input-error.ts";

/** The track event Segment requires whenever preferences change. */
export const CONSENT_UPDATED_EVENT = "Segment Consent Preference Updated";

export interface CategoryConsent {
  granted: boolean;
  /** ISO-8601 time of the event that set it. */
  at: string;
  messageId: string;
  via: "event" | "portal";
}

export interface ProfileConsent {
  categories: Readonly<Record<string, CategoryConsent>>;
}

export const EMPTY_PROFILE_CONSENT: ProfileConsent = { categories: {} };

/** One change of preferences, from an event or from a portal login. */
export interface ConsentUpdate {
  via: "event" | "portal";
  at: string;
  messageId: string;
  preferences: Readonly<Record<string, boolean>>;
}

function assertUpdate(update: ConsentUpdate): void {
  if (Number.isNaN(Date.parse(update.at))) {
    throw new PrivacyInputError("invalid_timestamp", "at", "must be an ISO-8601 time");
  }
  if (update.messageId === "")
    throw new PrivacyInputError("missing_message_id", "messageId", "is empty");
  for (const [category, value] of Object.entries(update.preferences)) {
    if (typeof value !== "boolean") {
      throw new PrivacyInputError(
        "not_a_boolean",
        `preferences.${category}`,
        "must be true or false",
      );
    }
  }
}

/**
 * The consent update a message carries: only the `Segment Consent Preference Updated` track event
 * changes profile consent; any other message gives `undefined`.
 * @throws PrivacyInputError when that event lacks `context.consent.categoryPreferences` (Segment's
 *   ingestion error "context.consent.categoryPreferences object is required").
 */
export function consentUpdateFromMessage(message: NormalizedMessage): ConsentUpdate | undefined {
  if (message.type !== "track" || message.event !== CONSENT_UPDATED_EVENT) return undefined;
  const consent = message.context.consent;
  const prefs = isRecord(consent) ? consent.categoryPreferences : undefined;
  if (!isRecord(prefs)) {
    throw new PrivacyInputError(
      "consent_preferences_required",
      "context.consent.categoryPreferences",
      "context.consent.categoryPreferences object is required",
    );
  }
  const update: ConsentUpdate = {
    via: "event",
    at: message.timestamp,
    messageId: message.messageId,
    preferences: prefs as Record<string, boolean>,
  };
  assertUpdate(update);
  return update;
}

/**
 * The consent update a captive-portal login carries: what the guest ticked, at the login's time.
 * @throws PrivacyInputError on a bad time, an empty login id or a non-boolean choice.
 */
export function consentUpdateFromPortalLogin(login: {
  loginId: string;
  at: string;
  preferences: Readonly<Record<string, unknown>>;
}): ConsentUpdate {
  const update: ConsentUpdate = {
    via: "portal",
    at: login.at,
    messageId: login.loginId,
    preferences: login.preferences as Record<string, boolean>,
  };
  assertUpdate(update);
  return { ...update, preferences: { ...update.preferences } };
}

/** Whether `a` was written after `b`: later timestamp, then greater messageId. */
function isLater(
  a: { at: string; messageId: string },
  b: { at: string; messageId: string },
): boolean {
  const ta = Date.parse(a.at);
  const tb = Date.parse(b.at);
  if (ta !== tb) return ta > tb;
  return a.messageId > b.messageId;
}

/**
 * Applies one update to a profile's consent and returns the new state; `state` is not changed.
 * @throws PrivacyInputError on a malformed update, leaving the state as it was.
 */
export function applyConsentUpdate(state: ProfileConsent, update: ConsentUpdate): ProfileConsent {
  assertUpdate(update);
  const categories: Record<string, CategoryConsent> = { ...state.categories };
  for (const [category, granted] of Object.entries(update.preferences)) {
    if (isUnsafeKey(category)) continue;
    const current = ownValue(categories, category);
    if (current && !isLater(update, current)) continue;
    categories[category] = { granted, at: update.at, messageId: update.messageId, via: update.via };
  }
  return { categories };
}

/** Folds updates in any order into the same profile consent. */
export function foldConsentUpdates(updates: readonly ConsentUpdate[]): ProfileConsent {
  return updates.reduce(applyConsentUpdate, EMPTY_PROFILE_CONSENT);
}

/**
 * Whether activation (audiences, destinations) may use the profile for a destination mapped to
 * `mapped` categories: all must be granted; a category never collected is false.
 */
export function profileConsentAllows(
  state: ProfileConsent,
  mapped: readonly string[],
): DeliveryDecision {
  if (mapped.length === 0) return { allowed: true, reason: "DESTINATION_NOT_MAPPED" };
  const missing = mapped.filter(
    (category) => ownValue(state.categories, category)?.granted !== true,
  );
  if (missing.length === 0) return { allowed: true, reason: "CONSENT_GRANTED" };
  return {
    allowed: false,
    reason: "FILTERED_BY_END_USER_CONSENT",
    missingCategories: missing,
    detail: "the profile's latest consent does not grant every category the destination needs",
  };
}
