// Destination filters (https://segment.com/docs/connections/destinations/destination-filters/),
// applied in Segment's order: Sample → Drop → Drop Properties → Allow Properties. Every filter's
// `if` is judged against the event as it arrived, so one filter's property edits cannot change
// whether another applies.
import {
  z,
  type JsonObject,
  type JsonValue,
  readPath,
  type EventRecord,
  isUnsafeKey,
  unsafeSegment,
} from "../../message/index.ts";
import { textOf } from "../../destinations/index.ts";
import { evaluateFql, FqlError, parseFql, type FqlNode } from "./fql.ts";

/** Top-level fields a filter may never remove: without them the event is not an event. */
const PROTECTED_FIELDS = new Set(["type", "messageId", "timestamp"]);
const FIELD_PREFIXES = ["", "properties", "traits", "context"] as const;

/** A field path a filter reads or writes: no empty or prototype-reaching segment. */
const fieldPath = z
  .string()
  .min(1)
  .max(200)
  .refine((path) => unsafeSegment(path) === undefined, {
    message: "a field path may not name __proto__, constructor or prototype",
    params: { code: "unsafe_path" },
  });

const fieldList = z
  .partialRecord(z.enum(FIELD_PREFIXES), z.array(fieldPath).min(1).max(200))
  .refine((fields) => Object.keys(fields).length > 0, "name at least one field")
  .refine(
    (fields) => !(fields[""] ?? []).some((name) => PROTECTED_FIELDS.has(name)),
    `type, messageId and timestamp cannot be filtered`,
  );

const filterAction = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("sample"),
    percent: z.number().min(0).max(1),
    path: fieldPath.optional(),
  }),
  z.strictObject({ type: z.literal("drop") }),
  z.strictObject({ type: z.literal("drop_properties"), fields: fieldList }),
  z.strictObject({ type: z.literal("allow_properties"), fields: fieldList }),
]);

const filterSchema = z.strictObject({
  id: z.string().min(1).max(64),
  title: z.string().min(1).max(64),
  enabled: z.boolean(),
  /** FQL, or "all" to match every event (Public API convention). */
  if: z.string().min(1),
  actions: z.array(filterAction).min(1).max(4),
});

/** Segment allows 10 filters per destination. */
export const destinationFiltersSchema = z.array(filterSchema).max(10);

export type DestinationFilter = z.infer<typeof filterSchema>;
export type FilterAction = z.infer<typeof filterAction>;

export type FilterOutcome =
  | { kept: true; event: JsonObject }
  | {
      kept: false;
      reason: "FILTERED_BY_RULES";
      filterId: string;
      detail: "sampled out" | "dropped" | "invalid filter";
    };

/**
 * Validates filter definitions, including each `if` statement's FQL. Throws a ZodError whose
 * issue path names the filter and field (e.g. `[0, "if"]`), with the FQL error's position and its
 * code (`fql_syntax` | `fql_unsupported`) in the issue's `params.code`.
 */
export function parseDestinationFilters(input: unknown): DestinationFilter[] {
  return destinationFiltersSchema
    .superRefine((filters, ctx) => {
      filters.forEach((filter, index) => {
        if (filter.if === "all") return;
        try {
          parseFql(filter.if);
        } catch (error) {
          if (!(error instanceof FqlError)) throw error;
          ctx.addIssue({
            code: "custom",
            path: [index, "if"],
            message: error.message,
            params: { code: error.code },
          });
        }
      });
    })
    .parse(input);
}

/**
 * A number in [0, 1) from FNV-1a over the key: the same messageId always lands in the same
 * bucket, so a redelivered event gets the same sampling decision (exactly-once outcome). FNV's
 * high bits are weak for short similar keys, so MurmurHash3's fmix32 finalizer spreads them.
 */
export function sampleBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}

function conditionMatches(filter: DestinationFilter, event: EventRecord): boolean | "invalid" {
  if (filter.if === "all") return true;
  let ast: FqlNode;
  try {
    ast = parseFql(filter.if);
  } catch {
    return "invalid";
  }
  return evaluateFql(ast, event);
}

/** Applies a destination's filters to one event; returns the (possibly trimmed) copy or why it was dropped. */
export function applyDestinationFilters(
  filters: readonly DestinationFilter[],
  event: JsonObject,
): FilterOutcome {
  const active: DestinationFilter[] = [];
  for (const filter of filters) {
    if (!filter.enabled) continue;
    const matched = conditionMatches(filter, event);
    if (matched === "invalid")
      return {
        kept: false,
        reason: "FILTERED_BY_RULES",
        filterId: filter.id,
        detail: "invalid filter",
      };
    if (matched) active.push(filter);
  }
  const actions = (type: FilterAction["type"]) =>
    active.flatMap((filter) =>
      filter.actions.filter((a) => a.type === type).map((action) => ({ filter, action })),
    );

  for (const { filter, action } of actions("sample")) {
    if (action.type !== "sample") continue;
    const keyValue = action.path === undefined ? event.messageId : readPath(event, action.path);
    if (sampleBucket(textOf(keyValue) ?? "") >= action.percent) {
      return {
        kept: false,
        reason: "FILTERED_BY_RULES",
        filterId: filter.id,
        detail: "sampled out",
      };
    }
  }
  const drop = actions("drop")[0];
  if (drop)
    return {
      kept: false,
      reason: "FILTERED_BY_RULES",
      filterId: drop.filter.id,
      detail: "dropped",
    };

  let out = structuredClone(event);
  for (const { action } of actions("drop_properties")) {
    if (action.type === "drop_properties") out = dropFields(out, action.fields);
  }
  for (const { action } of actions("allow_properties")) {
    if (action.type === "allow_properties") out = allowFields(out, action.fields);
  }
  return { kept: true, event: out };
}

function containerOf(event: JsonObject, prefix: string): JsonObject | undefined {
  if (prefix === "") return event;
  const value = event[prefix];
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

function dropFields(event: JsonObject, fields: Partial<Record<string, string[]>>): JsonObject {
  for (const [prefix, names] of Object.entries(fields)) {
    const container = containerOf(event, prefix);
    if (!container) continue;
    for (const name of names ?? []) {
      if (unsafeSegment(name) !== undefined) continue;
      const parts = name.split(".");
      const leaf = parts.pop() as string;
      const parent = readPath(container, parts.join("."));
      const target = parts.length === 0 ? container : parent;
      if (target !== null && typeof target === "object" && !Array.isArray(target))
        delete target[leaf];
    }
  }
  return event;
}

function allowFields(event: JsonObject, fields: Partial<Record<string, string[]>>): JsonObject {
  for (const [prefix, names] of Object.entries(fields)) {
    const container = containerOf(event, prefix);
    if (!container) continue;
    const kept: JsonObject = {};
    const keep = prefix === "" ? [...(names ?? []), ...PROTECTED_FIELDS] : (names ?? []);
    for (const name of keep) {
      const value = readPath(container, name);
      if (value !== undefined) writeKey(kept, name, value);
    }
    if (prefix === "") {
      for (const key of Object.keys(event)) delete event[key];
      Object.assign(event, kept);
    } else event[prefix] = kept;
  }
  return event;
}

/** Writes `value` at `path`; a path with a prototype key (stored before they were refused) writes nothing. */
function writeKey(target: JsonObject, path: string, value: JsonValue): void {
  const parts = path.split(".");
  if (parts.some(isUnsafeKey)) return;
  const leaf = parts.pop() as string;
  let current = target;
  for (const part of parts) {
    const next = current[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) current[part] = {};
    current = current[part] as JsonObject;
  }
  current[leaf] = value;
}
