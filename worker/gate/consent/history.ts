// Profile consent from a profile's stored history: every `Segment Consent Preference Updated` event
// and every captive-portal login (`WiFi Login Completed`, which carries what the guest ticked)
// becomes a consent update, folded last-writer-wins (profile-consent.ts). Deriving consent from the
// history makes it follow merges (the survivor holds both histories) and erasure for free.
import type { NormalizedMessage } from "../../message/index.ts";
import { isRecord } from "../privacy-input-error.ts";
import {
  CONSENT_UPDATED_EVENT,
  consentUpdateFromMessage,
  consentUpdateFromPortalLogin,
  foldConsentUpdates,
  type ConsentUpdate,
  type ProfileConsent,
} from "./profile.ts";

/** The portal's login event (agent/portal/events/login-events.ts). */
export const PORTAL_LOGIN_EVENT = "WiFi Login Completed";

/** History counters of the events that carry consent; retention keeps these as proof of consent. */
export const CONSENT_COUNTERS = [`track:${CONSENT_UPDATED_EVENT}`, `track:${PORTAL_LOGIN_EVENT}`];

/** The consent update one stored event carries, or `undefined` (malformed ones are skipped). */
export function consentUpdateFromStored(body: string): ConsentUpdate | undefined {
  let message: NormalizedMessage;
  try {
    const parsed: unknown = JSON.parse(body);
    if (!isRecord(parsed)) return undefined;
    message = parsed as unknown as NormalizedMessage;
  } catch {
    return undefined;
  }
  if (message.type !== "track" || !isRecord(message.context)) return undefined;
  try {
    if (message.event === CONSENT_UPDATED_EVENT) return consentUpdateFromMessage(message);
    if (message.event !== PORTAL_LOGIN_EVENT) return undefined;
    const consent = message.context.consent;
    const preferences = isRecord(consent) ? consent.categoryPreferences : undefined;
    if (!isRecord(preferences)) return undefined;
    return consentUpdateFromPortalLogin({
      loginId: message.messageId,
      at: message.timestamp,
      preferences,
    });
  } catch {
    return undefined;
  }
}

/** The profile's consent from its stored events, in any order. */
export function consentFromHistory(bodies: readonly string[]): ProfileConsent {
  const updates: ConsentUpdate[] = [];
  for (const body of bodies) {
    const update = consentUpdateFromStored(body);
    if (update) updates.push(update);
  }
  return foldConsentUpdates(updates);
}
