// JSON nesting limit, checked on the raw text before JSON.parse so a body such as 100 000 `[`
// cannot exhaust the parser's or any recursive walker's stack (validators, mapping, FQL paths).
import { ApiError } from "../errors.ts";

/**
 * Deepest nesting of arrays and objects any endpoint accepts. Segment events rarely nest past
 * 5–10 levels; 64 leaves room for any real payload and a batch's own two levels.
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest array/object nesting in `text`, ignoring brackets inside strings; one linear scan. */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return deepest;
}

/** Throws 400 `json_too_deep` when `text` nests deeper than MAX_JSON_DEPTH. */
export function assertJsonDepth(text: string): void {
  const depth = jsonNestingDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw new ApiError(
      400,
      "json_too_deep",
      `JSON nests ${depth} levels; at most ${MAX_JSON_DEPTH}`,
      {
        details: { maxDepth: MAX_JSON_DEPTH },
      },
    );
  }
}
