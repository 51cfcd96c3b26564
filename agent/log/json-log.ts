// Structured JSON logs, one object per line on stdout. Callers never pass raw MACs, emails or
// secrets; as a second line of defence every line is scrubbed: secret-named fields are replaced,
// and MAC- or email-shaped text anywhere in a value is masked.
import type { AgentLog } from "../controllers/deps.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_KEY = /secret|password|passwd|token|writekey|authorization|^key$|venuekey/i;
// Colon, dash or dot separated MACs, and bare 12-hex runs that are not part of a longer hex string
// (hashes are 64 hex digits and stay readable).
const MAC_TEXT =
  /\b[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}\b|\b[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}\b|(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])/gi;
const EMAIL_TEXT = /[^\s@"'<>]+@[^\s@"'<>]+\.[a-z]{2,}/gi;

/** Masks MAC- and email-shaped text. */
export function scrubText(text: string): string {
  return text.replace(MAC_TEXT, "[mac]").replace(EMAIL_TEXT, "[email]");
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (depth > 5 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) ? "[redacted]" : scrub(v, depth + 1),
    ]),
  );
}

export interface JsonLog extends AgentLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
}

/** A JSON-lines logger writing to `write` (stdout by default). */
export function createJsonLog(
  level: LogLevel = "info",
  write: (line: string) => void = (line) => process.stdout.write(line),
  now: () => Date = () => new Date(),
): JsonLog {
  const emit = (at: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    const record = {
      time: now().toISOString(),
      level: at,
      msg: scrubText(msg),
      ...(scrub(fields ?? {}) as object),
    };
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}
