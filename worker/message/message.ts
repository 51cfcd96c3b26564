// The Segment event model as Foyer stores and passes it after ingestion. Runtime-free: the worker,
// the agent and the portal all import it. Field semantics follow the Segment Spec
// (https://segment.com/docs/connections/spec/common/).

export const MESSAGE_TYPES = ["identify", "track", "page", "screen", "group", "alias"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** A Segment external id (`context.externalIds[]`), as Segment's Personas/Unify use it. */
export interface ExternalId {
  id: string;
  type: string;
  collection?: string;
  encoding?: string;
  /** Foyer extension set by the venue agent on `wifi_mac` ids: the MAC had the locally administered bit. */
  randomized?: boolean;
}

/**
 * A message after edge validation and normalization: every field below is present and typed, and
 * the write key has been removed. Unknown top-level fields sent by clients are kept as they came.
 */
export interface NormalizedMessage {
  type: MessageType;
  messageId: string;
  userId?: string;
  anonymousId?: string;
  /** track */
  event?: string;
  /** page / screen */
  name?: string;
  category?: string;
  /** group */
  groupId?: string;
  /** alias */
  previousId?: string;
  properties?: JsonObject;
  traits?: JsonObject;
  context: JsonObject;
  integrations: JsonObject;
  /** ISO-8601 UTC: skew-corrected event time (`receivedAt - (sentAt - originalTimestamp)`). */
  timestamp: string;
  /** ISO-8601 UTC: the time the client says the call happened (or receivedAt when absent). */
  originalTimestamp: string;
  /** ISO-8601 UTC: when the edge received the request. */
  receivedAt: string;
  sentAt?: string;
  version: 2;
  [extra: string]: JsonValue | undefined;
}

/** One Queue message: a chunk of one request's accepted messages for one source. */
export interface IngestChunk {
  v: 1;
  /** Deterministic id of this chunk (request id + chunk index): the archive object's name. */
  chunkId: string;
  spaceId: string;
  sourceId: string;
  receivedAt: string;
  messages: NormalizedMessage[];
}
