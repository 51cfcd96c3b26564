// Tokenizer for Segment's FQL subscription/filter language
// (https://segment.com/docs/api/public-api/fql/). Every token keeps its offset so parse errors can
// point at the exact character.

export type FqlTokenKind = "ident" | "string" | "number" | "op" | "punct" | "end";

export interface FqlToken {
  kind: FqlTokenKind;
  /** Decoded text: the identifier, the unescaped string, the operator or punctuation. */
  text: string;
  /** Zero-based offset of the token's first character in the source. */
  position: number;
}

/** A precise FQL parse error: where, what was expected, what was found. */
export class FqlError extends Error {
  readonly position: number;
  readonly expected: readonly string[];
  readonly found: string;

  constructor(position: number, expected: readonly string[], found: string, detail?: string) {
    const want = expected.length > 0 ? `expected ${expected.join(" or ")}` : "invalid input";
    const note = detail === undefined ? "" : ` (${detail})`;
    super(`FQL error at position ${position}: ${want}, found ${found}${note}`);
    this.name = "FqlError";
    this.position = position;
    this.expected = expected;
    this.found = found;
  }
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$\-.]/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;
const TWO_CHAR_OPS = ["!=", "<=", ">="];
const ONE_CHAR_OPS = ["=", "<", ">", "!"];

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
    if (ch === '"') {
      const { text, next } = readString(source, i);
      tokens.push({ kind: "string", text, position: i });
      i = next;
      continue;
    }
    const number = NUMBER.exec(source.slice(i));
    if (number && (ch === "-" || /\d/.test(ch))) {
      tokens.push({ kind: "number", text: number[0], position: i });
      i += number[0].length;
      continue;
    }
    if (IDENT_START.test(ch)) {
      let end = i + 1;
      while (end < source.length && IDENT_PART.test(source[end] as string)) end += 1;
      tokens.push({ kind: "ident", text: source.slice(i, end), position: i });
      i = end;
      continue;
    }
    const two = source.slice(i, i + 2);
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
    if (ch === "(" || ch === ")" || ch === ",") {
      tokens.push({ kind: "punct", text: ch, position: i });
      i += 1;
      continue;
    }
    const hint = ch === "'" ? "strings use double quotes" : undefined;
    throw new FqlError(i, [], JSON.stringify(ch), hint ?? "unexpected character");
  }
  tokens.push({ kind: "end", text: "", position: source.length });
  return tokens;
}

function readString(source: string, start: number): { text: string; next: number } {
  let text = "";
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '"') return { text, next: i + 1 };
    if (ch === "\\") {
      const escaped = source[i + 1];
      if (escaped === undefined) break;
      text += escaped;
      i += 2;
      continue;
    }
    text += ch;
    i += 1;
  }
  throw new FqlError(source.length, ['closing "'], "end of input", `string opened at ${start}`);
}
