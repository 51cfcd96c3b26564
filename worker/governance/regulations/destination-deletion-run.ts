// Executes a regulation's pending destination deletions: for each pending row, the destination's
// stored settings (its DestinationObject) and adapter's `deleteUser`, one call per subject,
// through delivery's egress door (worker/delivery/egress.ts), then `completeDestinationDeletion`.
// Re-running after a crash or a retryable failure repeats the vendor calls of rows still
// pending; the vendors' deletion APIs are idempotent (deleting a deleted user succeeds).
import { destinationObject, type DestinationConfig, egressFetch } from "../../delivery/index.ts";
import {
  addressPolicyOf,
  destinationAdapter,
  type DeliveryResult,
} from "../../destinations/index.ts";
import { deletionSubject, rowStatusAfter } from "./deletion-outcome.ts";
import { completeDestinationDeletion, type DeletionRowStatus } from "./destination-deletions.ts";

type Row = { destination: string; subject_type: string; subjects: string | null; status: string };

async function attempt(env: Env, row: Row, lastAttempt: boolean): Promise<DeletionRowStatus> {
  const text = await destinationObject(env, row.destination).configuration();
  // Deleted since the regulation was queued: Foyer holds no credentials to reach the vendor.
  if (text === null) return "failed";
  const config = JSON.parse(text) as DestinationConfig;
  const adapter = destinationAdapter(config.slug);
  if (!adapter?.deleteUser) return "unsupported";
  const subjects = JSON.parse(row.subjects ?? "[]") as string[];
  const results: DeliveryResult[] = [];
  for (const subject of subjects) {
    results.push(
      await adapter.deleteUser(deletionSubject(row.subject_type, subject), config.settings, {
        fetch: egressFetch,
        addressPolicy: addressPolicyOf(env),
      }),
    );
  }
  return rowStatusAfter(results, lastAttempt);
}

/** Runs every pending row of the regulation once; returns every row's status afterwards. */
export async function executeDestinationDeletions(
  env: Env,
  regulationId: string,
  lastAttempt: boolean,
): Promise<DeletionRowStatus[]> {
  const { results } = await env.DB.prepare(
    `SELECT destination, subject_type, subjects, status FROM destination_deletions
     WHERE regulation_id = ? ORDER BY destination`,
  )
    .bind(regulationId)
    .all<Row>();
  const statuses: DeletionRowStatus[] = [];
  for (const row of results) {
    if (row.status !== "pending") {
      statuses.push(row.status as DeletionRowStatus);
      continue;
    }
    const status = await attempt(env, row, lastAttempt);
    if (status !== "pending")
      await completeDestinationDeletion(env, regulationId, row.destination, status);
    statuses.push(status);
  }
  return statuses;
}
