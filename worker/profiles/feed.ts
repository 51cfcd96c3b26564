// The identity feed: after a chunk is stored, its events are placed in the space's identity graph
// and applied to the profiles they landed on, one call per profile. Every step is idempotent, so a
// Queue redelivery changes nothing (Invariant 2).
import { counterKey, traitWrites } from "../identity/traits.ts";
import type { IngestChunk, NormalizedMessage } from "../spec/message.ts";
import type { PlacedMessage } from "./identity-graph.ts";
import type { ProfileWork } from "./profile-object.ts";
import type { EventRecord } from "./profile-store.ts";

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
      w = { profileId, collection, absorb: [], events: [], traits: [], links: [] };
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
    if (place.users) {
      const w = of(place.users.profileId, "users");
      w.absorb.push(...place.users.folded);
      w.events.push(record(message, chunk.sourceId, body));
      if (writes.users)
        w.traits.push({
          traits: JSON.stringify(writes.users),
          timestamp,
          messageId: message.messageId,
        });
      if (place.accounts) w.links.push(place.accounts.profileId);
    }
    if (place.accounts) {
      const w = of(place.accounts.profileId, "accounts");
      w.absorb.push(...place.accounts.folded);
      w.events.push(record(message, chunk.sourceId, body));
      if (writes.accounts)
        w.traits.push({
          traits: JSON.stringify(writes.accounts),
          timestamp,
          messageId: message.messageId,
        });
      if (place.users) w.links.push(place.users.profileId);
    }
  });
  return [...work.values()];
}

export async function feedIdentity(env: Env, chunk: IngestChunk): Promise<void> {
  const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(chunk.spaceId));
  const placed = await graph.placeMessages(chunk.spaceId, chunk.messages);
  await Promise.all(
    profileWork(chunk, placed).map((w) =>
      env.PROFILES.get(env.PROFILES.idFromName(w.profileId)).apply(w),
    ),
  );
}
