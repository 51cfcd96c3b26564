// Glob matching for FQL's `match(field, "pattern")`, written as a matcher over parsed tokens rather
// than a generated RegExp so a user's pattern can never blow up into catastrophic backtracking.
// Syntax (https://segment.com/docs/api/public-api/fql/#functions): `*` any run, `?` one character,
// `[abc]` / `[a-z]` / `[!a-z]` a class, `\x` a literal x.

type GlobToken =
  | { kind: "star" }
  | { kind: "any" }
  | { kind: "char"; char: string }
  | { kind: "class"; negated: boolean; ranges: Array<[string, string]> };

/** Parses a glob, or returns an error message naming the offset of the problem. */
export function parseGlob(pattern: string): GlobToken[] | { error: string; offset: number } {
  const tokens: GlobToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "*") tokens.push({ kind: "star" });
    else if (ch === "?") tokens.push({ kind: "any" });
    else if (ch === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return { error: "dangling escape", offset: i };
      tokens.push({ kind: "char", char: next });
      i += 1;
    } else if (ch === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) return { error: "unclosed character class", offset: i };
      let body = pattern.slice(i + 1, close);
      const negated = body.startsWith("!");
      if (negated) body = body.slice(1);
      if (body.length === 0) return { error: "empty character class", offset: i };
      const ranges: Array<[string, string]> = [];
      for (let j = 0; j < body.length; j += 1) {
        const from = body[j] as string;
        const to = body[j + 2];
        if (body[j + 1] === "-" && to !== undefined) {
          if (to < from) return { error: `reversed range ${from}-${to}`, offset: i };
          ranges.push([from, to]);
          j += 2;
        } else ranges.push([from, from]);
      }
      tokens.push({ kind: "class", negated, ranges });
      i = close;
    } else tokens.push({ kind: "char", char: ch });
    i += 1;
  }
  return tokens;
}

function matchesOne(token: GlobToken, ch: string): boolean {
  if (token.kind === "any") return true;
  if (token.kind === "char") return token.char === ch;
  if (token.kind === "class") {
    const inside = token.ranges.some(([from, to]) => ch >= from && ch <= to);
    return inside !== token.negated;
  }
  return false;
}

/**
 * Steps one match may take. `match(a, b)` may take both sides from the event (up to its 32 KB), and
 * O(text × pattern) of two such strings is ~10^9 steps: past this budget the answer is `false`,
 * as for any other value FQL cannot match (fql.md's null-safe defaults).
 */
export const GLOB_STEP_BUDGET = 1_000_000;

/**
 * Whether `text` matches the whole glob. Linear-backtracking star algorithm: O(text × pattern)
 * worst case, no recursion, and never more than `budget` steps (then `false`).
 */
export function globMatches(
  tokens: readonly GlobToken[],
  text: string,
  budget = GLOB_STEP_BUDGET,
): boolean {
  const chars = Array.from(text);
  let t = 0;
  let p = 0;
  let starAt = -1;
  let resumeAt = 0;
  let steps = 0;
  while (t < chars.length) {
    if (++steps > budget) return false;
    const token = tokens[p];
    if (token !== undefined && token.kind !== "star" && matchesOne(token, chars[t] as string)) {
      t += 1;
      p += 1;
    } else if (token?.kind === "star") {
      starAt = p;
      resumeAt = t;
      p += 1;
    } else if (starAt >= 0) {
      p = starAt + 1;
      resumeAt += 1;
      t = resumeAt;
    } else return false;
  }
  while (tokens[p]?.kind === "star") p += 1;
  return p === tokens.length;
}
