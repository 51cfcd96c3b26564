// Profile traits as a last-writer-wins map and event counters as sums: both fold commutatively,
// associatively and idempotently (counters: commutatively and associatively — idempotence of
// counting comes from messageId dedup upstream), so a merge gives the same profile whatever
// order the events and merges arrived in. Segment resolves conflicting traits by "last updated
// precedence" (https://segment.com/docs/unify/faqs/); Foyer orders writes by event timestamp.
import type { JsonObject, JsonValue, NormalizedMessage } from "../message/index.ts";

/** One trait write. `value: null` is a tombstone: the trait is removed, and stays removed against older writes. */
export interface TraitEntry {
  value: JsonValue;
  /** Event timestamp, ms since the epoch. */
  timestamp: number;
  messageId: string;
}

export type TraitMap = Readonly<Record<string, TraitEntry>>;

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] ?? null)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Orders two writes: later timestamp wins, then the larger messageId (the documented tie break),
 * then the larger canonical value — only reachable for two different values under one messageId,
 * and needed so that the fold stays commutative even then.
 */
export function compareTraitWrites(a: TraitEntry, b: TraitEntry): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  if (a.messageId !== b.messageId) return a.messageId < b.messageId ? -1 : 1;
  const va = canonicalJson(a.value);
  const vb = canonicalJson(b.value);
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/** Folds two trait maps key by key, keeping the winning write. Commutative, associative, idempotent. */
export function foldTraits(a: TraitMap, b: TraitMap): TraitMap {
  const out: Record<string, TraitEntry> = { ...a };
  for (const [key, entry] of Object.entries(b)) {
    const current = out[key];
    if (!current || compareTraitWrites(entry, current) > 0) out[key] = entry;
  }
  return out;
}

/** Applies one event's traits (`null` removes a trait) written at `timestamp` by `messageId`. */
export function applyTraits(
  map: TraitMap,
  traits: JsonObject,
  timestamp: number,
  messageId: string,
): TraitMap {
  const writes: Record<string, TraitEntry> = {};
  for (const [key, value] of Object.entries(traits)) writes[key] = { value, timestamp, messageId };
  return foldTraits(map, writes);
}

/** The traits a reader sees: tombstones hidden. */
export function visibleTraits(map: TraitMap): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(map).sort()) {
    const entry = map[key];
    if (entry && entry.value !== null) out[key] = entry.value;
  }
  return out;
}

/**
 * The trait writes an event makes on a profile: `identify` traits on the user, `group` traits on
 * the account. Other calls carry `context.traits` only as context and change no profile trait.
 */
export function traitWrites(msg: NormalizedMessage): { users?: JsonObject; accounts?: JsonObject } {
  if (msg.type === "identify" && msg.traits) return { users: msg.traits };
  if (msg.type === "group" && msg.traits) return { accounts: msg.traits };
  return {};
}

export type EventCounters = Readonly<Record<string, number>>;

/** The counter an event increments: its type, and for `track` its event name (`track:Order Completed`). */
export function counterKey(msg: Pick<NormalizedMessage, "type" | "event" | "name">): string {
  if (msg.type === "track") return `track:${msg.event ?? ""}`;
  if ((msg.type === "page" || msg.type === "screen") && msg.name) return `${msg.type}:${msg.name}`;
  return msg.type;
}

/** Counts one event. */
export function countEvent(
  counters: EventCounters,
  msg: Pick<NormalizedMessage, "type" | "event" | "name">,
): EventCounters {
  const key = counterKey(msg);
  return { ...counters, [key]: (counters[key] ?? 0) + 1 };
}

/** Sums two profiles' counters (a merge). Commutative and associative. */
export function foldCounters(a: EventCounters, b: EventCounters): EventCounters {
  const out: Record<string, number> = { ...a };
  for (const [key, count] of Object.entries(b)) out[key] = (out[key] ?? 0) + count;
  return out;
}
