// What the decision function needs to know about an existing profile, and the ordering facts
// (priority, age) that make every decision deterministic.
import type { Identifier } from "./identifiers.ts";
import { compareTypePriority } from "./rules.ts";
import type { IdentityRules } from "./rules.ts";

export interface ProfileIdentifier {
  type: string;
  value: string;
  /** Event time (ms) the profile first got this identifier: limit periods count from it. */
  addedAt: number;
}

/** The facts of one profile that the Durable Object hands to `resolve`. */
export interface ProfileFacts {
  id: string;
  /** Event time (ms) of the profile's creating event: the older profile survives a merge. */
  createdAt: number;
  identifiers: readonly ProfileIdentifier[];
  /** Merges this profile has absorbed, transitively (Segment caps it at 100). */
  mergeCount: number;
}

/** A profile "known" to be a person: it holds a `user_id` or an `email`. */
export function isKnownProfile(profile: ProfileFacts): boolean {
  return profile.identifiers.some((id) => id.type === "user_id" || id.type === "email");
}

/** Orders profiles oldest first; equal creation times fall back to the smaller id. */
export function compareProfileAge(a: ProfileFacts, b: ProfileFacts): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Orders identifiers from highest to lowest priority: by type priority, strong before weak,
 * then by value so that equal-priority identifiers still have one fixed order.
 */
export function compareIdentifierPriority(
  rules: IdentityRules,
  a: Identifier,
  b: Identifier,
): number {
  const byType = compareTypePriority(rules, a.type, b.type);
  if (byType !== 0) return byType;
  if (a.strength !== b.strength) return a.strength === "strong" ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
