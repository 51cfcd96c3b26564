// Normalization of a checked message into the stored form (https://segment.com/docs/connections/spec/common/–1.5, §1.9).
import { isPlainObject, type CheckedMessage } from "./validate.ts";
import type { JsonObject, NormalizedMessage } from "./message.ts";
import { isCanonicalIso, parseTimestamp, toIso } from "./time.ts";

/** What the edge knows about the request the message came in. */
export interface RequestFacts {
  /** Edge clock, epoch ms. */
  receivedAt: number;
  /** `receivedAt` as ISO-8601, computed once per request. */
  receivedAtIso?: string;
  /** Batch-level `sentAt` (analytics.js strips it from items), epoch ms. */
  sentAt?: number;
  /** Batch-level `context` and `integrations`, merged into every item (item values win). */
  context?: JsonObject;
  integrations?: JsonObject;
  /** The connecting address (CF-Connecting-IP). */
  ip?: string;
  /** A fresh messageId for messages that came without one. */
  newMessageId: () => string;
}

/** Recursively merges `top` into `base`; `top` wins on conflicts. Neither input is modified. */
export function mergeObjects(
  base: JsonObject | undefined,
  top: JsonObject | undefined,
): JsonObject {
  if (!base) return top ? { ...top } : {};
  if (!top) return { ...base };
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const under = out[key];
    out[key] = isPlainObject(under) && isPlainObject(value) ? mergeObjects(under, value) : value;
  }
  return out;
}

/**
 * Turns a checked message into its stored form: messageId, the three timestamps with clock-skew
 * correction `timestamp = receivedAt − (sentAt − originalTimestamp)`, merged batch context and
 * integrations, `context.ip` from the connection when absent, `version: 2`, and no write key.
 * @throws MessageError `timestamp_invalid` for an unparseable timestamp, sentAt or originalTimestamp.
 */
export function normalizeMessage(checked: CheckedMessage, facts: RequestFacts): NormalizedMessage {
  const { raw, type } = checked;
  const { writeKey: _writeKey, ...fields } = raw;

  const clientTime =
    raw.timestamp ?? (raw.originalTimestamp === null ? undefined : raw.originalTimestamp);
  const original =
    clientTime === undefined || clientTime === null
      ? undefined
      : parseTimestamp(clientTime, raw.timestamp !== undefined ? "timestamp" : "originalTimestamp");
  const sentAt =
    raw.sentAt !== undefined && raw.sentAt !== null
      ? parseTimestamp(raw.sentAt, "sentAt")
      : facts.sentAt;
  const timestamp =
    original === undefined
      ? facts.receivedAt
      : sentAt === undefined
        ? original
        : facts.receivedAt - (sentAt - original);

  const context = mergeObjects(facts.context, isPlainObject(raw.context) ? raw.context : undefined);
  if ((context.ip === undefined || context.ip === null) && facts.ip) context.ip = facts.ip;
  const integrations = mergeObjects(
    facts.integrations,
    isPlainObject(raw.integrations) ? raw.integrations : undefined,
  );

  const messageId =
    typeof raw.messageId === "string" && raw.messageId !== ""
      ? raw.messageId
      : facts.newMessageId();

  const receivedAt = facts.receivedAtIso ?? toIso(facts.receivedAt);
  const originalIso =
    original === undefined ? receivedAt : isCanonicalIso(clientTime) ? clientTime : toIso(original);
  const normalized: NormalizedMessage = {
    ...fields,
    type,
    messageId,
    context,
    integrations,
    timestamp:
      timestamp === original
        ? originalIso
        : timestamp === facts.receivedAt
          ? receivedAt
          : toIso(timestamp),
    originalTimestamp: originalIso,
    receivedAt,
    version: 2,
  };
  if (sentAt !== undefined) normalized.sentAt = toIso(sentAt);
  else delete normalized.sentAt;
  return normalized;
}
