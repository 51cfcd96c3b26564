// From a parsed Tracking API body to accepted, normalized messages and per-item rejections.
// Pure: the route shell supplies the request facts.
import { ApiError } from "../errors.ts";
import {
  MessageError,
  type RejectedItem,
  MAX_BATCH_ITEMS,
  MAX_MESSAGE_BYTES,
  type JsonObject,
  type MessageType,
  type NormalizedMessage,
  normalizeMessage,
  type RequestFacts,
  parseTimestamp,
  checkMessage,
  isPlainObject,
} from "../message/index.ts";

export type RouteKind = { batch: true } | { batch: false; type: MessageType };

export interface ParsedRequest {
  accepted: NormalizedMessage[];
  rejected: RejectedItem[];
  /** `writeKey` from the body, when the client sent it there (analytics.js does). */
  writeKey: string | undefined;
}

type ItemFacts = Omit<RequestFacts, "sentAt" | "context" | "integrations">;

const encoder = new TextEncoder();

function asApiError(error: MessageError): ApiError {
  return new ApiError(400, error.code, error.message, { field: error.field });
}

function bodyWriteKey(body: JsonObject): string | undefined {
  return typeof body.writeKey === "string" && body.writeKey !== "" ? body.writeKey : undefined;
}

function batchFacts(body: JsonObject, facts: ItemFacts): RequestFacts {
  const out: RequestFacts = { ...facts };
  if (body.sentAt !== undefined && body.sentAt !== null) {
    try {
      out.sentAt = parseTimestamp(body.sentAt, "sentAt");
    } catch (error) {
      throw error instanceof MessageError ? asApiError(error) : error;
    }
  }
  for (const field of ["context", "integrations"] as const) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (!isPlainObject(value)) {
      throw new ApiError(400, `${field}_not_object`, `batch ${field} must be an object`, { field });
    }
    out[field] = value;
  }
  return out;
}

function parseSingle(body: JsonObject, type: MessageType, facts: ItemFacts): ParsedRequest {
  try {
    const message = normalizeMessage(checkMessage(body, type), facts);
    return { accepted: [message], rejected: [], writeKey: bodyWriteKey(body) };
  } catch (error) {
    throw error instanceof MessageError ? asApiError(error) : error;
  }
}

function parseBatch(body: JsonObject, facts: ItemFacts, bodySize: number): ParsedRequest {
  const items = body.batch;
  if (!Array.isArray(items)) {
    throw new ApiError(400, "batch_invalid", "batch must be an array of messages", {
      field: "batch",
    });
  }
  if (items.length === 0) {
    throw new ApiError(400, "empty_batch", "batch has no messages", { field: "batch" });
  }
  if (items.length > MAX_BATCH_ITEMS) {
    throw new ApiError(
      400,
      "batch_too_many_items",
      `batch has ${items.length} messages; the limit is ${MAX_BATCH_ITEMS}`,
      { field: "batch" },
    );
  }
  const shared = batchFacts(body, facts);
  const out: ParsedRequest = { accepted: [], rejected: [], writeKey: bodyWriteKey(body) };
  // No item of a body within the per-message limit can exceed it: skip measuring each one.
  const measure = bodySize > MAX_MESSAGE_BYTES;
  items.forEach((item, index) => {
    try {
      const size = measure ? encoder.encode(JSON.stringify(item)).byteLength : 0;
      if (size > MAX_MESSAGE_BYTES) {
        throw new MessageError(
          "message_too_large",
          "",
          `message is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}`,
        );
      }
      out.accepted.push(normalizeMessage(checkMessage(item), shared));
    } catch (error) {
      if (!(error instanceof MessageError)) throw error;
      const field = error.field === "" ? `batch[${index}]` : `batch[${index}].${error.field}`;
      out.rejected.push({ index, code: error.code, field, message: error.message });
    }
  });
  if (out.accepted.length === 0) {
    throw new ApiError(400, "empty_batch_result", "no message in the batch was valid", {
      field: "batch",
      details: { rejected: out.rejected },
    });
  }
  return out;
}

/**
 * Checks and normalizes a Tracking API body. Whole-request problems throw ApiError (400);
 * bad batch items are listed in `rejected` by index while the good ones are accepted.
 * @param size byte size of the body as received.
 */
export function parseTrackingBody(
  body: unknown,
  route: RouteKind,
  facts: ItemFacts,
  size: number,
): ParsedRequest {
  if (!isPlainObject(body)) {
    throw new ApiError(400, "body_not_object", "request body must be a JSON object");
  }
  return route.batch ? parseBatch(body, facts, size) : parseSingle(body, route.type, facts);
}
