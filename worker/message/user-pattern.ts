// Patterns a space configures run on values an attacker controls (a write key is public), so they
// never run on a backtracking engine: RE2's linear-time matcher (re2js, a port of
// https://github.com/google/re2) takes time proportional to the input whatever the pattern.
// Constructs RE2 has no linear algorithm for (backreferences, lookaround) are refused when the
// pattern is configured.
import { RE2JS } from "re2js";

/** A compiled user pattern: `test` is linear in the input's length. */
export interface UserPattern {
  readonly source: string;
  test(value: string): boolean;
}

/** Compiles `source` for RE2. @throws Error with RE2's reason when the pattern is not RE2 syntax. */
export function compileUserPattern(source: string): UserPattern {
  const compiled = RE2JS.compile(source);
  return { source, test: (value) => compiled.matcher(value).find() };
}
