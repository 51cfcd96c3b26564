// The identity feed: after chunks are stored, their events are placed in the space's identity graph
// and applied to the profiles they landed on, one call per profile (a consumer batch's chunks of one
// source go together, so a person with events in several chunks costs one call, not one a chunk). Every step is idempotent, so a
// Queue redelivery changes nothing (Invariant 2). A merge is a durable record in the graph
// (worker/identity/merge-outbox.ts) until the survivor has absorbed the folded profile.
import {
  counterKey,
  traitWrites,
  type ProfileWork,
  type EventRecord,
  profileStub,
} from "../profiles/index.ts";
import type { IngestChunk, NormalizedMessage } from "../message/index.ts";
import type { PlacedMessage } from "./graph-object.ts";

function record(message: NormalizedMessage, sourceId: string, body: string): EventRecord {
  return {
    messageId: message.messageId,
    sourceId,
    timestamp: Date.parse(message.timestamp),
    type: message.type,
    counter: counterKey(message),
    body,
  };
}

/**
 * Groups the placements of chunks of one source into one unit of work per profile. `placed` holds
 * the chunks' messages in order, chunk after chunk. Pure.
 */
export function profileWork(
  chunks: readonly IngestChunk[],
  placed: readonly PlacedMessage[],
): ProfileWork[] {
  const work = new Map<string, ProfileWork>();
  const chunkIds = chunks.map((c) => c.chunkId);
  const of = (spaceId: string, profileId: string, collection: "users" | "accounts") => {
    let w = work.get(profileId);
    if (!w) {
      w = {
        profileId,
        collection,
        spaceId,
        absorb: [],
        chunkIds,
        events: [],
        traits: [],
        links: [],
      };
      work.set(profileId, w);
    }
    return w;
  };
  let at = 0;
  for (const chunk of chunks)
    for (const message of chunk.messages) {
      const place = placed[at++];
      if (!place) continue;
      const writes = traitWrites(message);
      const timestamp = Date.parse(message.timestamp);
      const body = JSON.stringify(message);
      for (const [collection, other] of [
        ["users", "accounts"],
        ["accounts", "users"],
      ] as const) {
        const here = place[collection];
        if (!here) continue;
        const w = of(chunk.spaceId, here.profileId, collection);
        w.absorb.push(...here.folded);
        w.events.push(record(message, chunk.sourceId, body));
        const traits = writes[collection];
        if (traits)
          w.traits.push({
            traits: JSON.stringify(traits),
            timestamp,
            messageId: message.messageId,
          });
        const linked = place[other];
        if (linked) w.links.push(linked.profileId);
      }
    }
  return [...work.values()];
}

/**
 * Places the messages of chunks of one space and source in the identity graph (one call) and
 * applies them to their profiles (one call per profile, whichever chunks its events came in).
 * Answers the activation changes the profiles made (computed traits, audiences) for the caller to
 * queue with the chunks' events.
 */
export async function feedIdentity(
  env: Env,
  chunks: IngestChunk | readonly IngestChunk[],
): Promise<NormalizedMessage[]> {
  const group = Array.isArray(chunks)
    ? (chunks as readonly IngestChunk[])
    : [chunks as IngestChunk];
  const first = group[0];
  if (first === undefined) return [];
  if (group.some((c) => c.spaceId !== first.spaceId || c.sourceId !== first.sourceId))
    throw new Error("feedIdentity takes chunks of one space and source");
  const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(first.spaceId));
  const placed = await graph.placeMessages(
    first.spaceId,
    first.sourceId,
    group.flatMap((c) => c.messages),
  );
  const work = profileWork(group, placed);
  const results = await Promise.allSettled(
    work.map((w) => profileStub(env, first.spaceId, w.profileId).apply(w)),
  );
  // Acknowledge the folds whose survivor applied them; the graph keeps the others as durable
  // records that the redelivery of these chunks, or the graph's alarm, rolls forward.
  const applied = work
    .filter((_, i) => results[i]?.status === "fulfilled")
    .flatMap((w) => w.absorb);
  await graph.ackMerges([...new Set(applied)]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.flatMap((r) =>
    r.status === "fulfilled" ? (JSON.parse(r.value) as NormalizedMessage[]) : [],
  );
}
