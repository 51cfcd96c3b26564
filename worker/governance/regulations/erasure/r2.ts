// Rewrites the R2 archive objects that hold the subjects' events without them. The objects are
// found through their index rows' token filters (worker/archive/token-filter.ts): every stored
// object of the space's sources whose filter may hold one of the subjects' ids, email forms or
// history events is read and rewritten; the others are not read at all. An object left with no
// event is deleted with its index rows.
//
// Only `stored` objects are rewritten: nothing but retention and this step changes them, and a
// rewrite whose row retention removed meanwhile deletes what it put. An unfinished object
// (`writing` or `orphan`, worker/archive/write-ahead.ts) belongs to the consumer that is writing
// it or to the orphan sweep. A put from here could land after the sweep deleted the key and its
// row, leaving an object that no index row reaches. A delete could come before the consumer's
// batch marks the object stored, leaving a `stored` row with no object. So the step reads the
// space's unfinished objects but writes none of them. If one holds a subject's event, the step
// fails retryably and runs again on the regulation's backoff. By then the consumer has indexed
// the object, so it is `stored` and found through its filter, or the hourly sweep has deleted it.
// That takes about two hours at most (worker/governance/retention/orphan-age.ts), and the step's 16 attempts
// span more than four.
import {
  buildTokenFilter,
  eventTokens,
  storedObjects,
  unfinishedObjects,
} from "../../../archive/index.ts";
import { listSources } from "../../../sources/index.ts";
import { rewriteArchive, type EventPredicate } from "./archive-rewrite.ts";
import { subjectEmailForms } from "./deleted-subject.ts";
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
  // Unfinished objects first: one that completes after this check is `stored`, with its filter,
  // by the time the stored ones are walked below.
  const holding = await unfinishedHolding(env, spaceId, predicates);
  if (holding > 0) throw new UnfinishedArchiveObjectsError(holding);
  let changed = 0;
  for (const { key, sourceId } of await candidateObjects(env, spaceId, subjects))
    if (await rewriteObject(env, key, await predicates(sourceId))) changed++;
  return changed;
}

/** The space's stored objects whose token filter may hold one of the subjects' tokens. */
async function candidateObjects(env: Env, spaceId: string, subjects: ResolvedSubjects) {
  const shared = [
    ...subjects.userIds,
    ...subjects.anonymousIds,
    ...(await subjectEmailForms(subjects.emails)),
  ];
  const candidates: { key: string; sourceId: string }[] = [];
  for (const source of await listSources(env, spaceId)) {
    const prefix = `${source.id}\n`;
    const tokens = [
      ...shared,
      ...subjects.events
        .filter((ref) => ref.startsWith(prefix))
        .map((ref) => ref.slice(prefix.length)),
    ];
    if (tokens.length === 0) continue;
    // The whole archive of the source, in pages of 1,000 index rows (one D1 query each; the rows
    // of compacted hours carry no filter text, so a page is small).
    for await (const object of storedObjects(env, source.id, {
      maxRows: Infinity,
      pageRows: 1_000,
    }))
      if (object.filter.mayHoldAny(tokens))
        candidates.push({ key: object.key, sourceId: source.id });
  }
  return candidates;
}

/** The token filter of an object's text (lines that do not parse hold no token). */
function keptTokens(text: string): string {
  const tokens = new Set<string>();
  for (const line of text.split("\n")) {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null && !Array.isArray(value))
        eventTokens(value as Record<string, unknown>, tokens);
    } catch {
      // a malformed line is kept as it is and has no token
    }
  }
  return buildTokenFilter(tokens);
}

/** Rewrites one stored object without the subjects' events; answers whether it changed. */
async function rewriteObject(env: Env, key: string, predicate: EventPredicate): Promise<boolean> {
  const object = await env.ARCHIVE.get(key);
  if (!object) return false;
  const result = rewriteArchive(await object.text(), predicate);
  if (!result.changed) return false;
  if (result.kept === 0 && result.malformed === 0) {
    await env.ARCHIVE.delete(key);
    await env.DB.prepare("DELETE FROM archive_objects WHERE key = ?").bind(key).run();
  } else {
    const body = encoder.encode(result.text);
    await env.ARCHIVE.put(key, body, {
      httpMetadata: object.httpMetadata ?? { contentType: "application/x-ndjson" },
      customMetadata: object.customMetadata ?? {},
    });
    // The filter is rebuilt from the events kept: the old one would still answer for the
    // subjects' ids and emails.
    const updated = await env.DB.prepare(
      "UPDATE archive_objects SET event_count = ?, bytes = ?, tokens = ? WHERE key = ?",
    )
      .bind(result.kept + result.malformed, body.byteLength, keptTokens(result.text), key)
      .run();
    // Retention removed the object and its row meanwhile: no row would reach what was put.
    if (updated.meta.changes === 0) await env.ARCHIVE.delete(key);
  }
  return true;
}
