// The seam between regulations and delivery. The `forward_to_destinations` step asks
// `destinationDeletionTargets` which of the space's destinations exist and which can delete a
// user, and records one `destination_deletions` row (status `pending`, with the subject ids) for
// each that can. The delivery side executes the pending rows, then calls
// `completeDestinationDeletion`, which erases the ids from the row.

export interface DeletionTarget {
  /** The destination's name, as in the integrations object and consent mappings. */
  destination: string;
  /** Whether the destination's API can delete a user (Segment: "supports deletion"). */
  supportsDeletion: boolean;
}

/**
 * The space's destinations as deletion targets. Until the destinations registry (issue 7) plugs
 * in here, a space has none.
 */
export function destinationDeletionTargets(_env: Env, _spaceId: string): Promise<DeletionTarget[]> {
  return Promise.resolve([]);
}

export type ForwardOutcome =
  { kind: "none" } | { kind: "unsupported" } | { kind: "queued"; count: number };

/** Records the pending deletions; idempotent (one row per regulation and destination). */
export async function queueDestinationDeletions(
  env: Env,
  spaceId: string,
  regulationId: string,
  subjectType: string,
  subjects: readonly string[],
  targets: readonly DeletionTarget[],
): Promise<ForwardOutcome> {
  if (targets.length === 0) return { kind: "none" };
  const supported = targets.filter((t) => t.supportsDeletion);
  if (supported.length === 0) return { kind: "unsupported" };
  const now = Date.now();
  const insert = env.DB.prepare(
    `INSERT INTO destination_deletions
       (regulation_id, destination, space_id, subject_type, subjects, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
  );
  await env.DB.batch(
    supported.map((t) =>
      insert.bind(
        regulationId,
        t.destination,
        spaceId,
        subjectType,
        JSON.stringify(subjects),
        now,
        now,
      ),
    ),
  );
  return { kind: "queued", count: supported.length };
}

/** Marks a destination's deletion done (or failed) and erases the subject ids it held. */
export async function completeDestinationDeletion(
  env: Env,
  regulationId: string,
  destination: string,
  status: "succeeded" | "failed",
): Promise<void> {
  await env.DB.prepare(
    `UPDATE destination_deletions SET status = ?, subjects = NULL, updated_at = ?
     WHERE regulation_id = ? AND destination = ?`,
  )
    .bind(status, Date.now(), regulationId, destination)
    .run();
}

/** The per-destination deletion rows of a regulation, for its status (never the subject ids). */
export async function destinationDeletionsOf(env: Env, regulationId: string) {
  const { results } = await env.DB.prepare(
    `SELECT destination, status, updated_at FROM destination_deletions
     WHERE regulation_id = ? ORDER BY destination`,
  )
    .bind(regulationId)
    .all<{ destination: string; status: string; updated_at: number }>();
  return results.map((r) => ({
    destination: r.destination,
    status: r.status,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}
