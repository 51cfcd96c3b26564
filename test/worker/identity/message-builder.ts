// Builds NormalizedMessage values the way the edge hands them to the identity consumer.
import type {
  JsonObject,
  MessageType,
  NormalizedMessage,
} from "../../../worker/message/message.ts";

let counter = 0;

/** A normalized message of `type` with sensible defaults; `fields` override them. */
export function message(
  type: MessageType,
  fields: Partial<NormalizedMessage> = {},
): NormalizedMessage {
  counter += 1;
  const timestamp = fields.timestamp ?? "2024-05-01T12:00:00.000Z";
  return {
    type,
    messageId: `msg-${counter}`,
    context: {},
    integrations: {},
    timestamp,
    originalTimestamp: timestamp,
    receivedAt: timestamp,
    version: 2,
    ...fields,
  };
}

/** The `context.externalIds` entry the venue agent sends for a guest's device. */
export function wifiMacExternalId(hash: string, randomized: boolean): JsonObject {
  return { id: hash, type: "wifi_mac", collection: "users", encoding: "hmac-sha256", randomized };
}

/** A 64-hex-digit stand-in for the agent's HMAC of a MAC address. */
export function macHash(n: number): string {
  return n.toString(16).padStart(4, "0").repeat(16);
}
