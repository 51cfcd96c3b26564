// Section 3 of `npm run bench`: identity throughput (issue 3). Three pre-generated workloads, each
// in its own space of Foyer with its full configuration, measured as events/s from the first
// request until every event is on a profile (the profiles export's event lists add up to it).
import { fixed, renderTable } from "../test/bench/bench-report.ts";
import {
  allDistinct,
  batchRequests,
  hotPerson,
  MERGE_HEAVY_EVENTS_PER_PERSON,
  mergeHeavy,
  type IdentityWorkload,
} from "../test/bench/identity-workloads.ts";
import { measureConsumption, type Consumption } from "./bench-consumer.ts";
import { provisionSource } from "./bench-targets.ts";
import type { LocalEdge } from "./local-edge.ts";

const EVENTS = Number(process.env.FOYER_BENCH_IDENTITY_EVENTS ?? "1000");
const DEADLINE_MS = 120_000;
/** Issue 3's goal: merge-heavy at ≥ 30% of the all-distinct throughput. */
export const MERGE_HEAVY_GOAL = 0.3;

export interface IdentityRow extends Consumption {
  workload: IdentityWorkload["name"];
  description: string;
  people: number;
  /** Events/s from the first request until every event was on a profile. */
  placedPerSecond: number;
}

export interface IdentitySection {
  rows: IdentityRow[];
  /** merge-heavy events/s ÷ all-distinct events/s (goal ≥ 0.3). */
  mergeHeavyRatio: number;
  goal: number;
}

/** Runs the three workloads one after the other, each in a fresh space. */
export async function benchIdentity(edge: LocalEdge): Promise<IdentitySection> {
  const runId = Date.now().toString(36);
  const at = Date.now();
  const workloads = [
    allDistinct(`${runId}-d`, EVENTS, at),
    hotPerson(`${runId}-h`, EVENTS, at),
    mergeHeavy(`${runId}-m`, Math.ceil(EVENTS / MERGE_HEAVY_EVENTS_PER_PERSON), at),
  ];
  const rows: IdentityRow[] = [];
  for (const workload of workloads) {
    process.stdout.write(`  identity ${workload.name} (${workload.events.length} events) … `);
    const source = await provisionSource(edge, `Benchmark ${workload.name}`);
    const requests = batchRequests(workload.events, 100, new Date());
    const result = await measureConsumption(edge, source, requests, {
      deadlineMs: DEADLINE_MS,
      checkPlacement: true,
    });
    const row: IdentityRow = {
      ...result,
      workload: workload.name,
      description: workload.description,
      people: workload.people,
      placedPerSecond: (result.events * 1_000) / result.placedMs,
    };
    rows.push(row);
    console.log(`${fixed(row.placedPerSecond, 0)} events/s placed (${row.placedBy})`);
  }
  const rate = (name: string) => rows.find((r) => r.workload === name)?.placedPerSecond;
  return {
    rows,
    mergeHeavyRatio: (rate("merge-heavy") ?? Number.NaN) / (rate("all-distinct") ?? Number.NaN),
    goal: MERGE_HEAVY_GOAL,
  };
}

/** The section's table and notes. */
export function identityReport(section: IdentitySection): string {
  const header = [
    "workload",
    "events",
    "people",
    "profiles",
    "stored ms",
    "placed ms",
    "placed events/s",
    "CPU ms/event",
    "ratio",
    "placed by",
  ];
  const lines = section.rows.map((row) => [
    row.workload,
    String(row.events),
    String(row.people),
    String(row.profiles),
    fixed(row.storedMs, 0),
    fixed(row.placedMs, 0),
    fixed(row.placedPerSecond, 0),
    fixed(row.cpuMsPerEvent, 3),
    row.workload === "merge-heavy" ? fixed(section.mergeHeavyRatio, 2) : "",
    row.placedBy,
  ]);
  const notes = [
    ...section.rows.map((r) => `${r.workload}: ${r.description}.`),
    "Measured: each workload pre-generated, sent as batches of 100 at 4 concurrent requests to " +
      "Foyer with its full configuration, in a fresh space; clocks start at the first request. " +
      "Placed = the events listed by GET /admin/v1/spaces/:id/profiles/export add up to the " +
      "number sent. That export walks every profile (seconds for thousands), so it is not polled: " +
      "D1 is polled for storage, then workerd's CPU until 2.5 s quiet, and one export verifies " +
      '("idle+export": placed at the last busy moment); if it falls short, the export is ' +
      'polled each second ("export": placed when an export first adds up).',
    `Goal: merge-heavy ≥ ${section.goal.toFixed(2)} × all-distinct ` +
      `(now ${fixed(section.mergeHeavyRatio, 2)}).`,
    ...section.rows
      .filter((r) => !r.startedIdle)
      .map((r) => `NOTE: ${r.workload} started while workerd was still busy with earlier work.`),
  ];
  return `${renderTable(header, lines)}\n${notes.map((n) => `  note: ${n}`).join("\n")}`;
}
