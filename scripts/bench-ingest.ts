// Section 1 of `npm run bench`: the ingestion tier. Throughput, acknowledgement latency and CPU
// per event of Foyer's edge without its Queue consumer, beside the bare Hono echo worker, both
// under wrangler's local runtime in the same run, over loopback only.
import {
  benchRow,
  FOYER_INGEST_TARGET,
  formatTable,
  throughputRatio,
  type BenchRow,
} from "../test/bench/bench-report.ts";
import { INGEST_SCENARIOS } from "../test/bench/ingest-scenarios.ts";
import { runLoad } from "../test/bench/load-generator.ts";
import { measureWorkerCpu } from "../test/bench/worker-cpu.ts";
import type { LocalEdge } from "./local-edge.ts";

const WARMUP_MS = Number(process.env.FOYER_BENCH_WARMUP_MS ?? "1500");
const DURATION_MS = Number(process.env.FOYER_BENCH_DURATION_MS ?? "6000");
const IDLE_MAX_MS = 10_000;
/** The Workers free plan's CPU time per invocation (Cloudflare Workers limits). */
export const FREE_PLAN_CPU_MS = 10;

export interface IngestTarget {
  /** ECHO_TARGET or FOYER_INGEST_TARGET (bench-report.ts): the ratio column pairs them. */
  name: string;
  edge: LocalEdge;
  headers: Record<string, string>;
}

export interface IngestSection {
  warmupMs: number;
  durationMs: number;
  rows: BenchRow[];
  /** foyer-ingest events/s ÷ echo events/s per scenario (goal for batch-100: ≥ 0.5). */
  ratios: Record<string, number>;
  /** workerd CPU ms per 100-event batch on foyer-ingest, against the 10 ms free-plan budget. */
  cpuMsPerBatch100: number;
  freePlanCpuMs: number;
}

/** Runs every ingestion scenario against every target, one row at a time. */
export async function benchIngest(targets: readonly IngestTarget[]): Promise<IngestSection> {
  const runId = Date.now().toString(36);
  const rows: BenchRow[] = [];
  for (const scenario of INGEST_SCENARIOS) {
    for (const target of targets) {
      process.stdout.write(`  ${scenario.name} → ${target.name} … `);
      const { result, cpuMs } = await measureWorkerCpu(target.edge.workerdPid, IDLE_MAX_MS, () =>
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
  const batchRow = rows.find((r) => r.scenario === "batch-100" && r.target === FOYER_INGEST_TARGET);
  return {
    warmupMs: WARMUP_MS,
    durationMs: DURATION_MS,
    rows,
    ratios: Object.fromEntries(
      INGEST_SCENARIOS.map((s) => [s.name, throughputRatio(rows, s.name)]),
    ),
    cpuMsPerBatch100: (batchRow?.cpuMsPerEvent ?? Number.NaN) * 100,
    freePlanCpuMs: FREE_PLAN_CPU_MS,
  };
}

/** The section's table and the note lines under it. */
export function ingestReport(section: IngestSection, cores: number): string {
  const notes = [
    ...INGEST_SCENARIOS.map((s) => `${s.name}: ${s.description}, concurrency ${s.concurrency}.`),
    `Measured: ${section.warmupMs} ms warm-up + ${section.durationMs} ms per row, closed loop, ` +
      `${cores} cores shared by the load generator and workerd. foyer-ingest = Foyer started ` +
      "from wrangler.toml without [[queues.consumers]] (the consumer runs in separate " +
      "invocations on Cloudflare); a 200 still means the chunk was sent to the Queue.",
    "CPU: workerd utime+stime (/proc/<pid>/stat) from idle before the row to idle after it, over " +
      "acknowledged events; it includes the local Queue, Durable Object and SQLite simulations.",
    `Goals: batch-100 ratio ≥ 0.50 (now ${section.ratios["batch-100"]?.toFixed(2) ?? "n/a"}); ` +
      `CPU per 100-event batch ≤ ${section.freePlanCpuMs} ms ` +
      `(now ${section.cpuMsPerBatch100.toFixed(1)} ms).`,
  ];
  return `${formatTable(section.rows)}\n${notes.map((n) => `  note: ${n}`).join("\n")}`;
}
