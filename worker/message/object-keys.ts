// User-supplied keys and paths are hostile (docs: README "Security"). A path segment named
// `__proto__`, `constructor` or `prototype` walks from a plain object onto Object.prototype, which
// every tenant in the isolate shares; a JSON body may carry a `__proto__` key as an own property
// (JSON.parse defines it), which later writes follow. These helpers refuse such segments where a
// path is parsed, drop `__proto__` keys where JSON enters, and read user-keyed records by own key.
import { InputError } from "../errors.ts";

/** Path segments that reach an object's prototype chain instead of its data. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key);
}

/** The first unsafe segment of a dot path (or of pre-split segments), or `undefined`. */
export function unsafeSegment(path: string | readonly string[]): string | undefined {
  const segments = typeof path === "string" ? path.split(".") : path;
  return segments.find(isUnsafeKey);
}

/** Throws 400 `unsafe_path` naming `field` when `path` has a prototype-reaching segment. */
export function assertSafePath(path: string | readonly string[], field: string): void {
  const bad = unsafeSegment(path);
  if (bad !== undefined) {
    throw new InputError(
      "unsafe_path",
      field,
      `path segment ${JSON.stringify(bad)} is not allowed`,
    );
  }
}

/** `record[key]` only when `key` is the record's own: never a value inherited from a prototype. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function dropProtoKey(this: unknown, key: string, value: unknown): unknown {
  return key === "__proto__" ? undefined : value;
}

/**
 * JSON.parse that leaves out every `__proto__` key at any depth. The reviver only runs when the
 * text could spell that key (literally or through a `\u` escape), so ordinary bodies parse at
 * JSON.parse's own speed.
 */
export function parseJsonWithoutProto(text: string): unknown {
  if (!text.includes("__proto__") && !text.includes("\\u")) return JSON.parse(text) as unknown;
  return JSON.parse(text, dropProtoKey) as unknown;
}
