import { MessageError } from "./errors.ts";

// ISO-8601 date-time as the Segment Spec requires (https://segment.com/docs/connections/spec/common/): a calendar date, optionally a
// time with fractional seconds, optionally a zone. A time without a zone is read as UTC.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True for the exact form `Date.prototype.toISOString` produces (so it can be stored as is). */
export function isCanonicalIso(value: unknown): value is string {
  return typeof value === "string" && value.length === 24 && CANONICAL.test(value);
}

/**
 * Parses an ISO-8601 timestamp field into epoch milliseconds.
 * @throws MessageError `timestamp_invalid` naming `field`.
 */
export function parseTimestamp(value: unknown, field: string): number {
  if (typeof value !== "string") {
    throw new MessageError("timestamp_invalid", field, `${field} must be an ISO-8601 string`);
  }
  // Fast path for what every Segment library sends: `toISOString()` output.
  if (isCanonicalIso(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  const match = ISO_8601.exec(value.trim());
  if (!match) {
    throw new MessageError("timestamp_invalid", field, `${field} is not an ISO-8601 date-time`);
  }
  const hasTime = match[4] !== undefined;
  const hasZone = match[8] !== undefined;
  const text = value.trim().replace(" ", "T");
  const ms = Date.parse(hasTime && !hasZone ? `${text}Z` : text);
  if (Number.isNaN(ms)) {
    throw new MessageError("timestamp_invalid", field, `${field} is not a valid date`);
  }
  return ms;
}

/** Epoch milliseconds to the ISO-8601 UTC form every stored timestamp uses. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
