// One error shape for every vendor parser, so the HTTP shell maps it to a status in one place
// (STYLE.md §4: errors say what decision they drive).

/** Why an input was refused; `field` is a JSON path into the payload (or a header name). */
export interface InputErrorBody {
  code: string;
  field: string;
  message: string;
}

/** The outcome of a pure parser: a typed value, or a precise error and nothing else. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: InputErrorBody };

/** Builds a failed `ParseResult`. */
export function refuse<T = never>(code: string, field: string, message: string): ParseResult<T> {
  return { ok: false, error: { code, field, message } };
}

/** Builds a successful `ParseResult`. */
export function accept<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

/** Error codes that mean "the sender is not proven to be who it claims" (answered 401, not 400). */
export const AUTH_ERROR_CODES = new Set([
  "missing_secret",
  "wrong_secret",
  "missing_signature",
  "bad_signature",
  "stale_delivery",
]);
