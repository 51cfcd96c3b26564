// Config errors name the path, what was expected and what was found, and never echo a value
// (it may be a secret): only its type.

export interface ConfigIssue {
  /** Dotted path, e.g. `radius.clients.0.secret`; `$` for the whole file. */
  path: string;
  expected: string;
  got: string;
}

/** The config file is unusable; `issues` lists every problem found. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly file: string;
  readonly issues: ConfigIssue[];
  constructor(file: string, issues: ConfigIssue[]) {
    super(
      `${file}: invalid config\n${issues.map((i) => `  ${i.path}: expected ${i.expected}, got ${i.got}`).join("\n")}`,
    );
    this.file = file;
    this.issues = issues;
  }
}

/** A value's kind for an error message: never the value itself. */
export function describeKind(value: unknown): string {
  if (value === undefined) return "nothing (missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return value.length === 0 ? "an empty string" : `a string of ${value.length} characters`;
  // Numbers and booleans are ports, sizes and flags, never secrets: show them.
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `a ${typeof value}`;
}
