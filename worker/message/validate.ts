// Validation of one Tracking API message, as a chain of named checks (https://segment.com/docs/connections/spec/common/ and the
// "Failed on ingest" codes). Each check throws a MessageError naming the field; nothing downstream
// re-checks what passes here.
import { MessageError } from "./errors.ts";
import { MAX_MESSAGE_ID_LENGTH } from "./limits.ts";
import { MESSAGE_TYPES, type JsonObject, type MessageType } from "./message.ts";

/** A message whose shape has been checked; values are still as the client sent them. */
export interface CheckedMessage {
  raw: JsonObject;
  type: MessageType;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function assertType(raw: JsonObject, routeType: MessageType | undefined): MessageType {
  // Single-call routes fix the type (Segment answers /v1/track as a track whatever `type` says);
  // batch items must carry their own.
  if (routeType) return routeType;
  const type = raw.type;
  if (type === undefined || type === null) {
    throw new MessageError("type_required", "type", "type is required in batch items");
  }
  if (typeof type !== "string" || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw new MessageError(
      "type_invalid",
      "type",
      `type must be one of ${MESSAGE_TYPES.join(", ")}`,
    );
  }
  return type as MessageType;
}

function assertIdString(raw: JsonObject, field: "userId" | "anonymousId"): void {
  const value = raw[field];
  if (value === undefined || value === null) return;
  if (typeof value !== "string" || value.trim() === "") {
    throw new MessageError("id_not_string", field, `${field} must be a non-empty string`);
  }
}

function assertIdentity(raw: JsonObject, type: MessageType): void {
  assertIdString(raw, "userId");
  assertIdString(raw, "anonymousId");
  if (type === "alias") {
    if (raw.userId === undefined || raw.userId === null) {
      throw new MessageError("id_required", "userId", "alias requires userId");
    }
    const previousId = raw.previousId;
    if (previousId === undefined || previousId === null) {
      throw new MessageError("previous_id_required", "previousId", "alias requires previousId");
    }
    if (typeof previousId !== "string" || previousId.trim() === "") {
      throw new MessageError(
        "id_not_string",
        "previousId",
        "previousId must be a non-empty string",
      );
    }
    return;
  }
  const hasUser = raw.userId !== undefined && raw.userId !== null;
  const hasAnonymous = raw.anonymousId !== undefined && raw.anonymousId !== null;
  if (!hasUser && !hasAnonymous) {
    throw new MessageError("id_required", "userId", "userId or anonymousId is required");
  }
}

function assertTypeFields(raw: JsonObject, type: MessageType): void {
  if (type === "track") {
    if (raw.event === undefined || raw.event === null) {
      throw new MessageError("event_not_defined", "event", "track requires event");
    }
    if (typeof raw.event !== "string" || raw.event.trim() === "") {
      throw new MessageError("event_not_string", "event", "event must be a non-empty string");
    }
  }
  if (type === "group") {
    const groupId = raw.groupId;
    if (groupId === undefined || groupId === null) {
      throw new MessageError("group_id_required", "groupId", "group requires groupId");
    }
    if (typeof groupId !== "string" || groupId.trim() === "") {
      throw new MessageError("id_not_string", "groupId", "groupId must be a non-empty string");
    }
  }
  if (type === "page" || type === "screen") {
    optionalString(raw, "name", "name_not_string");
    optionalString(raw, "category", "category_not_string");
  }
}

function optionalString(raw: JsonObject, field: string, code: string): void {
  const value = raw[field];
  if (value !== undefined && value !== null && typeof value !== "string") {
    throw new MessageError(code, field, `${field} must be a string`);
  }
}

function optionalObject(raw: JsonObject, field: string, code: string): void {
  const value = raw[field];
  if (value !== undefined && value !== null && !isPlainObject(value)) {
    throw new MessageError(code, field, `${field} must be an object`);
  }
}

function assertCommonFields(raw: JsonObject): void {
  optionalObject(raw, "properties", "properties_not_object");
  optionalObject(raw, "traits", "traits_not_object");
  optionalObject(raw, "context", "context_not_object");
  optionalObject(raw, "integrations", "integrations_not_object");
  const messageId = raw.messageId;
  if (messageId !== undefined && messageId !== null) {
    if (typeof messageId !== "string" || messageId === "") {
      throw new MessageError("message_id_invalid", "messageId", "messageId must be a string");
    }
    if (messageId.length > MAX_MESSAGE_ID_LENGTH) {
      throw new MessageError(
        "message_id_too_long",
        "messageId",
        `messageId is limited to ${MAX_MESSAGE_ID_LENGTH} characters`,
      );
    }
  }
  const context = raw.context;
  if (isPlainObject(context)) assertConsentShape(context);
}

// Segment's consent validation codes (https://segment.com/docs/connections/spec/common/): when a consent object is sent, its
// categoryPreferences must be an object of booleans.
function assertConsentShape(context: JsonObject): void {
  const consent = context.consent;
  if (consent === undefined || consent === null) return;
  if (!isPlainObject(consent)) {
    throw new MessageError("consent_not_object", "context.consent", "consent must be an object");
  }
  const prefs = consent.categoryPreferences;
  if (prefs === undefined || prefs === null) return;
  if (!isPlainObject(prefs)) {
    throw new MessageError(
      "consent_categorypreferences_fields_should_be_object",
      "context.consent.categoryPreferences",
      "categoryPreferences must be an object",
    );
  }
  for (const [category, granted] of Object.entries(prefs)) {
    if (typeof granted !== "boolean") {
      throw new MessageError(
        "consent_categorypreferences_fields_should_be_bool",
        `context.consent.categoryPreferences.${category}`,
        "each consent category must be true or false",
      );
    }
  }
}

/**
 * Checks one message. `routeType` is the type fixed by a single-call route (`/v1/track`, `/v1/t`),
 * undefined for batch items.
 * @throws MessageError with Segment's discard code and the field.
 */
export function checkMessage(value: unknown, routeType?: MessageType): CheckedMessage {
  if (!isPlainObject(value)) {
    throw new MessageError("message_not_object", "", "each message must be a JSON object");
  }
  const type = assertType(value, routeType);
  assertIdentity(value, type);
  assertTypeFields(value, type);
  assertCommonFields(value);
  return { raw: value, type };
}
