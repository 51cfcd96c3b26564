// Mapping-kit directives (action-destinations `packages/core/src/mapping-kit/README.md`) evaluated
// by walking the mapping; no code generation. Supported: `@path`, `@template`, `@if`, `@literal`.
// As in mapping-kit, a value that resolves to `undefined` drops its key while `null` is kept.
import { InputError } from "../errors.ts";
import { type JsonObject, type JsonValue, readPath, unsafeSegment } from "../message/index.ts";

export type Mapping = JsonValue;

const DIRECTIVES = ["@path", "@template", "@if", "@literal"] as const;
const MAX_DEPTH = 32;

/** A mapping that cannot be evaluated; `path` points at the offending key (`fields.email.@path`). */
export class MappingError extends InputError {
  readonly path: string;
  constructor(path: string, message: string) {
    super("invalid_mapping", path, `mapping ${path || "(root)"}: ${message}`);
    this.name = "MappingError";
    this.path = path;
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

/** Parses `$.a.b[0].c` into a dot path (`a.b.0.c`); `$` alone is the whole payload. */
function jsonPathToDots(pointer: string, at: string): string {
  if (pointer === "$") return "";
  if (!pointer.startsWith("$."))
    throw new MappingError(at, `@path must start with "$." (got ${JSON.stringify(pointer)})`);
  const dots = pointer.slice(2).replace(/\[(\d+)\]/g, ".$1");
  if (dots === "" || dots.split(".").some((part) => part === "" || /[[\]'"*]/.test(part))) {
    throw new MappingError(
      at,
      `unsupported @path ${JSON.stringify(pointer)}: use $.key.key or $.key[0]`,
    );
  }
  const unsafe = unsafeSegment(dots);
  if (unsafe !== undefined)
    throw new MappingError(at, `@path may not name ${JSON.stringify(unsafe)}`);
  return dots;
}

/** Checks a mapping without a payload: every directive well formed, depth bounded. Throws MappingError. */
export function assertMapping(mapping: Mapping, path = "", depth = 0): void {
  if (depth > MAX_DEPTH) throw new MappingError(path, `nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(mapping)) {
    mapping.forEach((item, index) => assertMapping(item, join(path, index), depth + 1));
    return;
  }
  if (!isObject(mapping)) return;
  const directive = Object.keys(mapping).find((key) => key.startsWith("@"));
  if (directive === undefined) {
    for (const [key, value] of Object.entries(mapping))
      assertMapping(value, join(path, key), depth + 1);
    return;
  }
  const at = join(path, directive);
  if (!(DIRECTIVES as readonly string[]).includes(directive)) {
    throw new MappingError(at, `unknown directive; supported: ${DIRECTIVES.join(", ")}`);
  }
  if (Object.keys(mapping).length !== 1)
    throw new MappingError(path, `a directive object has exactly one key`);
  const arg = mapping[directive];
  if (directive === "@path") {
    if (typeof arg !== "string") throw new MappingError(at, "@path takes a string");
    jsonPathToDots(arg, at);
  } else if (directive === "@template") {
    if (typeof arg !== "string") throw new MappingError(at, "@template takes a string");
    if (arg.length > 1_000) throw new MappingError(at, "@template is limited to 1000 characters");
  } else if (directive === "@if") {
    if (!isObject(arg)) throw new MappingError(at, "@if takes an object");
    const tests = ["exists", "blank"].filter((key) => key in arg);
    if (tests.length !== 1) throw new MappingError(at, "@if needs exactly one of exists or blank");
    const extra = Object.keys(arg).filter(
      (key) => !["exists", "blank", "then", "else"].includes(key),
    );
    if (extra.length > 0) throw new MappingError(at, `@if has unknown key ${extra[0]}`);
    for (const key of Object.keys(arg))
      assertMapping(arg[key] as JsonValue, join(at, key), depth + 1);
  }
}

function renderTemplate(template: string, payload: JsonObject): string {
  return template.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_match, name: string) => {
    const value = readPath(payload, name);
    if (value === undefined || value === null) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}

function isBlank(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || value === "";
}

/**
 * Resolves a mapping against an event payload. Call `assertMapping` when the mapping is saved;
 * this throws MappingError too when handed a malformed one, so a bad mapping never sends garbage.
 */
export function resolveMapping(
  mapping: Mapping,
  payload: JsonObject,
  path = "",
  depth = 0,
): JsonValue | undefined {
  if (depth > MAX_DEPTH) throw new MappingError(path, `nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(mapping)) {
    return mapping.map(
      (item, index) => resolveMapping(item, payload, join(path, index), depth + 1) ?? null,
    );
  }
  if (!isObject(mapping)) return mapping;
  const directive = Object.keys(mapping).find((key) => key.startsWith("@"));
  if (directive === undefined) {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(mapping)) {
      const resolved = resolveMapping(value, payload, join(path, key), depth + 1);
      if (resolved !== undefined) out[key] = resolved;
    }
    return out;
  }
  assertMapping(mapping, path, depth);
  const arg = mapping[directive] as JsonValue;
  const at = join(path, directive);
  switch (directive) {
    case "@literal":
      return arg;
    case "@path": {
      const dots = jsonPathToDots(arg as string, at);
      return dots === "" ? payload : readPath(payload, dots);
    }
    case "@template":
      return renderTemplate(arg as string, payload);
    default: {
      const branch = arg as JsonObject;
      const test = "exists" in branch ? "exists" : "blank";
      const probe = resolveMapping(branch[test] as JsonValue, payload, join(at, test), depth + 1);
      const yes = test === "exists" ? probe !== undefined && probe !== null : isBlank(probe);
      const chosen = yes ? branch.then : branch.else;
      return chosen === undefined
        ? undefined
        : resolveMapping(chosen, payload, join(at, yes ? "then" : "else"), depth + 1);
    }
  }
}
