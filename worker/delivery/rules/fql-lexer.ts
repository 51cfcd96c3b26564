// Tokenizer for Segment's Filter Query Language (https://segment.com/docs/api/public-api/fql/).
// Every token keeps its offset so parse errors point at the exact character.

export type FqlTokenKind = "ident" | "string" | "number" | "op" | "punct" | "end";

export interface FqlToken {
  kind: FqlTokenKind;
  /** Decoded text: the identifier (escapes removed), the unescaped string, the operator or punctuation. */
  text: string;
  /** For identifiers: the dot-separated path segments, with `\x` escapes decoded (fql.md "Escaping Field Paths"). */
  segments?: string[];
  /** Zero-based offset of the token's first character in the source. */
  position: number;
}

/** `fql_syntax`: malformed FQL. `fql_unsupported`: well-formed FQL-like syntax Foyer does not implement. */
export type FqlErrorCode = "fql_syntax" | "fql_unsupported" | "unsafe_path";

/** A precise FQL parse error: where, what was expected, what was found. */
export class FqlError extends Error {
  readonly position: number;
  readonly expected: readonly string[];
  readonly found: string;
  readonly code: FqlErrorCode;

  constructor(
    position: number,
    expected: readonly string[],
    found: string,
    detail?: string,
    code: FqlErrorCode = "fql_syntax",
  ) {
    const want = expected.length > 0 ? `expected ${expected.join(" or ")}` : "invalid input";
    const note = detail === undefined ? "" : ` (${detail})`;
    super(`FQL error at position ${position}: ${want}, found ${found}${note}`);
    this.name = "FqlError";
    this.position = position;
    this.expected = expected;
    this.found = found;
    this.code = code;
  }
}

// fql.md: field names are `{a-z A-Z 0-9 _ -}`, dots separate segments, `\` escapes anything else.
const IDENT_START = /[A-Za-z_$\\]/;
const IDENT_PART = /[A-Za-z0-9_$\-.\\]/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;
const TWO_CHAR_OPS = ["!=", "<=", ">="];
const ONE_CHAR_OPS = ["=", "<", ">", "!"];
const PUNCT = ["(", ")", ",", "[", "]"];
/** Operators from other languages, refused by name so the author knows what to write instead. */
const FOREIGN_OPS: ReadonlyArray<[string, string]> = [
  ["==", "FQL compares with ="],
  ["&&", "FQL uses and"],
  ["||", "FQL uses or"],
  ["<>", "FQL uses !="],
  ["=~", "FQL has no regular expressions; use match() with a glob"],
  ["!~", "FQL has no regular expressions; use !match() with a glob"],
];
const ARITHMETIC = ["+", "-", "*", "/", "%"];
const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "/": "/",
};

/** Splits FQL source into tokens, ending with an `end` token. Throws FqlError on a bad character. */
export function tokenizeFql(source: string): FqlToken[] {
  const tokens: FqlToken[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const { text, next } = readString(source, i);
      tokens.push({ kind: "string", text, position: i });
      i = next;
      continue;
    }
    const number = NUMBER.exec(source.slice(i, i + 64));
    if (number && (ch === "-" || /\d/.test(ch))) {
      tokens.push({ kind: "number", text: number[0], position: i });
      i += number[0].length;
      continue;
    }
    if (IDENT_START.test(ch)) {
      const { token, next } = readIdent(source, i);
      tokens.push(token);
      i = next;
      continue;
    }
    const two = source.slice(i, i + 2);
    const foreign = FOREIGN_OPS.find(([op]) => op === two);
    if (foreign) throw new FqlError(i, [], `'${two}'`, foreign[1], "fql_unsupported");
    if (TWO_CHAR_OPS.includes(two)) {
      tokens.push({ kind: "op", text: two, position: i });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.includes(ch)) {
      tokens.push({ kind: "op", text: ch, position: i });
      i += 1;
      continue;
    }
    if (PUNCT.includes(ch)) {
      tokens.push({ kind: "punct", text: ch, position: i });
      i += 1;
      continue;
    }
    if (ARITHMETIC.includes(ch))
      throw new FqlError(i, [], `'${ch}'`, "FQL has no arithmetic", "fql_unsupported");
    throw new FqlError(i, [], JSON.stringify(ch), "unexpected character");
  }
  tokens.push({ kind: "end", text: "", position: source.length });
  return tokens;
}

function readIdent(source: string, start: number): { token: FqlToken; next: number } {
  const segments: string[] = [];
  let segment = "";
  let i = start;
  while (i < source.length && IDENT_PART.test(source[i] as string)) {
    const ch = source[i] as string;
    if (ch === "\\") {
      const escaped = source[i + 1];
      if (escaped === undefined)
        throw new FqlError(i, ["escaped character"], "end of input", "dangling \\ in field path");
      segment += escaped;
      i += 2;
      continue;
    }
    if (ch === ".") {
      segments.push(segment);
      segment = "";
    } else segment += ch;
    i += 1;
  }
  segments.push(segment);
  const text = segments.join(".");
  return { token: { kind: "ident", text, segments, position: start }, next: i };
}

function readString(source: string, start: number): { text: string; next: number } {
  const quote = source[start] as string;
  let text = "";
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === quote) return { text, next: i + 1 };
    if (ch === "\\") {
      const escaped = source[i + 1];
      if (escaped === undefined) break;
      if (escaped === "u") {
        const hex = source.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex))
          throw new FqlError(i, ["\\uXXXX"], JSON.stringify(source.slice(i, i + 6)));
        text += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const decoded = ESCAPES[escaped];
      if (decoded === undefined)
        throw new FqlError(i, [], JSON.stringify(`\\${escaped}`), "unknown escape in string");
      text += decoded;
      i += 2;
      continue;
    }
    text += ch;
    i += 1;
  }
  throw new FqlError(
    source.length,
    [`closing ${quote}`],
    "end of input",
    `string opened at ${start}`,
  );
}
