// The Segment message contract: types, normalization, validation, limits, the chunk format
// and the shared helpers every stage reads (docs/architecture.md, "The message").
export { chunkLines, decodeChunk } from "./chunk.ts";
export { normalizeEmail, normalizePhone, phoneForMeta } from "./contact.ts";
export { MessageError, type RejectedItem } from "./errors.ts";
export { type EventRecord, readPath } from "./event-path.ts";
export { MAX_BATCH_BYTES, MAX_BATCH_ITEMS, MAX_MESSAGE_BYTES } from "./limits.ts";
export {
  type IngestChunk,
  type JsonObject,
  type JsonValue,
  MESSAGE_TYPES,
  type MessageType,
  type NormalizedMessage,
} from "./message.ts";
export { normalizeMessage, type RequestFacts } from "./normalize.ts";
export { isUnsafeKey, ownValue, parseJsonWithoutProto, unsafeSegment } from "./object-keys.ts";
export { eventRef, normalizeSubject, SUBJECT_TYPES, type SubjectType } from "./subject.ts";
export { parseTimestamp } from "./time.ts";
export { compileUserPattern, type UserPattern } from "./user-pattern.ts";
export { checkMessage, isPlainObject } from "./validate.ts";
export { z } from "./zod.ts";
export { formatIp, parseIp, type ParsedIp } from "./ip-address.ts";
export {
  findEmbeddedPayment,
  isCardNumber,
  isEmail,
  isIban,
  isIpAddress,
  isMacAddress,
  isPhoneNumber,
} from "./value-patterns.ts";
