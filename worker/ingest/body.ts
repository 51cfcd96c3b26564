// Reading a Tracking API request body: size limits before parsing, gzip, UTF-8, JSON.
import { ApiError } from "../errors.ts";
import { parseJsonWithoutProto } from "../message/index.ts";
import { assertJsonDepth } from "./json-depth.ts";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function tooLarge(limit: number): ApiError {
  return new ApiError(413, "payload_too_large", `request body exceeds ${limit} bytes`);
}

async function readLimited(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A request body as text, with its size in bytes (after decompression). */
export interface BodyText {
  text: string;
  bytes: number;
}

/**
 * Reads the body as text, refusing more than `limit` bytes (after decompression for gzip), and
 * decodes `Content-Encoding: gzip`. Errors: 413 `payload_too_large`, 400 `invalid_gzip`,
 * 400 `invalid_encoding`, 415 `unsupported_encoding`.
 */
export async function readBodyText(request: Request, limit: number): Promise<BodyText> {
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (!request.body) return { text: "", bytes: 0 };
  let bytes: Uint8Array;
  if (encoding === "identity" || encoding === "") {
    if (declared > limit) throw tooLarge(limit);
    bytes = await readLimited(request.body as ReadableStream<Uint8Array>, limit);
  } else if (encoding === "gzip") {
    const inflated = request.body.pipeThrough(new DecompressionStream("gzip"));
    try {
      bytes = await readLimited(inflated, limit);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(400, "invalid_gzip", "body is not valid gzip", { cause: error });
    }
  } else {
    throw new ApiError(
      415,
      "unsupported_encoding",
      `Content-Encoding ${encoding} is not supported`,
    );
  }
  try {
    return { text: decoder.decode(bytes), bytes: bytes.byteLength };
  } catch (error) {
    throw new ApiError(400, "invalid_encoding", "body is not valid UTF-8", { cause: error });
  }
}

/**
 * Parses JSON without its `__proto__` keys (worker/message/object-keys.ts), answering 400 `json_too_deep` past MAX_JSON_DEPTH and 400 `invalid_json` with the
 * parser's position when it fails.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "request body is empty");
  assertJsonDepth(text);
  try {
    return parseJsonWithoutProto(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : "parse error";
    throw new ApiError(400, "invalid_json", `body is not valid JSON: ${detail}`, { cause: error });
  }
}
