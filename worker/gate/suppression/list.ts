// The suppression list at the edge and its changes. The ingest path asks `suppressionFor` once per
// request; the answer is cached per isolate for SUPPRESSION_TTL_MS (and dropped at once in the
// isolate that changes it), so a new suppression applies everywhere within that time.
import { importSuppressionKey, subjectHash, type SuppressionSet } from "./match.ts";
import type { SubjectType } from "../../message/index.ts";
import { readSpacePrivacy } from "../settings-store.ts";

export const SUPPRESSION_TTL_MS = 10_000;
const MAX_SPACES = 1_000;

const cache = new Map<string, { set: SuppressionSet | undefined; expires: number }>();

/** The space's suppression list, or `undefined` when it is empty (the common, free case). */
export async function suppressionFor(
  env: Env,
  spaceId: string,
): Promise<SuppressionSet | undefined> {
  const now = Date.now();
  const hit = cache.get(spaceId);
  if (hit && hit.expires > now) return hit.set;
  const row = await env.DB.prepare(
    `SELECT (SELECT suppression_secret FROM space_privacy WHERE space_id = ?1) AS secret,
            (SELECT json_group_array(hash) FROM suppressions WHERE space_id = ?1) AS hashes`,
  )
    .bind(spaceId)
    .first<{ secret: string | null; hashes: string }>();
  const hashes = JSON.parse(row?.hashes ?? "[]") as string[];
  const set =
    hashes.length > 0 && row?.secret
      ? { key: await importSuppressionKey(hexBytes(row.secret)), hashes: new Set(hashes) }
      : undefined;
  if (cache.size >= MAX_SPACES) cache.clear();
  cache.set(spaceId, { set, expires: now + SUPPRESSION_TTL_MS });
  return set;
}

/** Drops this isolate's cached list of the space after a change. */
export function forgetSuppressions(spaceId: string): void {
  cache.delete(spaceId);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Adds (`suppress`) or removes (`unsuppress`) subjects; returns how many hashes it touched. */
export async function changeSuppression(
  env: Env,
  spaceId: string,
  regulationId: string,
  change: "suppress" | "unsuppress",
  type: SubjectType,
  subjects: readonly string[],
): Promise<number> {
  const key = await importSuppressionKey(
    hexBytes((await readSpacePrivacy(env, spaceId)).suppressionSecret),
  );
  const hashes: string[] = [];
  for (const subject of subjects) {
    const hash = await subjectHash(key, type, subject);
    if (hash !== undefined) hashes.push(hash);
  }
  const sql =
    change === "suppress"
      ? `INSERT INTO suppressions (space_id, hash, regulation_id, created_at)
         SELECT ?1, value, ?2, ?3 FROM json_each(?4) WHERE true ON CONFLICT DO NOTHING`
      : "DELETE FROM suppressions WHERE space_id = ?1 AND hash IN (SELECT value FROM json_each(?4)) AND ?2 = ?2 AND ?3 = ?3";
  await env.DB.prepare(sql).bind(spaceId, regulationId, Date.now(), JSON.stringify(hashes)).run();
  forgetSuppressions(spaceId);
  return hashes.length;
}

/** Counts events the edge dropped for suppression. */
export async function countSuppressed(
  env: Env,
  sourceId: string,
  spaceId: string,
  n: number,
): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO suppressed_events (source_id, space_id, count, last_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source_id) DO UPDATE SET count = count + excluded.count, last_at = excluded.last_at`,
  )
    .bind(sourceId, spaceId, n, Date.now())
    .run();
}
