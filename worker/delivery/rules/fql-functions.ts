// The functions of Segment's FQL (https://segment.com/docs/api/public-api/fql/#functions), with
// the null-safe defaults the reference lists: contains(null, s) = false, length(null) = 0,
// lowercase(null) = null, typeof(null) = "null", match(null, s) = false.
import type { JsonValue } from "../../message/index.ts";
import { globMatches, parseGlob } from "./glob.ts";

/** A runtime FQL value: JSON, with a missing field read as null. */
export type FqlValue = JsonValue;

interface FunctionSpec {
  arity: number;
  /** Per argument, the literal types the parser accepts (`typeof`, or "null"); undefined = any. */
  literals: ReadonlyArray<readonly string[] | undefined>;
  apply: (args: FqlValue[]) => FqlValue;
}

const STRING = ["string", "null"] as const;

function onString(transform: (s: string) => string): FunctionSpec {
  return {
    arity: 1,
    literals: [STRING],
    apply: ([value]) => (typeof value === "string" ? transform(value) : null),
  };
}

/** FQL's type names: "string", "number", "list", "bool", "null" (and "object" for a JSON object). */
export function fqlTypeOf(value: FqlValue | undefined): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "object") return "object";
  return typeof value;
}

function toFqlString(value: FqlValue): string {
  if (typeof value === "string") return value;
  if (value === null) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function toFqlNumber(value: FqlValue): FqlValue {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || value.trim() === "") return null;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? parsed : null;
}

function toFqlBool(value: FqlValue): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value !== "" && value.toLowerCase() !== "false";
  if (Array.isArray(value)) return value.length > 0;
  return value !== null;
}

const utf8 = new TextEncoder();

/** Every function Foyer's FQL implements, which is the full set of the FQL reference. */
export const FQL_FUNCTIONS = {
  contains: {
    arity: 2,
    literals: [STRING, STRING],
    apply: ([s, sub]) => typeof s === "string" && typeof sub === "string" && s.includes(sub),
  },
  match: {
    arity: 2,
    literals: [STRING, STRING],
    apply: ([s, pattern]) => {
      if (typeof s !== "string" || typeof pattern !== "string") return false;
      const tokens = parseGlob(pattern);
      return Array.isArray(tokens) && globMatches(tokens, s);
    },
  },
  length: {
    arity: 1,
    literals: [["string", "null"]],
    // fql.md: the number of bytes (not characters) of a string.
    apply: ([value]) => {
      if (typeof value === "string") return utf8.encode(value).length;
      if (Array.isArray(value)) return value.length;
      return value === null || value === undefined ? 0 : null;
    },
  },
  lowercase: onString((s) => s.toLowerCase()),
  uppercase: onString((s) => s.toUpperCase()),
  snakecase: onString((s) => s.replaceAll(" ", "_")),
  kebabcase: onString((s) => s.replaceAll(" ", "-")),
  titlecase: onString((s) =>
    s
      .split(" ")
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(" "),
  ),
  typeof: { arity: 1, literals: [], apply: ([value]) => fqlTypeOf(value) },
  bool: { arity: 1, literals: [], apply: ([value]) => toFqlBool(value ?? null) },
  string: { arity: 1, literals: [], apply: ([value]) => toFqlString(value ?? null) },
  number: {
    arity: 1,
    literals: [["number", "string", "null"]],
    apply: ([value]) => toFqlNumber(value ?? null),
  },
} satisfies Record<string, FunctionSpec>;

export type FqlFunction = keyof typeof FQL_FUNCTIONS;
