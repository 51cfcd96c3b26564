// Rewrites an R2 archive object (NDJSON, one event per line, see worker/pipeline/ingest-consumer.ts)
// without the events of deleted subjects. Pure and incremental: `createArchiveRewriter` takes the
// text in chunks of any size, so a large object can be piped through `archiveRewriteStream` while
// memory stays bounded by the longest line.
import type { JsonObject } from "../../../message/index.ts";

/** True when the event belongs to a deleted subject and must go. */
export type EventPredicate = (event: JsonObject) => boolean;

export interface RewriteCounts {
  kept: number;
  removed: number;
  /** Lines that are not a JSON object; kept or dropped per `onMalformed`, counted either way. */
  malformed: number;
}

export interface RewriteOptions {
  /**
   * What to do with a line that does not parse: `keep` (default: never destroy what cannot be
   * judged; the runner flags a non-zero count) or `drop`.
   */
  onMalformed?: "keep" | "drop";
}

export interface ArchiveRewriter {
  /** Feeds the next chunk; returns the output for every line completed by it. */
  push(chunk: string): string;
  /** Ends the input; returns the output for a last line without a newline. */
  finish(): string;
  counts(): RewriteCounts;
}

function parseLine(line: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/** An incremental rewriter: lines for which `belongsToDeleted` is true are left out. */
export function createArchiveRewriter(
  belongsToDeleted: EventPredicate,
  options: RewriteOptions = {},
): ArchiveRewriter {
  const counts: RewriteCounts = { kept: 0, removed: 0, malformed: 0 };
  let pending = "";

  function line(text: string, ending: string): string {
    if (text.trim() === "") return text + ending;
    const event = parseLine(text);
    if (event === undefined) {
      counts.malformed++;
      return options.onMalformed === "drop" ? "" : text + ending;
    }
    if (belongsToDeleted(event)) {
      counts.removed++;
      return "";
    }
    counts.kept++;
    return text + ending;
  }

  return {
    push(chunk) {
      pending += chunk;
      let out = "";
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        out += line(pending.slice(0, newline), "\n");
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
      return out;
    },
    finish() {
      const rest = pending;
      pending = "";
      return rest === "" ? "" : line(rest, "");
    },
    counts: () => ({ ...counts }),
  };
}

export interface RewriteResult extends RewriteCounts {
  text: string;
  /** False when nothing was removed: the object need not be written again. */
  changed: boolean;
}

/** Rewrites a whole archive object's text at once. */
export function rewriteArchive(
  text: string,
  belongsToDeleted: EventPredicate,
  options: RewriteOptions = {},
): RewriteResult {
  const rewriter = createArchiveRewriter(belongsToDeleted, options);
  const out = rewriter.push(text) + rewriter.finish();
  const counts = rewriter.counts();
  return { text: out, ...counts, changed: out !== text };
}

/** The rewriter as a TransformStream of text, for piping an R2 object body through. */
export function archiveRewriteStream(
  belongsToDeleted: EventPredicate,
  options: RewriteOptions = {},
): { stream: TransformStream<string, string>; counts: () => RewriteCounts } {
  const rewriter = createArchiveRewriter(belongsToDeleted, options);
  const stream = new TransformStream<string, string>({
    transform(chunk, controller) {
      const out = rewriter.push(chunk);
      if (out !== "") controller.enqueue(out);
    },
    flush(controller) {
      const out = rewriter.finish();
      if (out !== "") controller.enqueue(out);
    },
  });
  return { stream, counts: () => rewriter.counts() };
}
