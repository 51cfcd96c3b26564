// The one error every privacy validator throws: a stable code, the path of the offending field and
// a message safe to return in a 4xx body (it never echoes a personal value).
import { InputError } from "../errors.ts";

/** A refused privacy setting (400 with its own code and field, mapped by `app.onError`). */
export class PrivacyInputError extends InputError {
  constructor(code: string, field: string, message: string) {
    super(code, field, field === "" ? message : `${field}: ${message}`);
    this.name = "PrivacyInputError";
  }
}

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
