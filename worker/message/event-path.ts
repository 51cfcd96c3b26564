// Reads a dotted path (`properties.order.total`, `context.page.url`) out of an event. Shared by
// subscriptions (FQL), destination filters and mappings so all three agree on what a path means.
import type { JsonObject, JsonValue } from "./message.ts";
import { isUnsafeKey } from "./object-keys.ts";

/** An event as the delivery layer sees it: any JSON object (a NormalizedMessage is one). */
export type EventRecord = Readonly<Record<string, JsonValue | undefined>>;

/**
 * The value at `path` (dot-separated keys) inside `event`, or `undefined` when any step is
 * missing or is not an object, or names a prototype key (`__proto__`, `constructor`, `prototype`). Array elements are addressed by numeric keys (`products.0.sku`).
 * FQL passes pre-split segments so an escaped dot (`properties.a\.b`) stays inside one key.
 */
export function readPath(
  event: EventRecord | JsonObject,
  path: string | readonly string[],
): JsonValue | undefined {
  let current: JsonValue | undefined = event as JsonObject;
  for (const key of typeof path === "string" ? path.split(".") : path) {
    if (current === null || typeof current !== "object" || isUnsafeKey(key)) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(key)) return undefined;
      current = current[Number(key)];
    } else {
      if (!Object.hasOwn(current, key)) return undefined;
      current = current[key];
    }
  }
  return current;
}
