// Everything a profile's Durable Object needs to keep its computed traits and audience memberships
// current, as pure functions: the history read from stored events, the evaluation of every
// definition at an instant (with the next instant something could change with no new event, for
// the alarm), and the difference from the last evaluation, which is what goes out to destinations.
import type { JsonObject, JsonValue, NormalizedMessage } from "../message/index.ts";
import {
  audienceSchema,
  parseAudienceSet,
  type AudienceDefinition,
} from "./audience-definition.ts";
import { evaluateFoldedAudience } from "./audiences.ts";
import {
  computedTraitSchema,
  foldTraitEvent,
  initialTraitState,
  readTrait,
  traitNextChangeAt,
  type ComputedTraitDefinition,
  type TraitState,
} from "./computed-traits.ts";
import {
  emptyMatches,
  eventConditions,
  foldMatch,
  matchKey,
  type EventCondition,
  type MatchState,
} from "./event-matches.ts";
import type { ActivationMode } from "./activation-events.ts";
import type { HistoryEvent } from "./history.ts";

export interface Computation<D> {
  /** Segment's computation_id, stable across versions. */
  id: string;
  key: string;
  version: number;
  mode: ActivationMode;
  definition: D;
}

export interface ActivationDefinitions {
  traits: Computation<ComputedTraitDefinition>[];
  audiences: Computation<AudienceDefinition>[];
}

/** What a profile last reported: computed trait values and audience memberships, by key. */
export interface ActivationSnapshot {
  traits: Record<string, JsonValue>;
  audiences: Record<string, boolean>;
}

export const EMPTY_SNAPSHOT: ActivationSnapshot = { traits: {}, audiences: {} };

interface StoredShape {
  kind: string;
  key: string;
  id: string;
  version: number;
  mode: string;
  definition: unknown;
}

function mode(value: string): ActivationMode {
  return value === "track" || value === "both" ? value : "identify";
}

/** Reads definitions as SpaceActivation stores them (validated again: storage is not trusted blindly). */
export function definitionsFromStored(stored: readonly StoredShape[]): ActivationDefinitions {
  const traits: Computation<ComputedTraitDefinition>[] = [];
  const audiences: Computation<AudienceDefinition>[] = [];
  for (const s of stored) {
    const base = { id: s.id, key: s.key, version: s.version, mode: mode(s.mode) };
    if (s.kind === "computed_trait") {
      const parsed = computedTraitSchema.safeParse(s.definition);
      if (parsed.success) traits.push({ ...base, definition: parsed.data });
    } else if (s.kind === "audience") {
      const parsed = audienceSchema.safeParse(s.definition);
      if (parsed.success) audiences.push({ ...base, definition: parsed.data });
    }
  }
  return { traits, audiences };
}

/**
 * One stored message as activation reads it. Page and screen calls count as Segment's
 * `Page Viewed` / `Screen Viewed` events (audiences/index.md), with `name` as a property.
 */
export function historyEvent(message: NormalizedMessage): HistoryEvent {
  const properties: JsonObject = { ...(message.properties ?? {}) };
  let event = message.event;
  if (message.type === "page" || message.type === "screen") {
    event = message.type === "page" ? "Page Viewed" : "Screen Viewed";
    if (message.name !== undefined) properties[`${message.type}_name`] = message.name;
  }
  const out: HistoryEvent = {
    type: message.type,
    properties,
    timestamp: message.timestamp,
    messageId: message.messageId,
  };
  if (event !== undefined) out.event = event;
  if (message.userId !== undefined) out.userId = message.userId;
  if (message.anonymousId !== undefined) out.anonymousId = message.anonymousId;
  return out;
}

export interface ProfileEvaluation {
  snapshot: ActivationSnapshot;
  /** Earliest instant after `now` at which a value or membership could change with no new event. */
  nextChangeAt: number | null;
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * What a profile keeps between events so that activation never re-reads its history (issue 14):
 * each computed trait's fold state (computed-traits.ts) and each audience event condition's
 * (event-matches.ts), with the definitions and the history version they were folded for. A new
 * event is folded in; a change of definitions or of history other than new events (a merge, an
 * erasure, retention) means one rebuild from the whole history.
 */
export interface ActivationState {
  /** `id@version` of every definition folded for; another set needs a rebuild. */
  basis: string;
  /** The profile's history version (profile-store.ts) the state has folded up to. */
  version: number;
  traits: Record<string, TraitState>;
  /** By matchKey (JSON text: never a prototype key). */
  matches: Record<string, MatchState>;
  /** The latest userId and anonymousId in the history: [value, epoch ms, messageId]. */
  ids?: { userId?: LatestId; anonymousId?: LatestId };
}

type LatestId = [string, number, string];

/** Whether (t, messageId) comes after the kept one: the history's order (timestamp, messageId). */
function later(t: number, messageId: string, kept: LatestId | undefined): boolean {
  return kept === undefined || t > kept[1] || (t === kept[1] && messageId > kept[2]);
}

/** Folds the events' ids into the latest ones (any order). */
function foldIds(
  ids: ActivationState["ids"],
  events: readonly HistoryEvent[],
): ActivationState["ids"] {
  const out = { ...ids };
  for (const event of events) {
    const t = Date.parse(event.timestamp);
    if (Number.isNaN(t)) continue;
    const messageId = event.messageId ?? "";
    for (const field of ["userId", "anonymousId"] as const) {
      const value = event[field];
      if (value !== undefined && later(t, messageId, out[field]))
        out[field] = [value, t, messageId];
    }
  }
  return out;
}

/** The latest ids the state has folded, as activation messages carry them. */
export function latestIds(state: ActivationState): { userId?: string; anonymousId?: string } {
  const out: { userId?: string; anonymousId?: string } = {};
  if (state.ids?.userId) out.userId = state.ids.userId[0];
  if (state.ids?.anonymousId) out.anonymousId = state.ids.anonymousId[0];
  return out;
}

/** The definitions a state is valid for. */
export function stateBasis(defs: ActivationDefinitions): string {
  return [...defs.traits, ...defs.audiences].map((d) => `${d.id}@${d.version}`).join(",");
}

export function emptyActivationState(defs: ActivationDefinitions, version = 0): ActivationState {
  return { basis: stateBasis(defs), version, traits: {}, matches: {} };
}

/** Every distinct audience event condition of the definitions. */
function audienceEventConditions(defs: ActivationDefinitions): Map<string, EventCondition> {
  const out = new Map<string, EventCondition>();
  for (const audience of defs.audiences)
    for (const condition of eventConditions(audience.definition.condition))
      out.set(matchKey(condition), condition);
  return out;
}

/** Folds events (any order) into the state at `now`; returns a new state. */
export function foldHistory(
  defs: ActivationDefinitions,
  state: ActivationState,
  events: readonly HistoryEvent[],
  now: number,
): ActivationState {
  const traits: Record<string, TraitState> = { ...state.traits };
  for (const trait of defs.traits) {
    let fold = traits[trait.key] ?? initialTraitState();
    for (const event of events) fold = foldTraitEvent(trait.definition, fold, event, now);
    traits[trait.key] = fold;
  }
  const matches: Record<string, MatchState> = { ...state.matches };
  for (const [key, condition] of audienceEventConditions(defs)) {
    let fold = matches[key] ?? emptyMatches();
    for (const event of events)
      fold = foldMatch(condition.event, condition.window, fold, event, now);
    matches[key] = fold;
  }
  return { ...state, traits, matches, ids: foldIds(state.ids, events) };
}

/** Evaluates every definition at `now` from a folded state. */
export function evaluateState(
  defs: ActivationDefinitions,
  state: ActivationState,
  traits: JsonObject,
  now: number,
): ProfileEvaluation {
  const snapshot: ActivationSnapshot = { traits: {}, audiences: {} };
  let nextChangeAt: number | null = null;
  for (const trait of defs.traits) {
    const fold = state.traits[trait.key] ?? initialTraitState();
    snapshot.traits[trait.key] = readTrait(trait.definition, fold, now);
    nextChangeAt = earliest(nextChangeAt, traitNextChangeAt(trait.definition, fold, now));
  }
  const set = audienceMap(defs);
  const matchOf = (condition: EventCondition) =>
    state.matches[matchKey(condition)] ?? emptyMatches();
  for (const audience of defs.audiences) {
    const result = evaluateFoldedAudience(
      audience.definition,
      { matchOf, traits, computedTraits: snapshot.traits },
      now,
      set,
    );
    snapshot.audiences[audience.key] = result.member;
    nextChangeAt = earliest(nextChangeAt, result.nextChangeAt);
  }
  return { snapshot, nextChangeAt };
}

/** Evaluates every definition for one profile at `now` from its whole history (preview, rebuild). */
export function evaluateProfile(
  defs: ActivationDefinitions,
  history: readonly HistoryEvent[],
  traits: JsonObject,
  now: number,
): ProfileEvaluation {
  const ordered = [...history].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  return evaluateState(
    defs,
    foldHistory(defs, emptyActivationState(defs), ordered, now),
    traits,
    now,
  );
}

function audienceMap(defs: ActivationDefinitions): Map<string, AudienceDefinition> {
  try {
    return parseAudienceSet(defs.audiences.map((a) => a.definition));
  } catch {
    // The admin API refuses broken sets; a stale mix fails closed per reference (audiences.ts).
    return new Map(defs.audiences.map((a) => [a.key, a.definition]));
  }
}

export type ActivationChange =
  | {
      kind: "trait";
      computation: Computation<unknown>;
      previous: JsonValue | undefined;
      value: JsonValue;
    }
  | { kind: "audience"; computation: Computation<unknown>; member: boolean };

function isEmpty(value: JsonValue): boolean {
  return value === null || value === 0 || (Array.isArray(value) && value.length === 0);
}

/**
 * What changed since the last snapshot. A first evaluation reports only what is there (an entered
 * audience, a trait with a value): Segment sends on change, and "not a member" or "no events yet"
 * is where every profile starts.
 */
export function changesSince(
  defs: ActivationDefinitions,
  previous: ActivationSnapshot,
  next: ActivationSnapshot,
): ActivationChange[] {
  const changes: ActivationChange[] = [];
  for (const trait of defs.traits) {
    const value = next.traits[trait.key] ?? null;
    const before = previous.traits[trait.key];
    if (before === undefined ? isEmpty(value) : JSON.stringify(before) === JSON.stringify(value))
      continue;
    changes.push({ kind: "trait", computation: trait, previous: before, value });
  }
  for (const audience of defs.audiences) {
    const member = next.audiences[audience.key] ?? false;
    if ((previous.audiences[audience.key] ?? false) === member) continue;
    changes.push({ kind: "audience", computation: audience, member });
  }
  return changes;
}
