// One error type for every refusal the worker answers with, mapped to a response in one place
// (`errorResponse`, used by the app's onError). Codes say what the caller should do: 4xx are not
// retried, 429/503 carry Retry-After.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly retryAfter: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: {
      field?: string;
      retryAfter?: number;
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.retryAfter = options.retryAfter;
    this.details = options.details;
  }
}

/**
 * The base of every refusal of caller input: a stable code, the offending field's dot path ("" for
 * the whole input) and a message safe to return. Validators throw a subclass; `app.onError` maps
 * every one of them (they are ApiErrors), so no route translates errors by hand.
 */
export class InputError extends ApiError {
  declare readonly field: string;

  constructor(
    code: string,
    field: string,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(options.status ?? 400, code, message, { field, cause: options.cause });
    this.name = "InputError";
  }
}

/** The JSON body and headers every error response has: `{error:{code,message,field?}}`. */
export function errorResponse(error: ApiError, headers: HeadersInit = {}): Response {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  const out = new Headers(headers);
  out.set("content-type", "application/json");
  if (error.retryAfter !== undefined) {
    out.set("retry-after", String(error.retryAfter));
    out.set("x-ratelimit-reset", String(error.retryAfter));
  }
  return new Response(JSON.stringify({ error: body, ...error.details }), {
    status: error.status,
    headers: out,
  });
}
