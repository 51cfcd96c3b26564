import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { benchWranglerConfig } from "./bench-config.ts";

const REPO_TOML = readFileSync(path.join(import.meta.dirname, "..", "..", "wrangler.toml"), "utf8");

const SAMPLE = `name = "foyer"
main = "worker/index.ts" # entry

[[d1_databases]]
binding = "DB"
migrations_dir = "drizzle"

[[queues.producers]]
binding = "EVENTS"
queue = "foyer-events"

[[queues.consumers]]
queue = "foyer-events"
max_batch_size = 100

[[queues.consumers]]
queue = "other"

[triggers]
crons = ["17 * * * *"]
`;

describe("benchWranglerConfig", () => {
  it("drops every consumer block and nothing else, and rewrites relative paths", () => {
    const out = benchWranglerConfig(SAMPLE, { repoRootFromConfig: "../..", queueConsumer: false });
    expect(out).not.toContain("queues.consumers");
    expect(out).not.toContain("max_batch_size");
    expect(out).not.toContain('queue = "other"');
    expect(out).toContain('main = "../../worker/index.ts" # entry');
    expect(out).toContain('migrations_dir = "../../drizzle"');
    expect(out).toContain('[[queues.producers]]\nbinding = "EVENTS"\nqueue = "foyer-events"');
    expect(out).toContain('[triggers]\ncrons = ["17 * * * *"]');
  });

  it("keeps the consumer in the full configuration", () => {
    const out = benchWranglerConfig(SAMPLE, { repoRootFromConfig: "../..", queueConsumer: true });
    expect(out.match(/\[\[queues\.consumers\]\]/g)).toHaveLength(2);
    expect(out).toContain('main = "../../worker/index.ts"');
  });

  it("leaves absolute paths alone", () => {
    const out = benchWranglerConfig(SAMPLE.replace('"drizzle"', '"/srv/drizzle"'), {
      repoRootFromConfig: "../..",
      queueConsumer: true,
    });
    expect(out).toContain('migrations_dir = "/srv/drizzle"');
  });

  it("fails loudly when the shape it relies on is missing", () => {
    const noConsumer = SAMPLE.replace(/\[\[queues\.consumers\]\][^[]*/g, "");
    expect(() =>
      benchWranglerConfig(noConsumer, { repoRootFromConfig: "..", queueConsumer: false }),
    ).toThrow(/no \[\[queues.consumers\]\]/);
    const noProducer = SAMPLE.replace("[[queues.producers]]", "[[r2_buckets]]");
    expect(() =>
      benchWranglerConfig(noProducer, { repoRootFromConfig: "..", queueConsumer: true }),
    ).toThrow(/no \[\[queues.producers\]\]/);
    const noMain = SAMPLE.replace(/^main = .*$/m, "");
    expect(() =>
      benchWranglerConfig(noMain, { repoRootFromConfig: "..", queueConsumer: true }),
    ).toThrow(/no top-level main/);
  });

  it("turns the repository's wrangler.toml into an ingest-only copy with the same bindings", () => {
    const out = benchWranglerConfig(REPO_TOML, {
      repoRootFromConfig: "../..",
      queueConsumer: false,
    });
    expect(out).not.toContain("[[queues.consumers]]");
    for (const kept of [
      "[[queues.producers]]",
      "[[d1_databases]]",
      "[[r2_buckets]]",
      "[[migrations]]",
    ]) {
      expect(out).toContain(kept);
    }
    expect(out).toMatch(/^main = "\.\.\/\.\.\/worker\/index\.ts"$/m);
  });
});
