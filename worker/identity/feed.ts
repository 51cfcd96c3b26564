// The identity feed: after a chunk is stored, its events are placed in the space's identity graph
// and applied to the profiles they landed on, one call per profile. Every step is idempotent, so a
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

/** Groups a chunk's placements into one unit of work per profile. Pure. */
export function profileWork(chunk: IngestChunk, placed: readonly PlacedMessage[]): ProfileWork[] {
  const work = new Map<string, ProfileWork>();
  const of = (profileId: string, collection: "users" | "accounts"): ProfileWork => {
    let w = work.get(profileId);
    if (!w) {
      w = {
        profileId,
        collection,
        spaceId: chunk.spaceId,
        absorb: [],
        chunkId: chunk.chunkId,
        events: [],
        traits: [],
        links: [],
      };
      work.set(profileId, w);
    }
    return w;
  };
  chunk.messages.forEach((message, i) => {
    const place = placed[i];
    if (!place) return;
    const writes = traitWrites(message);
    const timestamp = Date.parse(message.timestamp);
    const body = JSON.stringify(message);
    for (const [collection, other] of [
      ["users", "accounts"],
      ["accounts", "users"],
    ] as const) {
      const here = place[collection];
      if (!here) continue;
      const w = of(here.profileId, collection);
      w.absorb.push(...here.folded);
      w.events.push(record(message, chunk.sourceId, body));
      const traits = writes[collection];
      if (traits)
        w.traits.push({ traits: JSON.stringify(traits), timestamp, messageId: message.messageId });
      const linked = place[other];
      if (linked) w.links.push(linked.profileId);
    }
  });
  return [...work.values()];
}

/**
 * Places a chunk's messages in the identity graph and applies them to their profiles. Answers the
 * activation changes the profiles made (computed traits, audiences) for the caller to queue with
 * the chunk's events.
 */
export async function feedIdentity(env: Env, chunk: IngestChunk): Promise<NormalizedMessage[]> {
  const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(chunk.spaceId));
  const placed = await graph.placeMessages(chunk.spaceId, chunk.sourceId, chunk.messages);
  const work = profileWork(chunk, placed);
  const results = await Promise.allSettled(
    work.map((w) => profileStub(env, chunk.spaceId, w.profileId).apply(w)),
  );
  // Acknowledge the folds whose survivor applied them; the graph keeps the others as durable
  // records that the redelivery of this chunk, or the graph's alarm, rolls forward.
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
