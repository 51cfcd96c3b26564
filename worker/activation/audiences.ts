// Audience evaluation at a given `now`, so time-window drop-outs can be tested with a controlled
// clock and scheduled with a Durable Object alarm: besides membership, it returns the next instant
// at which membership could change with no new event (an event entering or leaving a window).
import { type JsonObject, readPath } from "../message/index.ts";
import { compareValue } from "./conditions.ts";
import type { AudienceCondition, AudienceDefinition } from "./audience-definition.ts";
import {
  emptyMatches,
  foldMatch,
  matchKey,
  type EventCondition,
  type MatchState,
} from "./event-matches.ts";
import { windowBoundaries, windowIncludes, type HistoryEvent } from "./history.ts";

/** What an audience is judged on: the profile's history, custom traits and computed trait values. */
export interface AudienceProfile {
  history: readonly HistoryEvent[];
  traits: JsonObject;
  computedTraits: JsonObject;
}

/**
 * The same, with each event condition's history already folded (event-matches.ts): what a profile
 * keeps between events, so judging it does not re-read the history.
 */
export interface FoldedAudienceProfile {
  matchOf: (condition: EventCondition) => MatchState;
  traits: JsonObject;
  computedTraits: JsonObject;
}

export interface AudienceEvaluation {
  member: boolean;
  /** Epoch ms of the next possible change with no new event, or null if none can happen. */
  nextChangeAt: number | null;
}

/** Candidate instants checked when looking for the next change; beyond it we re-check at the last one. */
const MAX_CANDIDATES = 2_000;

/** Folds a whole history for each condition on first use, at `now`. */
function foldedHistory(profile: AudienceProfile, now: number): FoldedAudienceProfile {
  const folded = new Map<string, MatchState>();
  return {
    traits: profile.traits,
    computedTraits: profile.computedTraits,
    matchOf: (condition) => {
      const key = matchKey(condition);
      let state = folded.get(key);
      if (!state) {
        state = emptyMatches();
        for (const event of profile.history)
          state = foldMatch(condition.event, condition.window, state, event, now);
        folded.set(key, state);
      }
      return state;
    },
  };
}

class Evaluator {
  private readonly profile: FoldedAudienceProfile;
  private readonly audiences: ReadonlyMap<string, AudienceDefinition>;

  constructor(profile: FoldedAudienceProfile, audiences: ReadonlyMap<string, AudienceDefinition>) {
    this.profile = profile;
    this.audiences = audiences;
  }

  /** How many of the condition's events count at `now` (past no-window matches always do). */
  private count(condition: EventCondition, now: number): number {
    const { rolled, times } = this.profile.matchOf(condition);
    const inWindow = times.filter((t) => windowIncludes(condition.window, t, now)).length;
    return (condition.window === undefined ? rolled : 0) + inWindow;
  }

  holds(condition: AudienceCondition, now: number, depth = 0): boolean {
    switch (condition.kind) {
      case "event": {
        const n = this.count(condition, now);
        const { operator, value } = condition.count;
        if (operator === "at_least") return n >= value;
        if (operator === "at_most") return n <= value;
        if (operator === "exactly") return n === value;
        return operator === "more_than" ? n > value : n < value;
      }
      case "did_not_perform":
        return this.count(condition, now) === 0;
      case "trait":
        return compareValue(
          readPath(this.profile.traits, condition.key),
          condition.operator,
          condition.value,
        );
      case "computed_trait":
        return compareValue(
          this.profile.computedTraits[condition.key],
          condition.operator,
          condition.value,
        );
      case "audience": {
        const def = this.audiences.get(condition.key);
        // Validation refuses unknown keys and cycles; the depth bound is a backstop, failing closed.
        if (!def || depth > 64) return false;
        return this.holds(def.condition, now, depth + 1) === condition.member;
      }
      case "and":
        return condition.conditions.every((c) => this.holds(c, now, depth));
      case "or":
        return condition.conditions.some((c) => this.holds(c, now, depth));
      case "not":
        return !this.holds(condition.condition, now, depth);
    }
  }

  /** Every instant at which some event of some time-dependent condition enters or leaves its window. */
  boundaries(condition: AudienceCondition, depth = 0): number[] {
    switch (condition.kind) {
      case "event":
      case "did_not_perform":
        return this.profile
          .matchOf(condition)
          .times.flatMap((t) => windowBoundaries(condition.window, t));
      case "audience": {
        const def = this.audiences.get(condition.key);
        return def && depth <= 64 ? this.boundaries(def.condition, depth + 1) : [];
      }
      case "and":
      case "or":
        return condition.conditions.flatMap((c) => this.boundaries(c, depth));
      case "not":
        return this.boundaries(condition.condition, depth);
      default:
        return [];
    }
  }
}

/**
 * Judges one audience at `now`. `audiences` resolves membership conditions on other audiences
 * (use parseAudienceSet so unknown references and cycles are refused up front).
 */
export function evaluateAudience(
  def: AudienceDefinition,
  profile: AudienceProfile,
  now: number,
  audiences: ReadonlyMap<string, AudienceDefinition> = new Map([[def.key, def]]),
): AudienceEvaluation {
  return evaluateFoldedAudience(def, foldedHistory(profile, now), now, audiences);
}

/** Judges one audience at `now` from its conditions' folded state (what a profile keeps). */
export function evaluateFoldedAudience(
  def: AudienceDefinition,
  profile: FoldedAudienceProfile,
  now: number,
  audiences: ReadonlyMap<string, AudienceDefinition> = new Map([[def.key, def]]),
): AudienceEvaluation {
  const evaluator = new Evaluator(profile, audiences);
  const member = evaluator.holds(def.condition, now);
  const candidates = [...new Set(evaluator.boundaries(def.condition))]
    .filter((t) => t > now)
    .sort((a, b) => a - b);
  for (const at of candidates.slice(0, MAX_CANDIDATES)) {
    if (evaluator.holds(def.condition, at) !== member) return { member, nextChangeAt: at };
  }
  // Too many candidates to check: wake up at the last one checked and look again from there.
  const recheck =
    candidates.length > MAX_CANDIDATES ? (candidates[MAX_CANDIDATES - 1] as number) : null;
  return { member, nextChangeAt: recheck };
}
