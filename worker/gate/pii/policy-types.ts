// What a PII policy says: an action per field class, for the storage (archive and D1 event index)
// and per destination. Raw PII, where kept at all, lives in the profile only (docs/architecture.md,
// "Consent and PII"); the storage default is `hashed`.
import type { PiiClass } from "./classifier.ts";
import type { PhoneFormat } from "./hash-form.ts";

export const PII_ACTIONS = ["raw", "hashed", "dropped"] as const;
export type PiiAction = (typeof PII_ACTIONS)[number];

export interface PiiPolicy {
  /** Action per class; a class not listed takes `default`. */
  classes: Readonly<Partial<Record<PiiClass, PiiAction>>>;
  default: PiiAction;
  /** `e164` (Google Ads: `+16505551212`) or `digits` (Meta CAPI: `16505551212`). */
  phoneFormat: PhoneFormat;
  /** Calling code given to national phone numbers before hashing, e.g. "44". */
  defaultCallingCode?: string;
}

export interface PrivacyPolicy {
  /** What the R2 archive (and so the event list and lineage) keeps. */
  storage: PiiPolicy;
  /** Per destination name (as in the integrations object). */
  destinations: Readonly<Record<string, PiiPolicy>>;
  /** For destinations without their own policy. */
  destinationDefault: PiiPolicy;
}

/**
 * Hashed unless said otherwise. Two exceptions: `ip` stays in the form the source's IP mode gave it
 * (truncated by default, see ip.ts) because a SHA-256 of an IPv4 address is reversed by trying all
 * 2^32; `mac` is dropped because a bare SHA-256 of a MAC is reversed as easily (the agent sends
 * only keyed hashes, so a raw MAC at the edge is a mistake to remove, not data to keep).
 */
export const DEFAULT_PII_POLICY: PiiPolicy = {
  classes: { ip: "raw", mac: "dropped" },
  default: "hashed",
  phoneFormat: "e164",
};

export const DEFAULT_PRIVACY_POLICY: PrivacyPolicy = {
  storage: DEFAULT_PII_POLICY,
  destinations: {},
  destinationDefault: DEFAULT_PII_POLICY,
};

/** The policy that applies to `destination`. */
export function policyForDestination(policy: PrivacyPolicy, destination: string): PiiPolicy {
  return Object.hasOwn(policy.destinations, destination)
    ? (policy.destinations[destination] ?? policy.destinationDefault)
    : policy.destinationDefault;
}
