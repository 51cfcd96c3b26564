// Turns measured runs into the benchmark's rows, its printed table and the JSON document written
// to bench-results/.
import { quantile, type LoadResult } from "./load-generator.ts";

export interface BenchRow {
  scenario: string;
  target: string;
  eventsPerSecond: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  failureStatuses: Record<string, number>;
  /** workerd CPU ms per acknowledged event; NaN when not measurable. */
  cpuMsPerEvent: number;
}

/** One row from a load result and the CPU the worker spent on it. */
export function benchRow(
  scenario: string,
  target: string,
  load: LoadResult,
  cpuMs: number,
): BenchRow {
  const seconds = load.elapsedMs / 1_000;
  return {
    scenario,
    target,
    eventsPerSecond: load.events / seconds,
    requestsPerSecond: load.requests / seconds,
    p50Ms: quantile(load.latenciesMs, 0.5),
    p99Ms: quantile(load.latenciesMs, 0.99),
    failures: load.failures,
    failureStatuses: load.failureStatuses,
    cpuMsPerEvent: load.eventsAcked > 0 ? cpuMs / load.eventsAcked : Number.NaN,
  };
}

/** Targets of the ingestion table: the echo baseline and Foyer's ingestion tier alone. */
export const ECHO_TARGET = "echo";
export const FOYER_INGEST_TARGET = "foyer-ingest";

/** Foyer's events/s over the echo's for one scenario; NaN when either is missing. */
export function throughputRatio(rows: readonly BenchRow[], scenario: string): number {
  const foyer = rows.find((row) => row.scenario === scenario && row.target === FOYER_INGEST_TARGET);
  const echo = rows.find((row) => row.scenario === scenario && row.target === ECHO_TARGET);
  return foyer && echo ? foyer.eventsPerSecond / echo.eventsPerSecond : Number.NaN;
}

/** A number with `digits` decimals, or "n/a" when it is not finite. */
export const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : "n/a";

/** A plain-text (markdown) table of `header` and `lines`, columns padded to their widest cell. */
export function renderTable(header: readonly string[], lines: readonly string[][]): string {
  const table = [header, ...lines];
  const widths = header.map((_, col) => Math.max(...table.map((line) => (line[col] ?? "").length)));
  const render = (line: readonly string[]): string =>
    `| ${header.map((_, col) => (line[col] ?? "").padEnd(widths[col] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
  return [render(header), rule, ...lines.map(render)].join("\n");
}

/** The ingestion table `npm run bench` prints (also pasted in the README). */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = [
    "scenario",
    "target",
    "events/s",
    "req/s",
    "p50 ms",
    "p99 ms",
    "CPU ms/event",
    "CPU ms/100 ev",
    "ratio",
    "errors",
  ];
  const lines = rows.map((row) => [
    row.scenario,
    row.target,
    fixed(row.eventsPerSecond, 0),
    fixed(row.requestsPerSecond, 0),
    fixed(row.p50Ms, 2),
    fixed(row.p99Ms, 2),
    fixed(row.cpuMsPerEvent, 3),
    fixed(row.cpuMsPerEvent * 100, 1),
    row.target === FOYER_INGEST_TARGET ? fixed(throughputRatio(rows, row.scenario), 2) : "",
    String(row.failures),
  ]);
  return renderTable(header, lines);
}
