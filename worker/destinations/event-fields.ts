// Typed reads of the Segment fields adapters need, so no adapter digs through `JsonObject` by hand.
// Where a value may live follows the Segment Spec: user traits on identify are `traits`, on other
// calls `context.traits` (https://segment.com/docs/connections/spec/common/#context).
import {
  type JsonObject,
  type JsonValue,
  type NormalizedMessage,
  readPath,
} from "../message/index.ts";

/** A string at the path, or undefined when absent or not a non-empty string. */
export function stringAt(source: JsonObject, path: string): string | undefined {
  const value = readPath(source, path);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A finite number at the path (numeric strings are not coerced). */
export function numberAt(source: JsonObject, path: string): number | undefined {
  const value = readPath(source, path);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The user's traits carried by this call: `traits` on identify, `context.traits` elsewhere. */
export function userTraits(event: NormalizedMessage): JsonObject {
  const traits =
    event.type === "identify" || event.type === "group"
      ? event.traits
      : readPath(event.context, "traits");
  return isObject(traits) ? traits : {};
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return (
    value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value)
  );
}

/** The person's email from traits (identify or context). */
export function emailOf(event: NormalizedMessage): string | undefined {
  return stringAt(userTraits(event), "email");
}

/** The person's phone from traits (identify or context). */
export function phoneOf(event: NormalizedMessage): string | undefined {
  return stringAt(userTraits(event), "phone");
}

/** Epoch milliseconds of the event's (skew-corrected) timestamp. */
export function eventTimeMs(event: NormalizedMessage): number {
  return Date.parse(event.timestamp);
}

/** The event's properties, or an empty object. */
export function propertiesOf(event: NormalizedMessage): JsonObject {
  return event.properties ?? {};
}

/** A scalar as text (strings as-is, numbers and booleans via String, objects as JSON); undefined for null/absent. */
export function textOf(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
