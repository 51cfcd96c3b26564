// Segment's computed trait kinds (https://segment.com/docs/unify/traits/computed-traits/): event
// counter, aggregation (sum/avg/min/max), most frequent, first, last, unique list, unique list
// count; each over the events an event filter selects, inside an optional time window.
// Incremental: a profile keeps a small JSON state per trait and folds each arriving event into it;
// reading the state at `now` gives the value. Without a window the state is a running summary;
// with one it keeps the matching (time, value) entries still able to count and forgets the rest.
import { z, type JsonValue, readPath } from "../message/index.ts";
import {
  eventFilterSchema,
  eventMatches,
  windowBoundaries,
  windowExpired,
  windowIncludes,
  windowSchema,
  type HistoryEvent,
} from "./history.ts";

export const TRAIT_KINDS = [
  "event_counter",
  "aggregation",
  "most_frequent",
  "first",
  "last",
  "unique_list",
  "unique_list_count",
] as const;
/** Segment: at most 10,000 event property values per computed trait. */
export const MAX_TRAIT_ENTRIES = 10_000;

export const computedTraitSchema = z
  .strictObject({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, "snake_case, starting with a letter, at most 64 characters"),
    kind: z.enum(TRAIT_KINDS),
    event: eventFilterSchema,
    /** The property the value comes from (dot path inside `properties`); not for event_counter. */
    property: z.string().min(1).max(200).optional(),
    aggregation: z.enum(["sum", "avg", "min", "max"]).optional(),
    /** most_frequent: the value must be seen at least this often (Segment's default 2). */
    minFrequency: z.number().int().min(1).max(1_000).optional(),
    window: windowSchema.optional(),
  })
  .superRefine((def, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    if (def.kind === "event_counter" && def.property !== undefined)
      issue("property", "event_counter counts events; it takes no property");
    if (def.kind !== "event_counter" && def.property === undefined)
      issue("property", `${def.kind} needs a property`);
    if (def.kind === "aggregation" && def.aggregation === undefined)
      issue("aggregation", "aggregation needs sum, avg, min or max");
    if (def.kind !== "aggregation" && def.aggregation !== undefined)
      issue("aggregation", `only aggregation takes an aggregation`);
    if (def.kind !== "most_frequent" && def.minFrequency !== undefined)
      issue("minFrequency", "only most_frequent takes minFrequency");
  });
export type ComputedTraitDefinition = z.infer<typeof computedTraitSchema>;

/** Validates a definition; throws a ZodError whose issue paths name the field. */
export function parseComputedTrait(input: unknown): ComputedTraitDefinition {
  return computedTraitSchema.parse(input);
}

/** Running totals of all-time events already counted (no-window counters and aggregations). */
export interface RolledUp {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

/** Matching (epoch ms, value) pairs, oldest first, plus rolled-up totals. JSON-serializable for storage. */
export interface TraitState {
  entries: Array<[number, JsonValue]>;
  rolled: RolledUp;
}

export function initialTraitState(): TraitState {
  return { entries: [], rolled: { count: 0, sum: 0, min: null, max: null } };
}

/**
 * Folds one event into the state at `now`. Entries that can never count again are forgotten; with
 * no window, counters and aggregations roll past events into totals and first/last keep only the
 * extreme past entry, so their state stays O(1). Lists keep at most MAX_TRAIT_ENTRIES values.
 */
export function foldTraitEvent(
  def: ComputedTraitDefinition,
  state: TraitState,
  event: HistoryEvent,
  now: number,
): TraitState {
  if (!eventMatches(def.event, event)) return state;
  const t = Date.parse(event.timestamp);
  if (Number.isNaN(t)) return state;
  let value: JsonValue | undefined =
    def.property === undefined ? null : readPath(event.properties, def.property);
  if (def.kind !== "event_counter" && (value === undefined || value === null)) return state;
  value ??= null;
  if (def.kind === "aggregation" && (typeof value !== "number" || !Number.isFinite(value)))
    return state;
  const entries = [...state.entries, [t, value] as [number, JsonValue]]
    .sort((a, b) => a[0] - b[0] || order(a[1], b[1]))
    .filter(([at]) => !windowExpired(def.window, at, now));
  const next: TraitState = { entries, rolled: { ...state.rolled } };
  if (def.window === undefined) compactAllTime(def, next, now);
  if (next.entries.length > MAX_TRAIT_ENTRIES)
    next.entries = next.entries.slice(-MAX_TRAIT_ENTRIES);
  return next;
}

function order(a: JsonValue, b: JsonValue): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compactAllTime(def: ComputedTraitDefinition, state: TraitState, now: number): void {
  const past = state.entries.filter(([t]) => t <= now);
  const future = state.entries.filter(([t]) => t > now);
  if (def.kind === "event_counter" || def.kind === "aggregation") {
    for (const [, value] of past) {
      state.rolled.count += 1;
      if (typeof value === "number") {
        state.rolled.sum += value;
        state.rolled.min = state.rolled.min === null ? value : Math.min(state.rolled.min, value);
        state.rolled.max = state.rolled.max === null ? value : Math.max(state.rolled.max, value);
      }
    }
    state.entries = future;
  } else if (def.kind === "first") state.entries = [...past.slice(0, 1), ...future];
  else if (def.kind === "last") state.entries = [...past.slice(-1), ...future];
}

/** The trait's value at `now`: 0 / [] for counts and lists with no events, null when nothing qualifies. */
export function readTrait(def: ComputedTraitDefinition, state: TraitState, now: number): JsonValue {
  const values = state.entries
    .filter(([t]) => windowIncludes(def.window, t, now))
    .map(([, value]) => value);
  switch (def.kind) {
    case "event_counter":
      return state.rolled.count + values.length;
    case "first":
      return values[0] ?? null;
    case "last":
      return values.at(-1) ?? null;
    case "unique_list":
      return uniqueSorted(values);
    case "unique_list_count":
      return uniqueSorted(values).length;
    case "most_frequent":
      return mostFrequent(values, def.minFrequency ?? 2);
    case "aggregation":
      return aggregate(values as number[], def.aggregation ?? "sum", state.rolled);
  }
}

function uniqueSorted(values: JsonValue[]): JsonValue[] {
  const seen = new Map<string, JsonValue>();
  for (const value of values) seen.set(JSON.stringify(value), value);
  return [...seen.values()].sort((a, b) =>
    sortText(a) < sortText(b) ? -1 : sortText(a) > sortText(b) ? 1 : 0,
  );
}

/** Segment: the mode, seen at least `minFrequency` times; ties go to the first alphabetically. */
function mostFrequent(values: JsonValue[], minFrequency: number): JsonValue {
  const counts = new Map<string, { value: JsonValue; count: number }>();
  for (const value of values) {
    const key = JSON.stringify(value);
    const slot = counts.get(key) ?? { value, count: 0 };
    slot.count += 1;
    counts.set(key, slot);
  }
  let best: { value: JsonValue; count: number } | undefined;
  for (const slot of counts.values()) {
    if (slot.count < minFrequency) continue;
    if (
      !best ||
      slot.count > best.count ||
      (slot.count === best.count && sortText(slot.value) < sortText(best.value))
    )
      best = slot;
  }
  return best?.value ?? null;
}

function aggregate(
  values: number[],
  how: "sum" | "avg" | "min" | "max",
  rolled: RolledUp,
): JsonValue {
  const count = rolled.count + values.length;
  const sum = values.reduce((a, b) => a + b, rolled.sum);
  if (how === "sum") return sum;
  if (count === 0) return null;
  if (how === "avg") return sum / count;
  const extremes = [
    ...values,
    ...[how === "min" ? rolled.min : rolled.max].filter((v): v is number => v !== null),
  ];
  return how === "min" ? Math.min(...extremes) : Math.max(...extremes);
}

/** The value computed from scratch over a whole history (what a replay or a preview uses). */
export function computeTrait(
  def: ComputedTraitDefinition,
  history: readonly HistoryEvent[],
  now: number,
): JsonValue {
  let state = initialTraitState();
  for (const event of history) state = foldTraitEvent(def, state, event, now);
  return readTrait(def, state, now);
}

/** The next instant after `now` at which the value could change with no new event (for an alarm), or null. */
export function traitNextChangeAt(
  def: ComputedTraitDefinition,
  state: TraitState,
  now: number,
): number | null {
  const current = JSON.stringify(readTrait(def, state, now));
  const candidates = [...new Set(state.entries.flatMap(([t]) => windowBoundaries(def.window, t)))]
    .filter((at) => at > now)
    .sort((a, b) => a - b);
  for (const at of candidates) if (JSON.stringify(readTrait(def, state, at)) !== current) return at;
  return null;
}

/** Alphabetical order key: strings as themselves, other values by their JSON text. */
function sortText(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
