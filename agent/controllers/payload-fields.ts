// Field readers shared by the vendor parsers: each returns the value or a precise error naming the
// JSON path, so a malformed delivery is refused as a whole (docs/architecture.md invariant 7).
import { accept, refuse, type ParseResult } from "./input-error.ts";

export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a request body as a JSON object. */
export function parseJsonObject(text: string): ParseResult<JsonObject> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refuse("invalid_json", "$", "body is not valid JSON");
  }
  if (!isObject(value)) return refuse("invalid_type", "$", "body must be a JSON object");
  return accept(value);
}

/** A required non-empty string field. */
export function requiredString(obj: JsonObject, key: string, path: string): ParseResult<string> {
  const value = obj[key];
  if (value === undefined || value === null)
    return refuse("missing_field", path, `${path} is required`);
  if (typeof value !== "string") return refuse("invalid_type", path, `${path} must be a string`);
  if (value.length === 0) return refuse("invalid_value", path, `${path} must not be empty`);
  return accept(value);
}

/** An optional string field: absent, null and "" read as undefined; other types are refused. */
export function optionalString(
  obj: JsonObject,
  key: string,
  path: string,
): ParseResult<string | undefined> {
  const value = obj[key];
  if (value === undefined || value === null || value === "") return accept(undefined);
  if (typeof value !== "string") return refuse("invalid_type", path, `${path} must be a string`);
  return accept(value);
}

/**
 * A number that vendors send as a number, a numeric string, or JS `"NaN"` (Meraki Scanning v3:
 * `x`, `y`, `lat`, `lng`, `nearestApRssi`; https://developer.cisco.com/meraki/scanning-api/3-0 "Typing gotchas"). Unusable values read
 * as undefined; a boolean, object or array is a type error.
 */
export function lenientNumber(value: unknown, path: string): ParseResult<number | undefined> {
  if (value === undefined || value === null) return accept(undefined);
  if (typeof value === "number") return accept(Number.isFinite(value) ? value : undefined);
  if (typeof value === "string") {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    return accept(Number.isFinite(n) ? n : undefined);
  }
  return refuse("invalid_type", path, `${path} must be a number or numeric string`);
}

/** An optional ISO-8601 timestamp with a timezone. */
export function optionalIsoTime(
  obj: JsonObject,
  key: string,
  path: string,
): ParseResult<Date | undefined> {
  const text = optionalString(obj, key, path);
  if (!text.ok) return text;
  if (text.value === undefined) return accept(undefined);
  const date = new Date(text.value);
  if (Number.isNaN(date.getTime()) || !/(Z|[+-]\d\d:?\d\d)$/.test(text.value)) {
    return refuse("invalid_value", path, `${path} must be an ISO-8601 time with timezone`);
  }
  return accept(date);
}
