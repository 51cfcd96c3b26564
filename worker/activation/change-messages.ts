// Turns a profile's activation changes into the Segment messages destinations receive
// (activation-events.ts), stamped with the profile's latest consent so the destinations' consent
// rules decide who may receive them: a category the person never granted counts as false
// (profile-consent.ts), so only consented profiles reach a destination mapped to categories.
import { foldConsentUpdates, consentUpdateFromMessage, type ConsentUpdate } from "../gate/index.ts";
import type { JsonObject, NormalizedMessage } from "../message/index.ts";
import {
  audienceChangeMessages,
  computedTraitMessages,
  type ProfileRef,
} from "./activation-events.ts";
import type { ActivationChange } from "./profile-evaluation.ts";

/** The person's latest preferences, folded from their `Segment Consent Preference Updated` events. */
export function profileConsentPreferences(messages: readonly NormalizedMessage[]): JsonObject {
  const updates: ConsentUpdate[] = [];
  for (const message of messages) {
    try {
      const update = consentUpdateFromMessage(message);
      if (update) updates.push(update);
    } catch {
      // Ingestion refuses malformed consent events; a stored one that slipped through grants nothing.
    }
  }
  const preferences: JsonObject = {};
  for (const [category, state] of Object.entries(foldConsentUpdates(updates).categories))
    preferences[category] = state.granted;
  return preferences;
}

/** The ids activation messages carry: the latest userId and anonymousId seen on the profile. */
export function profileRef(profileId: string, messages: readonly NormalizedMessage[]): ProfileRef {
  const ref: ProfileRef = { profileId };
  for (const message of messages) {
    if (message.userId !== undefined) ref.userId = message.userId;
    if (message.anonymousId !== undefined) ref.anonymousId = message.anonymousId;
  }
  return ref;
}

/** The messages announcing `changes`, all at instant `at` (epoch ms). */
export async function changeMessages(
  spaceId: string,
  profile: ProfileRef,
  changes: readonly ActivationChange[],
  consent: JsonObject,
  at: number,
): Promise<NormalizedMessage[]> {
  const iso = new Date(at).toISOString();
  const out: NormalizedMessage[] = [];
  for (const change of changes) {
    const ref = { spaceId, computationId: change.computation.id, key: change.computation.key };
    const messages =
      change.kind === "audience"
        ? await audienceChangeMessages(ref, profile, change.member, iso, change.computation.mode)
        : await computedTraitMessages(
            ref,
            profile,
            change.previous,
            change.value,
            iso,
            change.computation.mode,
          );
    for (const message of messages)
      out.push({
        ...message,
        context: { ...message.context, consent: { categoryPreferences: consent } },
      });
  }
  return out;
}
