import { z } from "zod";
import { ApiError } from "../errors.ts";

// workerd forbids code generation at request time; zod's JIT path must stay off.
z.config({ jitless: true });

/** Parses a request body with a zod schema; the first issue becomes a 400 naming its field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") ?? "";
  throw new ApiError(400, "invalid_request", issue?.message ?? "invalid request", { field });
}

export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json<unknown>();
  } catch (error) {
    throw new ApiError(400, "invalid_json", "body is not valid JSON", { cause: error });
  }
}

/**
 * Runs a privacy validator. Its PrivacyInputError is an InputError that app.onError answers with
 * its own code and field, so nothing is translated here.
 */
export function parsePrivacyInput<T>(parse: () => T): T {
  return parse();
}
