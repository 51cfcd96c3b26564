// `npm run bench`: four sections, each with its own table, all over loopback under wrangler's
// local runtime, written together to bench-results/bench-<time>.json.
//   1. ingestion tier: echo vs Foyer without its Queue consumer (bench-ingest.ts)
//   2. the consumer's drain rate, Foyer with its full configuration (bench-drain.ts)
//   3. identity throughput for three workloads (bench-identity.ts)
//   4. time from the edge's 200 to the Profile API (bench-time-to-profile.ts)
//   6. activation: edge 200 → destination, audience change → destination, isolation
//      (bench-activation.ts)
//   7. the whole data path: /v1/batch → profile → two destinations, per-event CPU, Durable Object
//      requests and Queue messages, against the echo in the same run (bench-pipeline.ts)
import { activationReport, benchActivation } from "./bench-activation.ts";
import { printAgentBench, runAgentBench } from "./bench-agent.ts";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ECHO_TARGET, FOYER_INGEST_TARGET } from "../test/bench/bench-report.ts";
import { benchDrain, drainReport } from "./bench-drain.ts";
import { benchIdentity, identityReport } from "./bench-identity.ts";
import { benchIngest, ingestReport, type IngestTarget } from "./bench-ingest.ts";
import { benchPipeline, pipelineReport } from "./bench-pipeline.ts";
import { provisionSource, startEcho, startFoyer } from "./bench-targets.ts";
import { benchTimeToProfile, timeToProfileReport } from "./bench-time-to-profile.ts";
import { REPO_ROOT, type LocalEdge } from "./local-edge.ts";

const cores = os.cpus().length;
const startedAt = performance.now();
const stateRoot = await mkdtemp(path.join(os.tmpdir(), "foyer-bench-"));
const results: Record<string, unknown> = {};
const reports: string[] = [];
const errors: string[] = [];

/** `FOYER_BENCH_SECTIONS=ingest,timeToProfile` runs only those sections (default: all). */
const onlySections = process.env.FOYER_BENCH_SECTIONS?.split(",").map((s) => s.trim());

/** Runs one section; a failure is reported and the other sections still run. */
async function section<T>(
  key: string,
  title: string,
  run: () => Promise<T>,
  report: (value: T) => string,
): Promise<void> {
  if (onlySections && !onlySections.includes(key)) return;
  console.log(`\n${title}`);
  try {
    const value = await run();
    results[key] = value;
    reports.push(`${title}\n\n${report(value)}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    errors.push(`${key}: ${reason}`);
    results[key] = { error: reason };
    reports.push(`${title}\n\n  FAILED: ${reason}`);
    console.error(`  failed: ${reason}`);
  }
}

async function stopAll(edges: readonly LocalEdge[]): Promise<void> {
  await Promise.all(edges.map((edge) => edge.stop()));
}

try {
  // Section 1 needs the echo and the ingest-only Foyer; they are stopped before the full Foyer
  // starts, so each measured workerd has the machine's cores to itself.
  const ingestEdges: LocalEdge[] = [];
  await section(
    "ingest",
    "1. Ingestion tier (Foyer without its Queue consumer vs echo)",
    async () => {
      ingestEdges.push(await startEcho(path.join(stateRoot, "echo")));
      const foyer = await startFoyer(path.join(stateRoot, "ingest"), { queueConsumer: false });
      ingestEdges.push(foyer);
      const source = await provisionSource(foyer, "Benchmark ingest");
      const [echo] = ingestEdges;
      if (!echo) throw new Error("echo did not start");
      const targets: IngestTarget[] = [
        { name: ECHO_TARGET, edge: echo, headers: {} },
        { name: FOYER_INGEST_TARGET, edge: foyer, headers: source.headers },
      ];
      return benchIngest(targets);
    },
    (value) => ingestReport(value, cores),
  );
  await stopAll(ingestEdges);

  const full: LocalEdge[] = [];
  try {
    const start = async () => {
      const edge =
        full[0] ?? (await startFoyer(path.join(stateRoot, "full"), { queueConsumer: true }));
      if (full.length === 0) full.push(edge);
      return edge;
    };
    await section(
      "drain",
      "2. Queue consumer drain rate (storage throughput, full configuration)",
      async () => benchDrain(await start()),
      drainReport,
    );
    await section(
      "identity",
      "3. Identity throughput (full configuration)",
      async () => benchIdentity(await start()),
      identityReport,
    );
    await section(
      "timeToProfile",
      "4. Time to profile at a steady load (full configuration)",
      async () => benchTimeToProfile(await start()),
      timeToProfileReport,
    );
    await section(
      "activation",
      "6. Activation: edge 200 → destination, audience change → destination, isolation",
      async () => benchActivation(await start()),
      activationReport,
    );
  } finally {
    await stopAll(full);
  }
  // Its own echo and Foyer (meter on), each alone on the machine while it is measured.
  await section(
    "pipeline",
    "7. Pipeline: /v1/batch → profile → destinations, cost per event",
    () => benchPipeline(stateRoot),
    pipelineReport,
  );
  await section(
    "agent",
    "5. Venue agent: RADIUS accounting answered durably vs FreeRADIUS, outbox drain",
    () => runAgentBench(),
    (value) => {
      const lines: string[] = [];
      printAgentBench(value, (line) => lines.push(line));
      return lines.join("\n").trim();
    },
  );
} finally {
  await rm(stateRoot, { recursive: true, force: true });
}

const totalMs = performance.now() - startedAt;
console.log(`\n${reports.join("\n\n")}\n`);
console.log(
  `  ${cores} cores, ${os.loadavg()[0]?.toFixed(2)} load average at the end, ` +
    `${(totalMs / 1_000).toFixed(0)} s in all.`,
);

const at = new Date().toISOString();
// FOYER_BENCH_OUT names the JSON file (the smoke test writes to a temporary one).
const outFile =
  process.env.FOYER_BENCH_OUT ??
  path.join(REPO_ROOT, "bench-results", `bench-${at.slice(0, 19).replaceAll(":", "-")}.json`);
await mkdir(path.dirname(outFile), { recursive: true });
const document = {
  benchmark: "foyer",
  at,
  machine: { cores, cpu: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg() },
  totalMs,
  ...results,
  errors,
};
await writeFile(
  outFile,
  `${JSON.stringify(
    document,
    (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value),
    2,
  )}\n`,
);
console.log(`wrote ${path.relative(REPO_ROOT, outFile)}`);
if (errors.length > 0) process.exitCode = 1;
