// Section 2 of `npm run bench`: the Queue consumer's drain rate ("storage throughput"). N events
// of distinct people are sent in batches of 100 to Foyer with its full configuration, and the
// clock runs until every one is in a stored archive object (and, separately, until the consumer is idle).
import { fixed, renderTable } from "../test/bench/bench-report.ts";
import { allDistinct, batchRequests } from "../test/bench/identity-workloads.ts";
import { measureConsumption, type Consumption } from "./bench-consumer.ts";
import { provisionSource } from "./bench-targets.ts";
import type { LocalEdge } from "./local-edge.ts";

const EVENTS = Number(process.env.FOYER_BENCH_DRAIN_EVENTS ?? "3000");
const DEADLINE_MS = 120_000;

export interface DrainSection extends Consumption {
  /** Events/s from the first request until all were stored. */
  storedPerSecond: number;
  /** Events/s from the first request until the consumer was idle (identity included). */
  consumedPerSecond: number;
}

/** Pre-loads EVENTS events and measures how fast the consumer stores them. */
export async function benchDrain(edge: LocalEdge): Promise<DrainSection> {
  const runId = `drain-${Date.now().toString(36)}`;
  const source = await provisionSource(edge, "Benchmark drain");
  const workload = allDistinct(runId, EVENTS, Date.now());
  const requests = batchRequests(workload.events, 100, new Date());
  process.stdout.write(`  drain ${EVENTS} events … `);
  const result = await measureConsumption(edge, source, requests, {
    deadlineMs: DEADLINE_MS,
    checkPlacement: false,
  });
  const section: DrainSection = {
    ...result,
    storedPerSecond: (result.events * 1_000) / result.storedMs,
    consumedPerSecond: (result.events * 1_000) / result.placedMs,
  };
  console.log(`${fixed(section.storedPerSecond, 0)} events/s stored`);
  return section;
}

/** The section's table and notes. */
export function drainReport(section: DrainSection): string {
  const table = renderTable(
    [
      "events",
      "sent in ms",
      "stored after ms",
      "stored events/s",
      "idle after ms",
      "consumed events/s",
      "CPU ms/event",
      "failed req",
    ],
    [
      [
        String(section.events),
        fixed(section.sendMs, 0),
        fixed(section.storedMs, 0),
        fixed(section.storedPerSecond, 0),
        fixed(section.placedMs, 0),
        fixed(section.consumedPerSecond, 0),
        fixed(section.cpuMsPerEvent, 3),
        String(section.failedRequests),
      ],
    ],
  );
  const notes = [
    `Measured: ${section.events} track events, each a distinct person, sent as batches of 100 ` +
      "(unique messageIds, 4 concurrent requests) to Foyer with its full configuration; clocks " +
      'start at the first request. "stored": the events in the source\'s archive objects ' +
      "whose D1 index row is `stored` (SUM(event_count)), " +
      'polled every 100 ms. "idle": workerd used no CPU for 2.5 s (its last busy moment).',
    "The local Queue hands the consumer one batch (≤ 100 chunks) at a time, and a batch's " +
      "identity work finishes before the next batch is stored, so storage is paced by identity.",
    ...(section.startedIdle
      ? []
      : ["NOTE: workerd was still busy with earlier work at the start."]),
  ];
  return `${table}\n${notes.map((n) => `  note: ${n}`).join("\n")}`;
}
