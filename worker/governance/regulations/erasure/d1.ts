// The subject's rows in D1: their events (found by id columns, by their profiles' history and by
// their emails in any stored form), the delivery decisions about those events and the identity
// audit rows about their profiles.
import { sha256Hex } from "../../../platform/index.ts";
import type { JsonObject } from "../../../message/index.ts";
import { eventRef, subjectPredicate, withStoredForms, type ResolvedSubjects } from "../subjects.ts";

export interface StoredEventRef {
  sourceId: string;
  messageId: string;
  chunkId: string;
}

const CANDIDATES = `SELECT source_id, message_id, chunk_id, body FROM events WHERE space_id = ?1 AND (
  user_id IN (SELECT value FROM json_each(?2))
  OR anonymous_id IN (SELECT value FROM json_each(?3))
  OR json_extract(body, '$.previousId') IN (SELECT value FROM json_each(?2) UNION SELECT value FROM json_each(?3))
  OR (source_id || char(10) || message_id) IN (SELECT value FROM json_each(?4))
  OR EXISTS (SELECT 1 FROM json_each(?5) WHERE instr(lower(events.body), value) > 0))`;

/** Every stored event of the subjects in the space, confirmed by the deletion predicate. */
export async function subjectEvents(
  env: Env,
  spaceId: string,
  resolved: ResolvedSubjects,
): Promise<StoredEventRef[]> {
  const subjects = await withStoredForms(env, spaceId, resolved);
  const emailForms: string[] = [];
  for (const email of subjects.emails) emailForms.push(email, await sha256Hex(email));
  const { results } = await env.DB.prepare(CANDIDATES)
    .bind(
      spaceId,
      JSON.stringify(subjects.userIds),
      JSON.stringify(subjects.anonymousIds),
      JSON.stringify(subjects.events),
      JSON.stringify(emailForms),
    )
    .all<{ source_id: string; message_id: string; chunk_id: string; body: string }>();
  const predicates = new Map<string, (event: JsonObject) => boolean>();
  const out: StoredEventRef[] = [];
  for (const row of results) {
    let matches = predicates.get(row.source_id);
    if (!matches) {
      matches = await subjectPredicate(subjects, row.source_id);
      predicates.set(row.source_id, matches);
    }
    const confirmed =
      subjects.events.includes(eventRef(row.source_id, row.message_id)) ||
      matches(JSON.parse(row.body) as JsonObject);
    if (confirmed)
      out.push({ sourceId: row.source_id, messageId: row.message_id, chunkId: row.chunk_id });
  }
  return out;
}

/** Deletes the subjects' events, the decisions about them and their profiles' identity audit. */
export async function deleteSubjectRows(
  env: Env,
  spaceId: string,
  subjects: ResolvedSubjects,
): Promise<number> {
  const events = await subjectEvents(env, spaceId, subjects);
  const refs = JSON.stringify(events.map((e) => eventRef(e.sourceId, e.messageId)));
  const messageIds = JSON.stringify(events.map((e) => e.messageId));
  const profiles = JSON.stringify(subjects.profileIds);
  const ids = JSON.stringify([...subjects.userIds, ...subjects.anonymousIds]);
  await env.DB.batch([
    env.DB.prepare(
      `DELETE FROM events WHERE space_id = ? AND (source_id || char(10) || message_id) IN (SELECT value FROM json_each(?))`,
    ).bind(spaceId, refs),
    env.DB.prepare(
      `DELETE FROM identity_audit WHERE space_id = ?1 AND (
         survivor IN (SELECT value FROM json_each(?2)) OR folded IN (SELECT value FROM json_each(?2))
         OR message_id IN (SELECT value FROM json_each(?3))
         OR EXISTS (SELECT 1 FROM json_each(?4) WHERE instr(identity_audit.identifiers, json_quote(value)) > 0))`,
    ).bind(spaceId, profiles, messageIds, ids),
  ]);
  return events.length;
}
