// The delivery Queue's consumer. Every message is one destination's bundle of events; the batch's
// messages are grouped by destination and each group is handed to that destination's Durable Object, which
// judges and stores the events and answers at once (it sends them afterwards, on its own). The
// consumer therefore never waits on a vendor: a slow or failing destination cannot hold up the
// Queue, and so cannot delay another destination's events.
import { DeliveryItemError, decodeDelivery, type DeliveryBundle } from "./delivery-item.ts";
import type { HandedEvent } from "./destination-object.ts";

/**
 * If the Durable Object itself fails (overload, reset, a deploy), try again: 10 s doubling, capped
 * at 10 minutes, so wrangler.toml's 20 retries span about 2.5 hours before the Queue's DLQ. Its
 * ledger dedups.
 */
export function infrastructureRetrySeconds(attempts: number): number {
  return Math.min(600, 10 * 2 ** Math.min(Math.max(attempts - 1, 0), 10));
}

export function destinationObject(env: Env, destinationId: string) {
  return env.DESTINATIONS.get(env.DESTINATIONS.idFromName(destinationId));
}

/** The batch's decodable messages by destination; undecodable ones are acked and logged. */
function groupByDestination(batch: MessageBatch<string>) {
  const groups = new Map<string, { messages: Message<string>[]; events: HandedEvent[] }>();
  for (const message of batch.messages) {
    let item: DeliveryBundle;
    try {
      item = decodeDelivery(message.body);
    } catch (error) {
      if (!(error instanceof DeliveryItemError)) throw error;
      // Not a message this worker wrote: retrying cannot help; drop it loudly.
      console.error("undecodable delivery message", { id: message.id, error: error.message });
      message.ack();
      continue;
    }
    const group = groups.get(item.destinationId) ?? { messages: [], events: [] };
    group.messages.push(message);
    group.events.push(...item.events);
    groups.set(item.destinationId, group);
  }
  return groups;
}

export async function consumeDeliveryBatch(batch: MessageBatch<string>, env: Env): Promise<void> {
  await Promise.all(
    [...groupByDestination(batch)].map(async ([destinationId, { messages, events }]) => {
      try {
        await destinationObject(env, destinationId).accept(JSON.stringify(events));
        for (const message of messages) message.ack();
      } catch (error) {
        console.error("handing events to a destination failed", {
          destinationId,
          error: String(error),
        });
        for (const message of messages)
          message.retry({ delaySeconds: infrastructureRetrySeconds(message.attempts) });
      }
    }),
  );
}
