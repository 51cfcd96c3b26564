// What an audience's event condition needs to remember about a profile's history: the times of the
// events its filter selects that can still count under its window, and how many matched with no
// window and are past (they count for good). Folded one event at a time, so a profile keeps it
// between events instead of re-reading its history (issue 14); evaluating a whole history folds
// it the same way, so both paths give the same answer. Pure.
import type { AudienceCondition } from "./audience-definition.ts";
import {
  eventMatches,
  windowExpired,
  type EventFilter,
  type HistoryEvent,
  type TimeWindow,
} from "./history.ts";

/** The event and did-not-perform conditions: what MatchState is kept for. */
export type EventCondition = Extract<AudienceCondition, { event: EventFilter }>;

export interface MatchState {
  /** Matches with no window at or before the last fold: they count at every later instant. */
  rolled: number;
  /** Epoch ms of the other matches that can still count, ascending. */
  times: number[];
}

/**
 * Times kept per condition at most (the most recent). A count condition past this many events in
 * one window is decided by the kept ones; Segment's own limits are of the same order.
 */
export const MAX_MATCH_TIMES = 10_000;

export function emptyMatches(): MatchState {
  return { rolled: 0, times: [] };
}

/** The key a condition's state is kept under: its filter and window (equal conditions share it). */
export function matchKey(condition: EventCondition): string {
  return JSON.stringify([condition.event, condition.window ?? null]);
}

/** Folds one event into a condition's state at `now`. */
export function foldMatch(
  filter: EventFilter,
  window: TimeWindow | undefined,
  state: MatchState,
  event: HistoryEvent,
  now: number,
): MatchState {
  if (!eventMatches(filter, event)) return settle(window, state, now);
  const t = Date.parse(event.timestamp);
  if (Number.isNaN(t)) return settle(window, state, now);
  const times = [...state.times];
  // Insertion keeps the list sorted: events mostly arrive in order, so this is near the end.
  let at = times.length;
  while (at > 0 && (times[at - 1] as number) > t) at--;
  times.splice(at, 0, t);
  return settle(window, { rolled: state.rolled, times }, now);
}

/** Rolls past no-window matches into the count and forgets times that can never count again. */
function settle(window: TimeWindow | undefined, state: MatchState, now: number): MatchState {
  let { rolled, times } = state;
  if (window === undefined) {
    const past = times.filter((t) => t <= now).length;
    if (past > 0) {
      rolled += past;
      times = times.slice(past);
    }
  } else if (times.some((t) => windowExpired(window, t, now))) {
    times = times.filter((t) => !windowExpired(window, t, now));
  }
  if (times.length > MAX_MATCH_TIMES) times = times.slice(-MAX_MATCH_TIMES);
  return rolled === state.rolled && times === state.times ? state : { rolled, times };
}

/** Every event and did-not-perform condition in a condition tree (audience references not followed). */
export function eventConditions(condition: AudienceCondition): EventCondition[] {
  switch (condition.kind) {
    case "event":
    case "did_not_perform":
      return [condition];
    case "and":
    case "or":
      return condition.conditions.flatMap(eventConditions);
    case "not":
      return eventConditions(condition.condition);
    default:
      return [];
  }
}
