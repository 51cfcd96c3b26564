// Audience evaluation at a given `now`, so time-window drop-outs can be tested with a controlled
// clock and scheduled with a Durable Object alarm: besides membership, it returns the next instant
// at which membership could change with no new event (an event entering or leaving a window).
import { type JsonObject, readPath } from "../message/index.ts";
import { compareValue } from "./conditions.ts";
import type { AudienceCondition, AudienceDefinition } from "./audience-definition.ts";
import {
  eventMatches,
  windowBoundaries,
  windowIncludes,
  type EventFilter,
  type HistoryEvent,
} from "./history.ts";

/** What an audience is judged on: the profile's history, custom traits and computed trait values. */
export interface AudienceProfile {
  history: readonly HistoryEvent[];
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

class Evaluator {
  private readonly matched = new Map<AudienceCondition, number[]>();
  private readonly profile: AudienceProfile;
  private readonly audiences: ReadonlyMap<string, AudienceDefinition>;

  constructor(profile: AudienceProfile, audiences: ReadonlyMap<string, AudienceDefinition>) {
    this.profile = profile;
    this.audiences = audiences;
  }

  /** Timestamps of history events the condition's filter selects (computed once per condition). */
  times(condition: Extract<AudienceCondition, { event: EventFilter }>): number[] {
    let times = this.matched.get(condition);
    if (!times) {
      times = this.profile.history
        .filter((event) => eventMatches(condition.event, event))
        .map((event) => Date.parse(event.timestamp))
        .filter((t) => !Number.isNaN(t));
      this.matched.set(condition, times);
    }
    return times;
  }

  holds(condition: AudienceCondition, now: number, depth = 0): boolean {
    switch (condition.kind) {
      case "event": {
        const n = this.times(condition).filter((t) =>
          windowIncludes(condition.window, t, now),
        ).length;
        const { operator, value } = condition.count;
        if (operator === "at_least") return n >= value;
        if (operator === "at_most") return n <= value;
        if (operator === "exactly") return n === value;
        return operator === "more_than" ? n > value : n < value;
      }
      case "did_not_perform":
        return !this.times(condition).some((t) => windowIncludes(condition.window, t, now));
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
        return this.times(condition).flatMap((t) => windowBoundaries(condition.window, t));
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
