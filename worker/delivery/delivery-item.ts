// What the delivery Queue carries: one message per (destination, event), handed to that
// destination's Durable Object. JSON text, validated when read: a message this worker did not
// write is refused by name, never half-processed.
import { MESSAGE_TYPES, type NormalizedMessage } from "../message/index.ts";

export interface DeliveryItem {
  v: 1;
  kind: "event";
  spaceId: string;
  destinationId: string;
  sourceId: string;
  message: NormalizedMessage;
}

export class DeliveryItemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeliveryItemError";
  }
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw new DeliveryItemError(`${field} is missing`);
  return value;
}

/** Parses a delivery Queue message body. @throws DeliveryItemError naming the bad field. */
export function decodeDeliveryItem(body: string): DeliveryItem {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new DeliveryItemError("not JSON");
  }
  if (typeof raw !== "object" || raw === null) throw new DeliveryItemError("not an object");
  const item = raw as Record<string, unknown>;
  if (item.v !== 1) throw new DeliveryItemError("unknown version");
  const spaceId = text(item.spaceId, "spaceId");
  const destinationId = text(item.destinationId, "destinationId");
  if (item.kind !== "event") throw new DeliveryItemError("unknown kind");
  const message = item.message as Record<string, unknown> | null;
  if (typeof message !== "object" || message === null)
    throw new DeliveryItemError("message is missing");
  text(message.messageId, "message.messageId");
  text(message.timestamp, "message.timestamp");
  if (!(MESSAGE_TYPES as readonly unknown[]).includes(message.type))
    throw new DeliveryItemError("message.type is not a Segment type");
  return {
    v: 1,
    kind: "event",
    spaceId,
    destinationId,
    sourceId: text(item.sourceId, "sourceId"),
    message: message as unknown as NormalizedMessage,
  };
}

export function encodeDeliveryItem(item: DeliveryItem): string {
  return JSON.stringify(item);
}
