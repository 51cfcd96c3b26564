// What the path applies before an event moves on: admission (SourceGate), consent, PII policy,
// suppression, and the decisions they record.
export { SourceGate, sourceGate } from "./admission/source-gate.ts";
export { admitLeased, dropLease, type LeaseResult } from "./admission/lease.ts";
export { chunkObjectKeys, claimMessages, recordChunkObjects } from "./admission/claims.ts";
export { decideDelivery } from "./consent/event.ts";
export { CONSENT_COUNTERS, consentFromHistory } from "./consent/history.ts";
export {
  type ConsentUpdate,
  consentUpdateFromMessage,
  foldConsentUpdates,
} from "./consent/profile.ts";
export { DEFAULT_CONSENT_SETTINGS, parseConsentSettings } from "./consent/settings.ts";
export type { AllowReason, DeliveryDecision } from "./decision.ts";
export { destinationForms, type EdgePrivacyConfig, storedForm } from "./edge-privacy.ts";
export { applyIpPolicy } from "./ip.ts";
export { PII_CLASSES } from "./pii/classifier.ts";
export { dropRedFields } from "./pii/edge-drop.ts";
export {
  DEFAULT_PII_POLICY,
  DEFAULT_PRIVACY_POLICY,
  type PiiPolicy,
  policyForDestination,
  type PrivacyPolicy,
} from "./pii/policy-types.ts";
export { parsePiiPolicy, parsePrivacyPolicy } from "./pii/policy-validate.ts";
export { actionFor, applyPiiPolicy, type PiiReportEntry } from "./pii/policy.ts";
export { storageHashKey, storedSubjectForms } from "./pii/storage-hash.ts";
export { isRecord, PrivacyInputError } from "./privacy-input-error.ts";
export {
  DEFAULT_RETENTION_DAYS,
  readSpacePrivacy,
  rotateHashSecretStatement,
  type SpacePrivacyChange,
  spacePrivacyStatement,
} from "./settings-store.ts";
export { changeSuppression, countSuppressed, suppressionFor } from "./suppression/list.ts";
export { matchesSuppression } from "./suppression/match.ts";
