// The contract between the agent's inputs (RADIUS, controller webhooks and streams, MQTT, the
// portal) and its core (MAC hashing, the durable outbox). Inputs are pure translators plus thin
// HTTP/UDP shells; everything with side effects comes in through these dependencies, so tests pass
// real ones (a real SQLite outbox in a temp dir) without patching globals.

/** A MAC address after normalization and keyed hashing; the raw address never leaves this step. */
export interface MacIdentity {
  /** HMAC-SHA256(venue key, normalized MAC), lower-case hex. */
  hash: string;
  /** Locally administered bit set (randomized / private address, IEEE 802 §8.2). */
  randomized: boolean;
}

/**
 * A Segment message ready for the outbox. MACs appear only as `MacIdentity.hash`:
 * `anonymousId` is the hash for guest events, and `context.externalIds` carries
 * `{ id: hash, type: "wifi_mac", collection: "users", encoding: "hmac-sha256", randomized }`.
 */
export interface OutboxMessage {
  type: "identify" | "track" | "group";
  /** Stable across retries and restarts: derived from the input (e.g. RADIUS session id + status). */
  messageId: string;
  /** ISO-8601 with timezone. */
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  groupId?: string;
  event?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

/**
 * Eviction class when the outbox is full: presence observations go first, venue-level counts next,
 * sessions after them, logins last.
 */
export type OutboxClass = "presence" | "venue" | "session" | "login";

/** Structured logger; callers never pass raw MACs, emails or secrets. */
export interface AgentLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface InputDeps {
  /** Normalizes any vendor MAC format and hashes it; throws `InvalidMacError` on garbage. */
  identifyMac(mac: string): MacIdentity;
  /** Durably appends (synchronous SQLite commit) before the caller answers the device. */
  append(messages: OutboxMessage[], cls: OutboxClass): void;
  /** Counts an input outcome for `agent status` (e.g. `meraki.scanning.accepted`). */
  count(counter: string, by?: number): void;
  now(): Date;
  log: AgentLog;
}
