// `npm run bench` must not rot: every section runs here at tiny sizes and must finish without an
// error (the figures are not asserted: timings on 2 shared cores are not a test). The real run,
// with its default sizes, is `npm run bench`.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/local-edge.ts";

/** Every section bench-run.ts writes, by its JSON key. */
const SECTIONS = [
  "ingest",
  "drain",
  "identity",
  "timeToProfile",
  "activation",
  "pipeline",
  "agent",
];

const TINY: Record<string, string> = {
  FOYER_BENCH_WARMUP_MS: "200",
  FOYER_BENCH_DURATION_MS: "500",
  FOYER_BENCH_DRAIN_EVENTS: "50",
  FOYER_BENCH_IDENTITY_EVENTS: "40",
  FOYER_BENCH_TTP_DURATION_MS: "1500",
  FOYER_BENCH_TTP_PROBES: "3",
  FOYER_BENCH_ACTIVATION_PROBES: "3",
  FOYER_BENCH_ACTIVATION_AUDIENCE_PROBES: "2",
  FOYER_BENCH_ACTIVATION_EVENTS: "20",
  FOYER_BENCH_ACTIVATION_DRAIN_MS: "1000",
  FOYER_BENCH_ACTIVATION_HANG_MS: "1000",
  FOYER_BENCH_PIPELINE_EVENTS: "40",
  FOYER_BENCH_AGENT_REQUESTS: "200",
  FOYER_BENCH_AGENT_PARALLEL: "4",
};

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("npm run bench (smoke, tiny sizes)", () => {
  it("runs every section whole and writes its JSON", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "foyer-bench-smoke-"));
    const out = path.join(dir, "bench.json");
    const child = spawn(process.execPath, ["scripts/bench.mjs"], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...TINY, FOYER_BENCH_OUT: out },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, output.slice(-4_000)).toBe(0);
    const document = JSON.parse(await readFile(out, "utf8")) as Record<string, unknown>;
    expect(document.errors).toEqual([]);
    for (const key of SECTIONS) {
      expect(document[key], key).toBeTypeOf("object");
      expect(document[key], key).not.toHaveProperty("error");
    }
  }, 420_000);
});
