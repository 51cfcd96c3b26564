// Rewrites the R2 archive objects that hold the subjects' events without them. The objects are
// found through D1 (`events.chunk_id` → `archive_chunks.key`), which is why this step runs before
// the D1 rows go. An object left with no event is deleted with its index rows. Objects not yet
// `stored` (worker/archive/write-ahead.ts) have no chunk rows: orphans of a failed consumer batch,
// which may hold the subject's events until the hourly sweep, are read and rewritten by content.
import { unfinishedObjects } from "../archive/object-index.ts";
import { rewriteArchive } from "../privacy/archive-rewrite.ts";
import { subjectEvents } from "./d1-erasure.ts";
import { subjectPredicate, type ResolvedSubjects } from "./subjects.ts";

const encoder = new TextEncoder();

/** Rewrites every archive object holding a subject's event; returns how many objects changed. */
export async function rewriteSubjectObjects(
  env: Env,
  spaceId: string,
  subjects: ResolvedSubjects,
): Promise<number> {
  const events = await subjectEvents(env, spaceId, subjects);
  const { results } = await env.DB.prepare(
    `SELECT DISTINCT key, source_id FROM archive_chunks
     WHERE chunk_id IN (SELECT value FROM json_each(?)) ORDER BY key`,
  )
    .bind(JSON.stringify([...new Set(events.map((e) => e.chunkId))]))
    .all<{ key: string; source_id: string }>();
  const objects = [...results, ...(await unfinishedObjects(env, spaceId))];
  let changed = 0;
  for (const { key, source_id: sourceId } of objects) {
    const object = await env.ARCHIVE.get(key);
    if (!object) continue;
    const result = rewriteArchive(await object.text(), await subjectPredicate(subjects, sourceId));
    if (!result.changed) continue;
    if (result.kept === 0 && result.malformed === 0) {
      await env.ARCHIVE.delete(key);
      await env.DB.batch([
        env.DB.prepare("DELETE FROM archive_objects WHERE key = ?").bind(key),
        env.DB.prepare("DELETE FROM archive_chunks WHERE key = ?").bind(key),
      ]);
    } else {
      const body = encoder.encode(result.text);
      await env.ARCHIVE.put(key, body, {
        httpMetadata: object.httpMetadata ?? { contentType: "application/x-ndjson" },
        customMetadata: object.customMetadata ?? {},
      });
      await env.DB.prepare("UPDATE archive_objects SET event_count = ?, bytes = ? WHERE key = ?")
        .bind(result.kept + result.malformed, body.byteLength, key)
        .run();
    }
    changed++;
  }
  return changed;
}
