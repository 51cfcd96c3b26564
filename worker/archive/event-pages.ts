// A source's stored events as the admin API pages them, read from the R2 archive (events have no
// D1 row: issue 14). Order: archive objects newest first (by their earliest receipt, then key),
// each object's events last line first, so a page is close to newest-first and the cursor is
// exact: no event is skipped or repeated between pages. A page reads at most `MAX_OBJECTS`
// objects and `MAX_ROWS` index rows; when that budget runs out first it is short (possibly
// empty) and `next` says where to go on.
import type { JsonObject } from "../message/index.ts";
import { HOUR_MS, objectEvents, storedObjects, type ObjectPosition } from "./object-scan.ts";

/** A cursor naming an object outside the source: never one this API returned. */
export class ForeignCursorError extends Error {
  constructor() {
    super("the cursor names an object of another source");
    this.name = "ForeignCursorError";
  }
}

export const MAX_OBJECTS = 16;
export const MAX_ROWS = 2_000;

/** Where the next page starts: this object's lines before `remaining` (all when null), then older. */
export interface EventCursor extends ObjectPosition {
  remaining: number | null;
}

export interface EventQuery {
  limit: number;
  cursor?: EventCursor;
  userId?: string;
  anonymousId?: string;
  /** Epoch ms bounds on the event's receipt: since ≤ receivedAt < until. */
  since?: number;
  until?: number;
}

function matches(event: JsonObject, query: EventQuery): boolean {
  if (query.userId !== undefined && event.userId !== query.userId) return false;
  if (query.anonymousId !== undefined && event.anonymousId !== query.anonymousId) return false;
  if (query.since === undefined && query.until === undefined) return true;
  const at = typeof event.receivedAt === "string" ? Date.parse(event.receivedAt) : NaN;
  if (Number.isNaN(at)) return false;
  return (
    (query.since === undefined || at >= query.since) &&
    (query.until === undefined || at < query.until)
  );
}

export async function archivedEventPage(
  env: Env,
  sourceId: string,
  query: EventQuery,
): Promise<{ events: JsonObject[]; next: EventCursor | null }> {
  const tokens = [query.userId, query.anonymousId].filter((t): t is string => t !== undefined);
  const events: JsonObject[] = [];
  let reads = 0;
  /** Reads one object's lines below `remaining`; answers the cursor when the page filled in it. */
  const take = async (
    at: ObjectPosition,
    remaining: number | null,
  ): Promise<EventCursor | null> => {
    reads++;
    const lines = await objectEvents(env, at.key);
    for (let i = Math.min(remaining ?? lines.length, lines.length) - 1; i >= 0; i--) {
      const event = lines[i]!;
      if (!matches(event, query)) continue;
      events.push(event);
      if (events.length === query.limit) return { ...at, remaining: i };
    }
    return null;
  };
  const cursor = query.cursor;
  // The cursor's key is read from R2 as it is: it must be one of this source's objects.
  if (cursor && !cursor.key.startsWith(`source=${sourceId}/`)) throw new ForeignCursorError();
  if (cursor && cursor.remaining !== 0) {
    const full = await take(cursor, cursor.remaining);
    if (full) return { events, next: full };
  }
  let seen = 0;
  let last: ObjectPosition | undefined = cursor;
  for await (const object of storedObjects(env, sourceId, {
    ...(cursor ? { from: cursor } : {}),
    ...(query.until === undefined ? {} : { until: query.until }),
    maxRows: MAX_ROWS,
  })) {
    seen++;
    // Objects come by earliest receipt: one that began an hour before `since` ended before it.
    if (query.since !== undefined && object.receivedAt < query.since - HOUR_MS)
      return { events, next: null };
    const position = { receivedAt: object.receivedAt, key: object.key };
    const wanted =
      (query.since === undefined || object.lastReceivedAt >= query.since) &&
      tokens.every((token) => object.filter.mayHold(token));
    if (wanted) {
      if (reads >= MAX_OBJECTS) return { events, next: { ...position, remaining: null } };
      const full = await take(position, null);
      if (full) return { events, next: full };
    }
    last = position;
  }
  // The walk ended: at the oldest object, or at the budget's last row.
  return { events, next: seen >= MAX_ROWS && last ? { ...last, remaining: 0 } : null };
}
