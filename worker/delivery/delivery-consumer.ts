// The delivery Queue's consumer. Every message is one (destination, event) and is settled on its
// own: the destination's Durable Object judges and sends it and answers ack or retry-after-N
// (Foyer's retry policy, destinations/retry.ts). Messages are handled concurrently, so a slow or
// failing destination never delays another's acknowledgement.
import { DeliveryItemError, decodeDeliveryItem } from "./delivery-item.ts";
import type { DeliveryVerdict } from "./destination-object.ts";

/** If the Durable Object itself fails (overload, reset), try again soon; the ledger dedups. */
const INFRASTRUCTURE_RETRY_SECONDS = 10;

export function destinationObject(env: Env, destinationId: string) {
  return env.DESTINATIONS.get(env.DESTINATIONS.idFromName(destinationId));
}

async function settle(env: Env, message: Message<string>): Promise<DeliveryVerdict> {
  const item = decodeDeliveryItem(message.body);
  const attempt = {
    queueMessageId: message.id,
    attempts: message.attempts,
    firstAttemptAt: message.timestamp.getTime(),
  };
  const stub = destinationObject(env, item.destinationId);
  return item.kind === "event"
    ? stub.deliver(JSON.stringify(item.message), { ...attempt, sourceId: item.sourceId })
    : stub.replay(item.messageId, attempt);
}

export async function consumeDeliveryBatch(batch: MessageBatch<string>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const verdict = await settle(env, message);
        if (verdict.action === "ack") message.ack();
        else message.retry({ delaySeconds: verdict.delaySeconds });
      } catch (error) {
        if (error instanceof DeliveryItemError) {
          // Not a message this worker wrote: retrying cannot help; drop it loudly.
          console.error("undecodable delivery message", { id: message.id, error: error.message });
          message.ack();
          return;
        }
        console.error("delivery attempt failed", { id: message.id, error: String(error) });
        message.retry({ delaySeconds: INFRASTRUCTURE_RETRY_SECONDS });
      }
    }),
  );
}
