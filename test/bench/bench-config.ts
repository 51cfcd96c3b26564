// wrangler configurations the benchmark derives from the repository's wrangler.toml. Locally the
// Queue consumer runs in the same workerd process as the ingestion endpoint; on Cloudflare it runs
// in separate invocations. To measure the ingestion tier alone, the benchmark starts Foyer from a
// copy without `[[queues.consumers]]`: a producer's send still succeeds, which is all a 200
// promises (Invariant 1). The copy lives in another folder, so its relative paths are rewritten.

export interface BenchConfigOptions {
  /** Path from the generated file's folder to the repository root, e.g. "../..". */
  repoRootFromConfig: string;
  /** false: drop every `[[queues.consumers]]` block (ingest-only target). */
  queueConsumer: boolean;
}

/** A TOML table header line: `[name]` or `[[name]]` (comments after it allowed). */
const HEADER = /^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$/;
/** Keys whose values are paths relative to the config file's folder (wrangler's rule). */
const PATH_KEYS = new Set(["main", "migrations_dir"]);
const STRING_ASSIGNMENT = /^(\s*)([A-Za-z0-9_-]+)(\s*=\s*)"([^"]*)"(.*)$/;

interface Section {
  /** Table name, "" for the top level before any header. */
  name: string;
  lines: string[];
}

function sections(text: string): Section[] {
  const result: Section[] = [{ name: "", lines: [] }];
  for (const line of text.split("\n")) {
    const match = HEADER.exec(line);
    if (match) result.push({ name: match[1] ?? "", lines: [line] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

function rewritePath(line: string, root: string): string {
  const match = STRING_ASSIGNMENT.exec(line);
  if (!match || !PATH_KEYS.has(match[2] ?? "")) return line;
  const [, indent, key, equals, value, rest] = match;
  if ((value ?? "").startsWith("/")) return line;
  return `${indent}${key}${equals}"${root}/${value}"${rest}`;
}

/**
 * The benchmark's variant of `source` (the text of wrangler.toml). Throws when the source does
 * not have the shape the variant relies on (a `main`, a Queue producer, a consumer to drop), so a
 * changed wrangler.toml fails the benchmark loudly instead of measuring something else.
 */
export function benchWranglerConfig(source: string, options: BenchConfigOptions): string {
  const parts = sections(source);
  const kept = parts.filter((s) => options.queueConsumer || s.name !== "queues.consumers");
  if (!options.queueConsumer && kept.length === parts.length) {
    throw new Error("wrangler.toml has no [[queues.consumers]] block to remove");
  }
  if (!kept.some((s) => s.name === "queues.producers")) {
    throw new Error("wrangler.toml has no [[queues.producers]] block");
  }
  let sawMain = false;
  const out: string[] = [];
  for (const section of kept) {
    for (const line of section.lines) {
      const rewritten = rewritePath(line, options.repoRootFromConfig);
      if (section.name === "" && STRING_ASSIGNMENT.exec(line)?.[2] === "main") sawMain = true;
      out.push(rewritten);
    }
  }
  if (!sawMain) throw new Error("wrangler.toml has no top-level main");
  return out.join("\n");
}
