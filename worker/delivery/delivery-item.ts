// What the delivery Queue carries: one message per (destination, batch of events), handed to that
// destination's Durable Object (v2, `kind: "events"`). Version 1 carried one event per message; a
// v1 message still in the Queue during a deploy is read as a bundle of one. JSON text, validated
// when read: a message this worker did not write is refused by name, never half-processed.
import { MESSAGE_TYPES, type NormalizedMessage } from "../message/index.ts";

/** One event and the source it came from (activation changes use a reserved source id). */
export interface BundledEvent {
  sourceId: string;
  message: NormalizedMessage;
}

/** A delivery Queue message: events for one destination of one space. */
export interface DeliveryBundle {
  v: 2;
  kind: "events";
  spaceId: string;
  destinationId: string;
  events: BundledEvent[];
}

/** The v1 form: one event per message. */
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

function segmentMessage(value: unknown, field: string): NormalizedMessage {
  const message = value as Record<string, unknown> | null;
  if (typeof message !== "object" || message === null)
    throw new DeliveryItemError(`${field} is missing`);
  text(message.messageId, `${field}.messageId`);
  text(message.timestamp, `${field}.timestamp`);
  if (!(MESSAGE_TYPES as readonly unknown[]).includes(message.type))
    throw new DeliveryItemError(`${field}.type is not a Segment type`);
  return message as unknown as NormalizedMessage;
}

function parseObject(body: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new DeliveryItemError("not JSON");
  }
  if (typeof raw !== "object" || raw === null) throw new DeliveryItemError("not an object");
  return raw as Record<string, unknown>;
}

/** Parses a delivery Queue message body (v2, or a v1 read as a bundle of one). @throws DeliveryItemError naming the bad field. */
export function decodeDelivery(body: string): DeliveryBundle {
  const item = parseObject(body);
  if (item.v !== 1 && item.v !== 2) throw new DeliveryItemError("unknown version");
  const spaceId = text(item.spaceId, "spaceId");
  const destinationId = text(item.destinationId, "destinationId");
  if (item.v === 1) {
    if (item.kind !== "event") throw new DeliveryItemError("unknown kind");
    const event = {
      sourceId: text(item.sourceId, "sourceId"),
      message: segmentMessage(item.message, "message"),
    };
    return { v: 2, kind: "events", spaceId, destinationId, events: [event] };
  }
  if (item.kind !== "events") throw new DeliveryItemError("unknown kind");
  if (!Array.isArray(item.events) || item.events.length === 0)
    throw new DeliveryItemError("events is missing");
  const events = item.events.map((raw: unknown, i): BundledEvent => {
    const event = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    return {
      sourceId: text(event.sourceId, `events.${i}.sourceId`),
      message: segmentMessage(event.message, `events.${i}.message`),
    };
  });
  return { v: 2, kind: "events", spaceId, destinationId, events };
}

export function encodeDeliveryBundle(bundle: DeliveryBundle): string {
  return JSON.stringify(bundle);
}
