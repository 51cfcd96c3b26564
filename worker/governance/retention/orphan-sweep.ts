// Removes the archive's orphans: objects put in R2 whose consumer batch then failed and that no
// retry completed (worker/archive/write-ahead.ts): no reader lists them (only `stored` objects
// are read) and only this sweep removes them. Run by the hourly cron with purge.ts, in bounded slices.
//
// A slice first claims its rows (`writing` → `orphan`) in one statement; a consumer retry that
// regroups the same chunks then refuses to put that key until the row is gone, so the sweep never
// deletes an object that a retry has just written and is about to index. A sweep that stops
// between claim and delete leaves `orphan` rows, which the next run picks up first.
import { orphanCutoff } from "./orphan-age.ts";

/** Keys per slice: R2's `delete` takes at most 1,000 keys per call. */
const SLICE = 1_000;
/** Slices per run; a backlog beyond that (a long D1 outage) drains over the next runs. */
const MAX_SLICES = 10;

const CLAIM = `UPDATE archive_objects SET state = 'orphan'
  WHERE key IN (SELECT key FROM archive_objects
                WHERE state <> 'stored' AND (state = 'orphan' OR written_at < ?1) LIMIT ?2)
  RETURNING key`;

/** Deletes orphaned archive objects and their index rows at time `now` (epoch ms); returns how many. */
export async function sweepOrphans(env: Env, now: number): Promise<number> {
  let total = 0;
  for (let slice = 0; slice < MAX_SLICES; slice++) {
    const { results } = await env.DB.prepare(CLAIM)
      .bind(orphanCutoff(now), SLICE)
      .all<{ key: string }>();
    if (results.length === 0) break;
    const keys = results.map((row) => row.key);
    await env.ARCHIVE.delete(keys);
    const list = JSON.stringify(keys);
    await env.DB.prepare(
      "DELETE FROM archive_objects WHERE state = 'orphan' AND key IN (SELECT value FROM json_each(?))",
    )
      .bind(list)
      .run();
    total += keys.length;
    if (keys.length < SLICE) break;
  }
  return total;
}
