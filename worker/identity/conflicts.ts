// The checks a tentative match must pass before it is applied: Segment's identifier limits and
// profile caps (identity-resolution-settings.md, product-limits.md) and Foyer's weak-identifier
// rule. Each returns the identifier to drop from the event, or nothing.
import type { Identifier } from "./identifiers.ts";
import { isKnownProfile } from "./profile-facts.ts";
import type { ProfileFacts } from "./profile-facts.ts";
import { PERIOD_MS, limitFor } from "./rules.ts";
import type { IdentityRules } from "./rules.ts";

/** Why an identifier was dropped from an event; `limit.<type>` names the type whose limit broke. */
export type ConflictRule =
  `limit.${string}` | "weak_identifier_merge" | "merge_cap" | "identifier_cap";

export interface Conflict {
  rule: ConflictRule;
  /** The identifier to drop; chosen by the caller when `undefined` (the lowest priority). */
  drop?: Identifier;
  detail: string;
}

/** A tentative match: the event's remaining identifiers and the profiles they map to. */
export interface TentativeMatch {
  rules: IdentityRules;
  at: number;
  candidates: readonly Identifier[];
  /** Matched profiles, with the candidates that map to each. */
  matched: ReadonlyMap<ProfileFacts, readonly Identifier[]>;
}

/**
 * A randomized MAC may join a profile, but must not be what merges two profiles that each hold a
 * `user_id` or `email`: a known profile reached only through weak identifiers cannot join another
 * known profile. The lowest-priority weak identifier reaching such a profile is dropped.
 */
export function checkWeakMerge(match: TentativeMatch): Conflict | undefined {
  const known = [...match.matched].filter(([profile]) => isKnownProfile(profile));
  if (known.length < 2) return undefined;
  const weakOnly = known.filter(([, via]) => via.every((id) => id.strength === "weak"));
  const reaching = new Set(weakOnly.flatMap(([, via]) => via));
  const drop = [...match.candidates].reverse().find((id) => reaching.has(id));
  if (!drop) return undefined;
  return {
    rule: "weak_identifier_merge",
    drop,
    detail: `${known.length} known profiles joined only through a weak identifier`,
  };
}

/** Segment caps merges per profile: a merge past the cap is refused, resolution goes on. */
export function checkMergeCap(match: TentativeMatch): Conflict | undefined {
  if (match.matched.size < 2) return undefined;
  const profiles = [...match.matched.keys()];
  const total = profiles.reduce((sum, p) => sum + p.mergeCount, 0) + profiles.length - 1;
  if (total <= match.rules.maxMergesPerProfile) return undefined;
  return {
    rule: "merge_cap",
    detail: `merge would bring the profile to ${total} merges, cap ${match.rules.maxMergesPerProfile}`,
  };
}

function inWindow(match: TentativeMatch, type: string, addedAt: number): boolean {
  return addedAt > match.at - PERIOD_MS[limitFor(match.rules, type).period];
}

/**
 * Per-type limits and the per-profile identifier cap, counted over the union of the matched
 * profiles and the event. A profile that already exceeds a limit (the rules changed later —
 * Segment applies rule changes to new data only) is not a conflict unless the event makes it worse.
 */
export function checkLimits(match: TentativeMatch): Conflict | undefined {
  const combined = new Map<string, Set<string>>();
  const largestSingle = new Map<string, number>();
  const all = new Set<string>();
  let largestProfile = 0;
  const note = (type: string, value: string): void => {
    const values = combined.get(type) ?? new Set<string>();
    values.add(value);
    combined.set(type, values);
  };
  for (const profile of match.matched.keys()) {
    const own = new Map<string, number>();
    for (const id of profile.identifiers) {
      all.add(`${id.type}:${id.value}`);
      if (!inWindow(match, id.type, id.addedAt)) continue;
      note(id.type, id.value);
      own.set(id.type, (own.get(id.type) ?? 0) + 1);
    }
    for (const [type, count] of own)
      largestSingle.set(type, Math.max(largestSingle.get(type) ?? 0, count));
    largestProfile = Math.max(largestProfile, profile.identifiers.length);
  }
  for (const id of match.candidates) {
    note(id.type, id.value);
    all.add(`${id.type}:${id.value}`);
  }
  for (const [type, values] of combined) {
    const limit = limitFor(match.rules, type);
    if (values.size > limit.count && values.size > (largestSingle.get(type) ?? 0)) {
      return {
        rule: `limit.${type}`,
        detail: `${values.size} ${type} values, limit ${limit.count} ${limit.period}`,
      };
    }
  }
  if (all.size > match.rules.maxIdentifiersPerProfile && all.size > largestProfile) {
    return {
      rule: "identifier_cap",
      detail: `${all.size} identifiers, cap ${match.rules.maxIdentifiersPerProfile}`,
    };
  }
  return undefined;
}
