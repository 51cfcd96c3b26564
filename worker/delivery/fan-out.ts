// Hands events to delivery: one delivery Queue message per (enabled destination, event). Ingestion
// calls this after identity; profiles call it for audience and computed-trait changes.
import type { NormalizedMessage } from "../message/index.ts";
import { encodeDeliveryItem } from "./delivery-item.ts";

/** Cloudflare Queues: at most 100 messages and 256 KB per sendBatch; keep a margin for overhead. */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 200_000;

/** The space's activation Durable Object. */
export function spaceActivation(env: Env, spaceId: string) {
  return env.SPACE_ACTIVATION.get(env.SPACE_ACTIVATION.idFromName(spaceId));
}

/** Queues `messages` for every enabled destination of the space. Returns how many were queued. */
export async function enqueueDeliveries(
  env: Env,
  spaceId: string,
  sourceId: string,
  messages: readonly NormalizedMessage[],
): Promise<number> {
  if (messages.length === 0) return 0;
  const destinations = await spaceActivation(env, spaceId).enabledDestinations();
  const bodies: string[] = [];
  for (const destinationId of destinations)
    for (const message of messages)
      bodies.push(
        encodeDeliveryItem({ v: 1, kind: "event", spaceId, destinationId, sourceId, message }),
      );
  await sendInBatches(env, bodies);
  return bodies.length;
}

/** Sends message bodies to the delivery Queue in batches within Cloudflare's limits. */
export async function sendInBatches(env: Env, bodies: readonly string[]): Promise<void> {
  let batch: { body: string; contentType: "text" }[] = [];
  let bytes = 0;
  for (const body of bodies) {
    if (
      batch.length === MAX_BATCH_MESSAGES ||
      (batch.length > 0 && bytes + body.length > MAX_BATCH_BYTES)
    ) {
      await env.DELIVERY.sendBatch(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ body, contentType: "text" });
    bytes += body.length;
  }
  if (batch.length > 0) await env.DELIVERY.sendBatch(batch);
}
