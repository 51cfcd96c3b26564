// The subject's rows in D1: the identity audit rows about their profiles, their identifiers and
// their events (events themselves have no D1 row: their bodies are in the R2 archive, rewritten
// by the step before this one, r2.ts).
import type { ResolvedSubjects } from "../subjects.ts";

/** Deletes the identity audit rows about the subjects; answers how many went. */
export async function deleteSubjectRows(
  env: Env,
  spaceId: string,
  subjects: ResolvedSubjects,
): Promise<number> {
  const messageIds = JSON.stringify(subjects.events.map((ref) => ref.slice(ref.indexOf("\n") + 1)));
  const profiles = JSON.stringify(subjects.profileIds);
  const ids = JSON.stringify([...subjects.userIds, ...subjects.anonymousIds]);
  const result = await env.DB.prepare(
    `DELETE FROM identity_audit WHERE space_id = ?1 AND (
       survivor IN (SELECT value FROM json_each(?2)) OR folded IN (SELECT value FROM json_each(?2))
       OR message_id IN (SELECT value FROM json_each(?3))
       OR EXISTS (SELECT 1 FROM json_each(?4) WHERE instr(identity_audit.identifiers, json_quote(value)) > 0))`,
  )
    .bind(spaceId, profiles, messageIds, ids)
    .run();
  return result.meta.changes;
}
