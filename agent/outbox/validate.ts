// The outbox is the last gate before the edge: a malformed message would be parked by the edge
// anyway, so it is refused here, with the field, before anything is stored.
import type { OutboxMessage } from "../controllers/deps.ts";

/** A message refused by `Outbox.append`; nothing from the call was stored. */
export class OutboxValidationError extends Error {
  override readonly name = "OutboxValidationError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

const TYPES = new Set(["identify", "track", "group"]);
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Checks the fields the edge requires of a Segment message from the agent. */
export function assertOutboxMessage(m: OutboxMessage, index: number): void {
  const at = `messages[${index}]`;
  if (typeof m !== "object" || m === null)
    throw new OutboxValidationError(at, "expected an object");
  if (!TYPES.has(m.type))
    throw new OutboxValidationError(`${at}.type`, "expected identify, track or group");
  if (typeof m.messageId !== "string" || m.messageId.length === 0 || m.messageId.length > 200) {
    throw new OutboxValidationError(`${at}.messageId`, "expected a string of 1 to 200 characters");
  }
  if (typeof m.timestamp !== "string" || !ISO_WITH_ZONE.test(m.timestamp)) {
    throw new OutboxValidationError(`${at}.timestamp`, "expected ISO-8601 with a timezone");
  }
  if (!m.userId && !m.anonymousId) {
    throw new OutboxValidationError(`${at}`, "expected userId or anonymousId");
  }
  if (m.type === "track" && (typeof m.event !== "string" || m.event.length === 0)) {
    throw new OutboxValidationError(`${at}.event`, "expected a non-empty event name for track");
  }
  if (m.type === "group" && (typeof m.groupId !== "string" || m.groupId.length === 0)) {
    throw new OutboxValidationError(`${at}.groupId`, "expected a non-empty groupId for group");
  }
}
