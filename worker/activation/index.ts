// Computed traits and audiences evaluated on a profile, and the messages they emit.
export { audienceSchema, parseAudienceSet, referencedAudiences } from "./audience-definition.ts";
export { computedTraitSchema } from "./computed-traits.ts";
export { forgetDefinitions, loadDefinitions } from "./definition-cache.ts";
export { profileConsentPreferences } from "./change-messages.ts";
export type { HistoryEvent } from "./history.ts";
export { ACTIVATION_SOURCE, activateProfile } from "./profile-activator.ts";
export {
  type ActivationDefinitions,
  type ActivationSnapshot,
  type ActivationState,
  definitionsFromStored,
  evaluateProfile,
  historyEvent,
} from "./profile-evaluation.ts";
