// THE identity decision: Segment's flat matching (https://segment.com/docs/unify/identity-resolution/,
// "flat matching logic") with its limit-conflict behaviour — when a match would break a rule,
// drop the event's lowest-priority identifier and match again. Pure: the Durable Objects gather
// the inputs, call `resolve`, and persist the returned plan.
import { checkLimits, checkMergeCap, checkWeakMerge } from "./conflicts.ts";
import type { Conflict, ConflictRule, TentativeMatch } from "./conflicts.ts";
import { identifierKey } from "./hashing.ts";
import type { Identifier } from "./identifiers.ts";
import { compareIdentifierPriority, compareProfileAge } from "./profile-facts.ts";
import type { ProfileFacts } from "./profile-facts.ts";
import type { IdentityRules } from "./rules.ts";

export interface ResolveInput {
  rules: IdentityRules;
  /** The event's timestamp (ms): limit periods are measured back from it. */
  at: number;
  /** The event's identifiers of ONE collection, in stored (hashed) form. */
  identifiers: readonly Identifier[];
  /** `identifierKey` → id of the (surviving) profile it maps to, for every identifier that maps. */
  mappings: ReadonlyMap<string, string>;
  /** Facts of every profile named in `mappings`. */
  profiles: ReadonlyMap<string, ProfileFacts>;
}

/** An identifier left out of the event's match, and the rule that left it out (audit log). */
export interface DroppedIdentifier {
  identifier: Identifier;
  rule: ConflictRule;
  detail: string;
  /** The profiles the event matched when the rule refused: a refused merge names both sides. */
  profiles: string[];
}

/** Which profile matched through which of the event's identifiers. */
export interface MatchEvidence {
  profileId: string;
  identifiers: Identifier[];
}

export type ResolutionPlan =
  | {
      action: "create";
      rule: "flat_match.no_match";
      identifiers: Identifier[];
      dropped: DroppedIdentifier[];
    }
  | {
      action: "attach";
      rule: "flat_match.one_match";
      profileId: string;
      newIdentifiers: Identifier[];
      dropped: DroppedIdentifier[];
    }
  | {
      action: "merge";
      rule: "flat_match.many_matches";
      /** The oldest matched profile; every other matched profile folds into it. */
      survivor: string;
      folded: string[];
      newIdentifiers: Identifier[];
      evidence: MatchEvidence[];
      dropped: DroppedIdentifier[];
    }
  | { action: "refuse"; rule: "no_usable_identifiers"; dropped: DroppedIdentifier[] };

function matchOf(
  input: ResolveInput,
  candidates: readonly Identifier[],
): Map<ProfileFacts, Identifier[]> {
  const matched = new Map<ProfileFacts, Identifier[]>();
  for (const id of candidates) {
    const profileId = input.mappings.get(identifierKey(id));
    if (profileId === undefined) continue;
    const profile = input.profiles.get(profileId);
    if (!profile) throw new Error(`resolve: no facts for matched profile ${profileId}`);
    matched.set(profile, [...(matched.get(profile) ?? []), id]);
  }
  return new Map([...matched].sort(([a], [b]) => compareProfileAge(a, b)));
}

function firstConflict(match: TentativeMatch): Conflict | undefined {
  return checkWeakMerge(match) ?? checkMergeCap(match) ?? checkLimits(match);
}

function uniqueByKey(identifiers: readonly Identifier[]): Identifier[] {
  const byKey = new Map<string, Identifier>();
  for (const id of identifiers) if (!byKey.has(identifierKey(id))) byKey.set(identifierKey(id), id);
  return [...byKey.values()];
}

/**
 * Decides what an event does to the identity graph: create a profile, attach new identifiers to
 * the one profile it matches, or merge every profile it matches into the oldest. When a rule
 * refuses the match, the event's lowest-priority identifier (or, for the weak rule, the weak one
 * at fault) is dropped and matching runs again; each drop is reported with its rule.
 */
export function resolve(input: ResolveInput): ResolutionPlan {
  const rules: IdentityRules = input.rules;
  const collections = new Set(input.identifiers.map((id) => id.collection));
  if (collections.size > 1) throw new Error("resolve: identifiers of one collection at a time");
  let candidates = uniqueByKey(input.identifiers).sort((a, b) =>
    compareIdentifierPriority(rules, a, b),
  );
  const dropped: DroppedIdentifier[] = [];
  // Each round drops one identifier, so the loop ends after at most one round per identifier.
  while (candidates.length > 0) {
    const matched = matchOf(input, candidates);
    const conflict = firstConflict({ rules, at: input.at, candidates, matched });
    if (conflict) {
      const drop = conflict.drop ?? candidates[candidates.length - 1];
      if (!drop) break;
      dropped.push({
        identifier: drop,
        rule: conflict.rule,
        detail: conflict.detail,
        profiles: [...matched.keys()].map((p) => p.id),
      });
      candidates = candidates.filter((id) => id !== drop);
      continue;
    }
    const newIdentifiers = candidates.filter((id) => !input.mappings.has(identifierKey(id)));
    const [oldest, ...younger] = [...matched.keys()];
    if (!oldest)
      return { action: "create", rule: "flat_match.no_match", identifiers: candidates, dropped };
    if (younger.length === 0)
      return {
        action: "attach",
        rule: "flat_match.one_match",
        profileId: oldest.id,
        newIdentifiers,
        dropped,
      };
    const evidence = [...matched].map(([profile, via]) => ({
      profileId: profile.id,
      identifiers: via,
    }));
    return {
      action: "merge",
      rule: "flat_match.many_matches",
      survivor: oldest.id,
      folded: younger.map((p) => p.id),
      newIdentifiers,
      evidence,
      dropped,
    };
  }
  return { action: "refuse", rule: "no_usable_identifiers", dropped };
}
