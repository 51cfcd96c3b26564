// Reading events back from the R2 archive through its D1 object index, since events have no row
// of their own in D1 (issue 14). A reader walks a source's `stored` objects newest first (by the
// earliest receipt of their chunks, then key), skips the objects whose token filter rules out
// what it looks for (token-filter.ts; kept in D1 for recent hours and in one R2 object per source
// and hour after that, filter-compaction.ts), and reads the rest from R2. Every walk is bounded: a caller
// says how many index rows and how many objects it may read, and gets back where it stopped.
import type { JsonObject } from "../message/index.ts";
import { TokenFilter } from "./token-filter.ts";
import { hourIndexKey, readHourIndex } from "./filter-compaction.ts";

/** A position in a source's walk: the object next read is the first before it. */
export interface ObjectPosition {
  receivedAt: number;
  key: string;
}

export interface IndexedObject extends ObjectPosition {
  sourceId: string;
  /** Epoch ms of the latest chunk's receipt (rows from before it: the end of the object's hour). */
  lastReceivedAt: number;
  filter: TokenFilter;
}

interface ObjectRow {
  key: string;
  source_id: string;
  received_at: number;
  last_received_at: number;
  tokens: string | null;
  tokens_compacted: number;
}

/** Objects are per source and hour of receipt: an object's events span less than this. */
export const HOUR_MS = 3_600_000;
const PAGE = 200;

/**
 * A source's `stored` objects, newest first, from before `from` (when given), whose earliest
 * receipt is before `until` (when given). Reads the index in pages; stops after `maxRows` rows.
 */
export async function* storedObjects(
  env: Env,
  sourceId: string,
  options: { from?: ObjectPosition; until?: number; maxRows: number; pageRows?: number },
): AsyncGenerator<IndexedObject> {
  let from = options.from;
  let read = 0;
  // A compacted row's filter is in its hour's R2 index object: one read per hour of the walk.
  const hours = new Map<string, Promise<Map<string, string>>>();
  const hourFilters = async (key: string): Promise<string | null> => {
    const indexKey = hourIndexKey(key);
    let filters = hours.get(indexKey);
    if (!filters) hours.set(indexKey, (filters = readHourIndex(env, indexKey)));
    return (await filters).get(key) ?? null;
  };
  while (read < options.maxRows) {
    const limit = Math.min(options.pageRows ?? PAGE, options.maxRows - read);
    // Objects are per source and hour of receipt (worker/archive/keys.ts): a row from before
    // `last_received_at` ends within its hour at the latest.
    const where = ["source_id = ?", "state = 'stored'"];
    const args: (string | number)[] = [sourceId];
    if (from) {
      where.push("(received_at < ? OR (received_at = ? AND key < ?))");
      args.push(from.receivedAt, from.receivedAt, from.key);
    }
    if (options.until !== undefined) {
      where.push("received_at < ?");
      args.push(options.until);
    }
    const { results } = await env.DB.prepare(
      `SELECT key, source_id, received_at, tokens, tokens_compacted,
              COALESCE(last_received_at, received_at - received_at % ${HOUR_MS} + ${HOUR_MS - 1}) AS last_received_at
         FROM archive_objects WHERE ${where.join(" AND ")}
        ORDER BY received_at DESC, key DESC LIMIT ?`,
    )
      .bind(...args, limit)
      .all<ObjectRow>();
    read += results.length;
    for (const row of results) {
      from = { receivedAt: row.received_at, key: row.key };
      yield {
        key: row.key,
        sourceId: row.source_id,
        receivedAt: row.received_at,
        lastReceivedAt: row.last_received_at,
        filter: new TokenFilter(
          row.tokens ?? (row.tokens_compacted ? await hourFilters(row.key) : null),
        ),
      };
    }
    if (results.length < limit) return;
  }
}

/** The events of an archive object, in line order; a line that is not a JSON object is skipped. */
export async function objectEvents(env: Env, key: string): Promise<JsonObject[]> {
  const object = await env.ARCHIVE.get(key);
  if (!object) return [];
  const events: JsonObject[] = [];
  for (const line of (await object.text()).split("\n")) {
    if (line === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null && !Array.isArray(value))
        events.push(value as JsonObject);
    } catch {
      // A malformed line is kept in the object (erasure never destroys what it cannot judge) and
      // shown to no reader.
    }
  }
  return events;
}

/** Bounds of one archive lookup. */
export const LOOKUP_MAX_ROWS = 5_000;
export const LOOKUP_MAX_OBJECTS = 16;

/**
 * A source's stored event with `messageId`, from the newest `LOOKUP_MAX_ROWS` objects (an event's
 * lineage is asked about recent events); null when none of them holds it.
 */
export async function findArchivedEvent(
  env: Env,
  sourceId: string,
  messageId: string,
): Promise<{ event: JsonObject; key: string } | null> {
  let reads = 0;
  for await (const object of storedObjects(env, sourceId, { maxRows: LOOKUP_MAX_ROWS })) {
    if (!object.filter.mayHold(messageId)) continue;
    if (reads++ >= LOOKUP_MAX_OBJECTS) return null;
    const event = (await objectEvents(env, object.key)).find((e) => e.messageId === messageId);
    if (event) return { event, key: object.key };
  }
  return null;
}
