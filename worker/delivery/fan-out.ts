// Hands events to delivery: one delivery Queue message per (enabled destination, bundle of events),
// a bundle being what one call hands over (a chunk's events, the activation changes they caused,
// or a profile alarm's changes) cut to fit a Queue message. Ingestion calls this after identity;
// profiles call it for the changes their alarms make.
import type { NormalizedMessage } from "../message/index.ts";
import { ShortCache } from "../platform/index.ts";
import { encodeDeliveryBundle, type BundledEvent } from "./delivery-item.ts";

/** Cloudflare Queues: at most 100 messages and 256 KB per sendBatch; keep a margin for overhead. */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 200_000;
/** Cloudflare Queues: at most 128 KB per message; a bundle stays under this. */
const MAX_BUNDLE_BYTES = 100_000;

/** The space's activation Durable Object. */
export function spaceActivation(env: Env, spaceId: string) {
  return env.SPACE_ACTIVATION.get(env.SPACE_ACTIVATION.idFromName(spaceId));
}

/**
 * A short-lived per-isolate copy of each space's enabled destinations, so a burst of chunks does
 * not ask the space's Durable Object once per chunk. Admin writes forget the copy at once in their
 * isolate; other isolates see a change within 2 s (as activation definitions,
 * activation/definition-cache.ts). A destination disabled meanwhile refuses what it is handed:
 * its Durable Object judges every event against its own configuration.
 */
const destinationsCache = new ShortCache<readonly string[]>(2_000, 1_000);

function enabledDestinations(env: Env, spaceId: string): Promise<readonly string[]> {
  return destinationsCache.get(spaceId, () => spaceActivation(env, spaceId).enabledDestinations());
}

/** Drops the cached destination list after a destination is created, changed or deleted. */
export function forgetDestinations(spaceId: string): void {
  destinationsCache.forget(spaceId);
}

/** Queues `messages` for every enabled destination of the space. Returns how many were queued. */
export async function enqueueDeliveries(
  env: Env,
  spaceId: string,
  sourceId: string,
  messages: readonly NormalizedMessage[],
): Promise<number> {
  if (messages.length === 0) return 0;
  const destinations = await enabledDestinations(env, spaceId);
  if (destinations.length === 0) return 0;
  const parts = bundleEvents(messages.map((message) => ({ sourceId, message })));
  const bodies: string[] = [];
  for (const destinationId of destinations)
    for (const events of parts)
      bodies.push(encodeDeliveryBundle({ v: 2, kind: "events", spaceId, destinationId, events }));
  await sendInBatches(env, bodies);
  return messages.length * destinations.length;
}

/** `events` cut into runs whose JSON stays under MAX_BUNDLE_BYTES (an event alone is ≤ 32 KB). */
export function bundleEvents(events: readonly BundledEvent[]): BundledEvent[][] {
  const out: BundledEvent[][] = [];
  let current: BundledEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length + 1;
    if (current.length > 0 && bytes + size > MAX_BUNDLE_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
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
