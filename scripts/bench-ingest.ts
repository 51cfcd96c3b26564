// `npm run bench`: ingestion throughput, acknowledgement latency and CPU per event of Foyer's edge
// beside a bare Hono echo worker, both under wrangler's local runtime in the same run, over
// loopback only. Prints a table and writes bench-results/ingest-<date>.json.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  benchRow,
  formatTable,
  throughputRatio,
  type BenchRow,
} from "../test/bench/bench-report.ts";
import { INGEST_SCENARIOS } from "../test/bench/ingest-scenarios.ts";
import { runLoad } from "../test/bench/load-generator.ts";
import { measureWorkerCpu } from "../test/bench/worker-cpu.ts";
import { AdminApiClient } from "./admin-api-client.ts";
import { REPO_ROOT, startLocalEdge, type LocalEdge } from "./local-edge.ts";

const WARMUP_MS = Number(process.env.FOYER_BENCH_WARMUP_MS ?? "2000");
const DURATION_MS = Number(process.env.FOYER_BENCH_DURATION_MS ?? "10000");
const DRAIN_MAX_MS = 20_000;

interface Target {
  name: "foyer" | "echo";
  edge: LocalEdge;
  headers: Record<string, string>;
}

async function startEcho(stateRoot: string): Promise<Target> {
  const edge = await startLocalEdge({
    configPath: path.join(REPO_ROOT, "test", "bench", "echo", "wrangler.toml"),
    persistDir: path.join(stateRoot, "echo"),
    migrateD1: [],
  });
  return { name: "echo", edge, headers: {} };
}

async function startFoyer(stateRoot: string): Promise<Target> {
  const edge = await startLocalEdge({ persistDir: path.join(stateRoot, "foyer") });
  try {
    const admin = new AdminApiClient(edge.url, edge.adminToken);
    const space = await admin.createSpace("Benchmark");
    const { writeKey } = await admin.createSource(space.id, {
      name: "Benchmark source",
      // High enough that the per-source limiter never answers 429 during the run.
      rateLimit: { eventsPerSecond: 1_000_000, burst: 1_000_000 },
    });
    const basic = Buffer.from(`${writeKey}:`).toString("base64");
    return { name: "foyer", edge, headers: { authorization: `Basic ${basic}` } };
  } catch (error) {
    await edge.stop();
    throw error;
  }
}

const stateRoot = await mkdtemp(path.join(os.tmpdir(), "foyer-bench-"));
const targets: Target[] = [];
const notes: string[] = [];
const rows: BenchRow[] = [];
try {
  targets.push(await startEcho(stateRoot));
  try {
    targets.push(await startFoyer(stateRoot));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    notes.push(`Foyer's edge could not be benchmarked: ${reason}`);
    console.error(notes.at(-1));
  }
  const runId = Date.now().toString(36);
  for (const scenario of INGEST_SCENARIOS) {
    for (const target of targets) {
      process.stdout.write(`${scenario.name} → ${target.name} … `);
      const { result, cpuMs } = await measureWorkerCpu(target.edge.workerdPid, DRAIN_MAX_MS, () =>
        runLoad({
          // The worker's own socket: wrangler's dev proxy (a second workerd) would add a hop
          // that production does not have.
          baseUrl: target.edge.directUrl,
          headers: target.headers,
          concurrency: scenario.concurrency,
          warmupMs: WARMUP_MS,
          durationMs: DURATION_MS,
          nextRequest: (n) => scenario.nextRequest(`${runId}-${scenario.name}-${target.name}`, n),
        }),
      );
      const row = benchRow(scenario.name, target.name, result, cpuMs);
      rows.push(row);
      console.log(`${row.eventsPerSecond.toFixed(0)} events/s, ${row.failures} errors`);
    }
  }
} finally {
  await Promise.all(targets.map((target) => target.edge.stop()));
  await rm(stateRoot, { recursive: true, force: true });
}

console.log(`\n${formatTable(rows)}\n`);
for (const scenario of INGEST_SCENARIOS) console.log(`  ${scenario.name}: ${scenario.description}`);
console.log(
  `  ${WARMUP_MS} ms warm-up + ${DURATION_MS} ms measured per row, concurrency ` +
    `${INGEST_SCENARIOS.map((s) => s.concurrency).join("/")}, ${os.cpus().length} cores shared ` +
    "by load generator and workerd. CPU ms/event: workerd utime+stime (/proc/<pid>/stat) from " +
    "before the row until idle after it (queue consumer included), over acknowledged events.",
);
for (const note of notes) console.log(`  NOTE: ${note}`);

const date = new Date().toISOString().slice(0, 10);
const outFile = path.join(REPO_ROOT, "bench-results", `ingest-${date}.json`);
await mkdir(path.dirname(outFile), { recursive: true });
const ratios = Object.fromEntries(
  INGEST_SCENARIOS.map((s) => [s.name, throughputRatio(rows, s.name)]),
);
await writeFile(
  outFile,
  `${JSON.stringify(
    {
      benchmark: "ingest",
      at: new Date().toISOString(),
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      warmupMs: WARMUP_MS,
      durationMs: DURATION_MS,
      rows,
      ratios,
      notes,
    },
    (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value),
    2,
  )}\n`,
);
console.log(`\nwrote ${path.relative(REPO_ROOT, outFile)}`);
