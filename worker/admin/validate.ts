import type { z } from "../message/index.ts";
import { ApiError } from "../errors.ts";
import { parseJsonBody, readBodyText } from "../ingest/index.ts";

/** Parses a request body with a zod schema; the first issue becomes a 400 naming its field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") ?? "";
  throw new ApiError(400, "invalid_request", issue?.message ?? "invalid request", { field });
}

/** Admin bodies are configuration: a definition or a regulation's subject list fits in 1 MiB. */
export const ADMIN_BODY_LIMIT = 1_048_576;

/**
 * Reads every admin API body: 413 `payload_too_large` past ADMIN_BODY_LIMIT (checked while
 * streaming, not trusting Content-Length), 400 `json_too_deep` past MAX_JSON_DEPTH, 400
 * `invalid_json` otherwise.
 */
export async function readJson(request: Request): Promise<unknown> {
  const { text } = await readBodyText(request, ADMIN_BODY_LIMIT);
  return parseJsonBody(text);
}

/** As `readJson`, with an empty body read as `{}` (routes whose every field is optional). */
export async function readJsonOrEmpty(request: Request): Promise<unknown> {
  const { text } = await readBodyText(request, ADMIN_BODY_LIMIT);
  return text.trim() === "" ? {} : parseJsonBody(text);
}

/**
 * Runs a privacy validator. Its PrivacyInputError is an InputError that app.onError answers with
 * its own code and field, so nothing is translated here.
 */
export function parsePrivacyInput<T>(parse: () => T): T {
  return parse();
}
