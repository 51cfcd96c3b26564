// The one error every privacy validator throws: a stable code, the path of the offending field and
// a message safe to return in a 4xx body (it never echoes a personal value).

export class PrivacyInputError extends Error {
  readonly code: string;
  /** Dot path of the offending field inside the validated input ("" for the whole input). */
  readonly field: string;

  constructor(code: string, field: string, message: string) {
    super(field === "" ? message : `${field}: ${message}`);
    this.name = "PrivacyInputError";
    this.code = code;
    this.field = field;
  }
}

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
