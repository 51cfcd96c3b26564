import { describe, expect, it } from "vitest";
import {
  benchRow,
  ECHO_TARGET,
  FOYER_INGEST_TARGET,
  fixed,
  formatTable,
  renderTable,
  throughputRatio,
} from "./bench-report.ts";
import type { LoadResult } from "./load-generator.ts";

function load(events: number, elapsedMs: number): LoadResult {
  return {
    requests: events / 100,
    events,
    failures: 0,
    failureStatuses: {},
    eventsAcked: events,
    latenciesMs: [10, 20, 30, 40],
    elapsedMs,
  };
}

describe("bench report", () => {
  it("computes rates, quantiles and CPU per acknowledged event", () => {
    const row = benchRow("batch-100", FOYER_INGEST_TARGET, load(20_000, 2_000), 500);
    expect(row.eventsPerSecond).toBe(10_000);
    expect(row.requestsPerSecond).toBe(100);
    expect(row.p50Ms).toBe(20);
    expect(row.p99Ms).toBe(40);
    expect(row.cpuMsPerEvent).toBe(0.025);
  });

  it("pairs foyer-ingest with echo for the ratio, NaN when one is missing", () => {
    const rows = [
      benchRow("batch-100", ECHO_TARGET, load(40_000, 1_000), 1),
      benchRow("batch-100", FOYER_INGEST_TARGET, load(10_000, 1_000), 1),
    ];
    expect(throughputRatio(rows, "batch-100")).toBe(0.25);
    expect(throughputRatio(rows, "track")).toBeNaN();
    const table = formatTable(rows);
    expect(table).toContain("| 0.25 ");
    expect(table.split("\n")).toHaveLength(4);
  });

  it("renders n/a for non-finite numbers and pads columns", () => {
    expect(fixed(Number.NaN, 1)).toBe("n/a");
    expect(fixed(Number.POSITIVE_INFINITY, 1)).toBe("n/a");
    expect(fixed(1.25, 1)).toBe("1.3");
    expect(renderTable(["a", "bb"], [["long", "x"]])).toBe(
      "| a    | bb |\n|------|----|\n| long | x  |",
    );
  });
});
