// The seam between regulations and delivery. The `forward_to_destinations` step asks
// `destinationDeletionTargets` for the space's destinations (the SpaceActivation list, disabled
// ones included: they may still hold the person's data) and records one `destination_deletions`
// row per destination: `pending` (with the subject ids) where the adapter has a `deleteUser`,
// `unsupported` otherwise. destination-deletion-run.ts then executes the pending rows and calls
// `completeDestinationDeletion`, which erases the ids from the row.
import { destinationAdapter } from "../../destinations/index.ts";
import { spaceActivation } from "../../delivery/index.ts";

export interface DeletionTarget {
  /** The destination's id: the `destination` column, and its DestinationObject's name. */
  destinationId: string;
  /** Whether the destination's API can delete a user (Segment: "supports deletion"). */
  supportsDeletion: boolean;
}

/** A destination deletion's state; `unsupported` when the vendor cannot delete by this subject. */
export type DeletionRowStatus = "pending" | "succeeded" | "failed" | "unsupported";

/** The space's destinations as deletion targets, in id order. */
export async function destinationDeletionTargets(
  env: Env,
  spaceId: string,
): Promise<DeletionTarget[]> {
  const summaries = await spaceActivation(env, spaceId).destinations();
  return summaries.map((s) => ({
    destinationId: s.id,
    supportsDeletion: destinationAdapter(s.slug)?.deleteUser !== undefined,
  }));
}

/** Records the deletions (pending or unsupported); idempotent (one row per regulation and destination). */
export async function queueDestinationDeletions(
  env: Env,
  spaceId: string,
  regulationId: string,
  subjectType: string,
  subjects: readonly string[],
  targets: readonly DeletionTarget[],
): Promise<number> {
  if (targets.length === 0) return 0;
  const now = Date.now();
  const insert = env.DB.prepare(
    `INSERT INTO destination_deletions
       (regulation_id, destination, space_id, subject_type, subjects, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  await env.DB.batch(
    targets.map((t) =>
      insert.bind(
        regulationId,
        t.destinationId,
        spaceId,
        subjectType,
        t.supportsDeletion ? JSON.stringify(subjects) : null,
        t.supportsDeletion ? "pending" : "unsupported",
        now,
        now,
      ),
    ),
  );
  return targets.length;
}

/** Ends a destination's deletion and erases the subject ids it held. */
export async function completeDestinationDeletion(
  env: Env,
  regulationId: string,
  destination: string,
  status: Exclude<DeletionRowStatus, "pending">,
): Promise<void> {
  await env.DB.prepare(
    `UPDATE destination_deletions SET status = ?, subjects = NULL, updated_at = ?
     WHERE regulation_id = ? AND destination = ?`,
  )
    .bind(status, Date.now(), regulationId, destination)
    .run();
}

/**
 * The per-destination deletion rows of a regulation, for its status (never the subject ids), with
 * the destination's current name and slug (null once the destination is deleted).
 */
export async function destinationDeletionsOf(env: Env, spaceId: string, regulationId: string) {
  const { results } = await env.DB.prepare(
    `SELECT destination, status, updated_at FROM destination_deletions
     WHERE regulation_id = ? ORDER BY destination`,
  )
    .bind(regulationId)
    .all<{ destination: string; status: string; updated_at: number }>();
  if (results.length === 0) return [];
  const summaries = await spaceActivation(env, spaceId).destinations();
  const byId = new Map(summaries.map((s) => [s.id, s]));
  return results.map((r) => ({
    destinationId: r.destination,
    name: byId.get(r.destination)?.name ?? null,
    slug: byId.get(r.destination)?.slug ?? null,
    status: r.status,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}
