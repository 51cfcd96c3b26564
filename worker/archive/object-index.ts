// Reading the archive through its D1 index (worker/archive/write-ahead.ts). What people read is
// what the index calls `stored`: an object still `writing` may be an orphan the sweep is about to
// remove, or a write whose events are not indexed yet. Deletion requests read the unfinished ones
// too, because until the sweep runs they may hold a subject's events.

/** One archive object as the admin API lists it. */
export interface ListedObject {
  key: string;
  size: number;
}

/**
 * The `stored` objects whose key starts with `prefix`, in key order (as R2 lists them). Every
 * archive prefix ends in "/", so the keys under it are exactly those from `prefix` up to (not
 * including) the same text ending in "0", the next character after "/": a range on the primary key.
 */
export async function listStoredObjects(
  env: Env,
  prefix: string,
  limit: number,
): Promise<ListedObject[]> {
  if (!prefix.endsWith("/")) throw new Error(`archive prefix must end in "/": ${prefix}`);
  const { results } = await env.DB.prepare(
    `SELECT key, bytes FROM archive_objects
     WHERE key >= ?1 AND key < ?2 AND state = 'stored' ORDER BY key LIMIT ?3`,
  )
    .bind(prefix, `${prefix.slice(0, -1)}0`, limit)
    .all<{ key: string; bytes: number }>();
  return results.map((row) => ({ key: row.key, size: row.bytes }));
}

/** Whether the index holds `key` as a complete (`stored`) archive object. */
export async function isStoredObject(env: Env, key: string): Promise<boolean> {
  const row = await env.DB.prepare(
    "SELECT 1 AS found FROM archive_objects WHERE key = ? AND state = 'stored'",
  )
    .bind(key)
    .first<{ found: number }>();
  return row !== null;
}

/**
 * The space's objects that are not `stored` (in flight, or orphans awaiting the sweep): few at
 * any time, found through the partial index `archive_objects_unfinished`. Their token filters are
 * not trusted (a deletion request reads each of them).
 */
export async function unfinishedObjects(
  env: Env,
  spaceId: string,
): Promise<{ key: string; source_id: string }[]> {
  // The unary `+` keeps SQLite from walking all of the space's objects through the source index
  // instead of the few unfinished ones (https://sqlite.org/optoverview.html#uplus).
  const { results } = await env.DB.prepare(
    `SELECT key, source_id FROM archive_objects
     WHERE state <> 'stored' AND +source_id IN (SELECT id FROM sources WHERE space_id = ?)
     ORDER BY written_at`,
  )
    .bind(spaceId)
    .all<{ key: string; source_id: string }>();
  return results;
}
