// Test handles on the space's regulation runner, the IdentityGraph's alarm: each open
// regulation's next attempt (kept beside its work in the Durable Object's storage) and the alarm.
// Tests move a regulation's next attempt into the past, as if its backoff had passed, and fire
// the alarm on demand instead of waiting 15 s to an hour.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";

export function graphOf(spaceId: string) {
  return env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
}

/** Each open regulation's next attempt (epoch ms), by regulation id. */
export function nextAttempts(spaceId: string): Promise<Record<string, number>> {
  return runInDurableObject(graphOf(spaceId), (_instance: unknown, state: DurableObjectState) =>
    Object.fromEntries(
      state.storage.sql
        .exec<{ id: string; next_attempt_at: number }>(
          "SELECT id, next_attempt_at FROM regulation_work",
        )
        .toArray()
        .map((row) => [row.id, row.next_attempt_at]),
    ),
  );
}

/** The runner's alarm (epoch ms), or null when none is set. */
export function regulationAlarm(spaceId: string): Promise<number | null> {
  return runInDurableObject(graphOf(spaceId), (_instance: unknown, state: DurableObjectState) =>
    state.storage.getAlarm(),
  );
}

/** Makes the space's open regulations (or only `regulationId`) due now, as if their wait had passed. */
export async function makeRegulationsDue(spaceId: string, regulationId?: string): Promise<void> {
  await runInDurableObject(graphOf(spaceId), (_instance: unknown, state: DurableObjectState) => {
    if (regulationId === undefined)
      state.storage.sql.exec("UPDATE regulation_work SET next_attempt_at = 0");
    else
      state.storage.sql.exec(
        "UPDATE regulation_work SET next_attempt_at = 0 WHERE id = ?",
        regulationId,
      );
  });
}

/** Makes the space's open regulations (or only `regulationId`) due now, then fires the alarm. */
export async function retryRegulationsNow(spaceId: string, regulationId?: string): Promise<void> {
  await makeRegulationsDue(spaceId, regulationId);
  await runDurableObjectAlarm(graphOf(spaceId));
}
