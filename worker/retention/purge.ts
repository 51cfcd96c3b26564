// Retention: events older than their source's retention (default 90 days, counted from receipt as
// Segment counts it, segment.md §8.3) leave D1 and the R2 archive. Run by the cron handler with
// the scheduled time as "now", so tests control the clock. Work is done in bounded slices.
import { listSources } from "../sources/repository.ts";

const DAY_MS = 86_400_000;
const SLICE = 1_000;
const MAX_SLICES_PER_SOURCE = 50;

export interface PurgeReport {
  events: number;
  objects: number;
}

async function purgeEvents(env: Env, sourceId: string, cutoff: number): Promise<number> {
  let total = 0;
  for (let slice = 0; slice < MAX_SLICES_PER_SOURCE; slice++) {
    const result = await env.DB.prepare(
      `DELETE FROM events WHERE rowid IN
         (SELECT rowid FROM events WHERE source_id = ? AND received_at < ? LIMIT ?)`,
    )
      .bind(sourceId, cutoff, SLICE)
      .run();
    total += result.meta.changes;
    if (result.meta.changes < SLICE) break;
  }
  return total;
}

async function purgeObjects(env: Env, sourceId: string, cutoff: number): Promise<number> {
  let total = 0;
  for (let slice = 0; slice < MAX_SLICES_PER_SOURCE; slice++) {
    const { results } = await env.DB.prepare(
      "SELECT key FROM archive_objects WHERE source_id = ? AND received_at < ? LIMIT ?",
    )
      .bind(sourceId, cutoff, SLICE)
      .all<{ key: string }>();
    if (results.length === 0) break;
    const keys = results.map((row) => row.key);
    await env.ARCHIVE.delete(keys);
    const drop = env.DB.prepare("DELETE FROM archive_objects WHERE key = ?");
    const dropChunks = env.DB.prepare("DELETE FROM archive_chunks WHERE key = ?");
    await env.DB.batch(keys.flatMap((key) => [drop.bind(key), dropChunks.bind(key)]));
    total += keys.length;
    if (keys.length < SLICE) break;
  }
  return total;
}

/** Deletes everything past each source's retention at time `now` (epoch ms). */
export async function purgeExpired(env: Env, now: number): Promise<PurgeReport> {
  const report: PurgeReport = { events: 0, objects: 0 };
  for (const source of await listSources(env)) {
    const cutoff = now - source.retentionDays * DAY_MS;
    report.events += await purgeEvents(env, source.id, cutoff);
    report.objects += await purgeObjects(env, source.id, cutoff);
  }
  return report;
}
