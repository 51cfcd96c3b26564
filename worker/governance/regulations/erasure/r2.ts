// Rewrites the R2 archive objects that hold the subjects' events without them. The objects are
// found through D1 (`events.chunk_id` → `archive_chunks.key`), which is why this step runs before
// the D1 rows go. An object left with no event is deleted with its index rows.
//
// Only `stored` objects are rewritten: nothing but retention and this step changes them, and a
// rewrite whose row retention removed meanwhile deletes what it put. An unfinished object
// (`writing` or `orphan`, worker/archive/write-ahead.ts) belongs to the consumer that is writing
// it or to the orphan sweep. A put from here could land after the sweep deleted the key and its
// row, leaving an object that no index row reaches. A delete could come before the consumer's
// batch marks the object stored, leaving a `stored` row with no object. So the step reads the
// space's unfinished objects but writes none of them. If one holds a subject's event, the step
// fails retryably and runs again on the regulation's backoff. By then the consumer has indexed
// the object, so it is `stored` and found through its events, or the hourly sweep has deleted it.
// That takes about two hours at most (worker/governance/retention/orphan-age.ts), and the step's 16 attempts
// span more than four.
import { unfinishedObjects } from "../../../archive/index.ts";
import { rewriteArchive, type EventPredicate } from "./archive-rewrite.ts";
import { subjectEvents } from "./d1.ts";
import { subjectPredicate, withStoredForms, type ResolvedSubjects } from "../subjects.ts";

const encoder = new TextEncoder();

/** Unfinished archive objects hold the subjects' events: retry once they are indexed or swept. */
export class UnfinishedArchiveObjectsError extends Error {
  constructor(count: number) {
    super(
      `${count} unfinished archive object(s) hold the subjects' events; waiting for their write or the orphan sweep`,
    );
    this.name = "UnfinishedArchiveObjectsError";
  }
}

// Objects whose index row is `stored` (or absent) and that hold a chunk of the given events. A
// chunk row can name an unfinished object (a consumer batch that outlived the sweep's claim);
// those are left to the unfinished objects' check.
const STORED_OBJECTS = `SELECT DISTINCT key, source_id FROM archive_chunks
  WHERE chunk_id IN (SELECT value FROM json_each(?))
    AND NOT EXISTS (SELECT 1 FROM archive_objects o
                    WHERE o.key = archive_chunks.key AND o.state <> 'stored')
  ORDER BY key`;

type Predicates = (sourceId: string) => Promise<EventPredicate>;

function predicatesFor(subjects: ResolvedSubjects): Predicates {
  const bySource = new Map<string, Promise<EventPredicate>>();
  return (sourceId) => {
    let predicate = bySource.get(sourceId);
    if (!predicate) bySource.set(sourceId, (predicate = subjectPredicate(subjects, sourceId)));
    return predicate;
  };
}

/** How many of the space's unfinished objects hold a subject's event (read, never written). */
async function unfinishedHolding(env: Env, spaceId: string, predicates: Predicates) {
  let holding = 0;
  for (const { key, source_id: sourceId } of await unfinishedObjects(env, spaceId)) {
    const object = await env.ARCHIVE.get(key);
    if (!object) continue;
    if (rewriteArchive(await object.text(), await predicates(sourceId)).removed > 0) holding++;
  }
  return holding;
}

/**
 * Rewrites every stored archive object holding a subject's event; returns how many changed.
 * @throws UnfinishedArchiveObjectsError (retryable) while an unfinished object holds one.
 */
export async function rewriteSubjectObjects(
  env: Env,
  spaceId: string,
  resolved: ResolvedSubjects,
): Promise<number> {
  const subjects = await withStoredForms(env, spaceId, resolved);
  const predicates = predicatesFor(subjects);
  // Unfinished objects first: one that completes after this check has its events in D1 by the
  // time they are read below.
  const holding = await unfinishedHolding(env, spaceId, predicates);
  if (holding > 0) throw new UnfinishedArchiveObjectsError(holding);
  const events = await subjectEvents(env, spaceId, subjects);
  const { results } = await env.DB.prepare(STORED_OBJECTS)
    .bind(JSON.stringify([...new Set(events.map((e) => e.chunkId))]))
    .all<{ key: string; source_id: string }>();
  let changed = 0;
  for (const { key, source_id: sourceId } of results) {
    const object = await env.ARCHIVE.get(key);
    if (!object) continue;
    const result = rewriteArchive(await object.text(), await predicates(sourceId));
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
      const updated = await env.DB.prepare(
        "UPDATE archive_objects SET event_count = ?, bytes = ? WHERE key = ?",
      )
        .bind(result.kept + result.malformed, body.byteLength, key)
        .run();
      // Retention removed the object and its row meanwhile: no row would reach what was put.
      if (updated.meta.changes === 0) await env.ARCHIVE.delete(key);
    }
    changed++;
  }
  return changed;
}
