// Keeps D1's share of the archive bounded (issue 14, docs/scaling.md §2). An archive object's
// token filter is written with its index row; once the object's hour is over (and past the
// consumer's retries), the hourly cron moves the filters of that hour into one R2 object per
// source and hour (`index/<object prefix>tokens.json`: object key → filter) and clears them in D1.
// So D1 holds the filters of the last few hours only, and a reader fetches one R2 object per
// source and hour for the rest.
//
// Nothing here can lose an event: a reader that finds no filter for an object (an index object
// lost, or an entry missing) reads the object, as for rows written before filters. A filter is
// cleared in D1 only if it is still the one copied (a deletion request may have rebuilt it since:
// its new filter stays in D1, where readers look first, until the next compaction copies it).

/** Rows whose hour ended this long ago are final: the consumer's retries and the sweep are done. */
export const COMPACT_AFTER_MS = 3 * 3_600_000;
const ROWS_PER_RUN = 5_000;

/** The R2 key of the filters of the objects under `objectKey`'s source and hour. */
export function hourIndexKey(objectKey: string): string {
  return `index/${objectKey.slice(0, objectKey.lastIndexOf("/") + 1)}tokens.json`;
}

/** The filters of one hour index object (empty when it is absent or unreadable). */
export async function readHourIndex(env: Env, indexKey: string): Promise<Map<string, string>> {
  const object = await env.ARCHIVE.get(indexKey);
  if (!object) return new Map();
  try {
    const parsed: unknown = JSON.parse(await object.text());
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return new Map();
    return new Map(
      Object.entries(parsed as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === "string",
      ),
    );
  } catch {
    return new Map();
  }
}

/** Moves the filters of finished hours to R2 (bounded per run); answers how many moved. */
export async function compactFilters(env: Env, now: number): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT key, tokens FROM archive_objects
      WHERE tokens IS NOT NULL AND received_at < ? AND state = 'stored'
      ORDER BY received_at LIMIT ?`,
  )
    .bind(now - COMPACT_AFTER_MS, ROWS_PER_RUN)
    .all<{ key: string; tokens: string }>();
  const byHour = new Map<string, { key: string; tokens: string }[]>();
  for (const row of results) {
    const indexKey = hourIndexKey(row.key);
    byHour.set(indexKey, [...(byHour.get(indexKey) ?? []), row]);
  }
  let moved = 0;
  for (const [indexKey, rows] of byHour) {
    const filters = await readHourIndex(env, indexKey);
    for (const row of rows) filters.set(row.key, row.tokens);
    await env.ARCHIVE.put(indexKey, JSON.stringify(Object.fromEntries(filters)), {
      httpMetadata: { contentType: "application/json" },
    });
    const clear = env.DB.prepare(
      "UPDATE archive_objects SET tokens = NULL, tokens_compacted = 1 WHERE key = ? AND tokens = ?",
    );
    await env.DB.batch(rows.map((row) => clear.bind(row.key, row.tokens)));
    moved += rows.length;
  }
  return moved;
}
