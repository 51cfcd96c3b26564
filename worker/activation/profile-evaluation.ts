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
import { evaluateAudience } from "./audiences.ts";
import {
  computedTraitSchema,
  foldTraitEvent,
  initialTraitState,
  readTrait,
  traitNextChangeAt,
  type ComputedTraitDefinition,
} from "./computed-traits.ts";
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
  const out: HistoryEvent = { type: message.type, properties, timestamp: message.timestamp };
  if (event !== undefined) out.event = event;
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

/** Evaluates every definition for one profile at `now`. */
export function evaluateProfile(
  defs: ActivationDefinitions,
  history: readonly HistoryEvent[],
  traits: JsonObject,
  now: number,
): ProfileEvaluation {
  const snapshot: ActivationSnapshot = { traits: {}, audiences: {} };
  let nextChangeAt: number | null = null;
  const ordered = [...history].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  for (const trait of defs.traits) {
    let state = initialTraitState();
    for (const event of ordered) state = foldTraitEvent(trait.definition, state, event, now);
    snapshot.traits[trait.key] = readTrait(trait.definition, state, now);
    nextChangeAt = earliest(nextChangeAt, traitNextChangeAt(trait.definition, state, now));
  }
  const set = audienceMap(defs);
  for (const audience of defs.audiences) {
    const result = evaluateAudience(
      audience.definition,
      { history: ordered, traits, computedTraits: snapshot.traits },
      now,
      set,
    );
    snapshot.audiences[audience.key] = result.member;
    nextChangeAt = earliest(nextChangeAt, result.nextChangeAt);
  }
  return { snapshot, nextChangeAt };
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
