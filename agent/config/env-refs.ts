// Secrets may be written as `{ env: "VAR" }` anywhere in the config (ours and the controllers'
// sections alike); they are replaced by the variable's value once, at start, so no other code
// reads process.env (STYLE.md rule 5).
import type { ConfigIssue } from "./errors.ts";

/** Replaces every `{ env: "NAME" }` object with `env[NAME]`; unset variables become issues. */
export function resolveEnvRefs(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  issues: ConfigIssue[],
  path: (string | number)[] = [],
): unknown {
  if (Array.isArray(value))
    return value.map((v, i) => resolveEnvRefs(v, env, issues, [...path, i]));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === "env" && typeof entries[0]![1] === "string") {
    const name = entries[0]![1];
    const resolved = env[name];
    if (resolved === undefined || resolved === "") {
      issues.push({
        path: path.join(".") || "$",
        expected: `environment variable ${name} to be set`,
        got: "unset",
      });
      return value;
    }
    return resolved;
  }
  return Object.fromEntries(
    entries.map(([k, v]) => [k, resolveEnvRefs(v, env, issues, [...path, k])]),
  );
}
