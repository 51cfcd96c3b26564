// The pipeline section's figures (issue 14): from what the bench observed (events, clocks, workerd
// CPU, the worker's meter before and after) to per-event costs and the ratio to the echo baseline.
// Pure; unit-tested in pipeline-report.test.ts.
import { fixed, renderTable } from "./bench-report.ts";

/** `GET /admin/v1/meter` counts: `do:<BINDING>` and `queue:<BINDING>` totals. */
export type MeterCounts = Record<string, number>;

export interface PipelineObservation {
  events: number;
  /** ms from the first request until every request was answered 200. */
  sendMs: number;
  /** ms from the first request until every event had arrived at every destination. */
  deliveredMs: number;
  /** workerd CPU ms from before the first request until idle after the last delivery. */
  cpuMs: number;
  meterBefore: MeterCounts;
  meterAfter: MeterCounts;
  /** Events on profiles (admin export) once the path was idle. */
  placedEvents: number;
  destinations: number;
  /** The bare echo worker, same batches, same run. */
  echo: { events: number; sendMs: number };
}

export interface PipelineFigures {
  endToEnd: {
    events: number;
    sendMs: number;
    deliveredMs: number;
    eventsPerSecond: number;
    workerCpuMsPerEvent: number;
    durableObjectRequestsPerEvent: number;
    queueMessagesPerEvent: number;
    /** D1 rows written per event (index rows included, as D1 bills them). */
    d1RowsWrittenPerEvent: number;
    /** Durable Object SQLite rows written per event (billed like D1's). */
    durableObjectRowsWrittenPerEvent: number;
    /** Durable Object requests per event by binding, and Queue messages per event by binding. */
    perEventByBinding: Record<string, number>;
    placedEvents: number;
    destinations: number;
    /** eventsPerSecond / the echo's events/s. */
    ratioToEcho: number;
  };
  baseline: { echoEventsPerSecond: number; echoEvents: number; echoSendMs: number };
}

/** Differences of the meter's counters over the run (a counter absent before counts from 0). */
export function meterDelta(before: MeterCounts, after: MeterCounts): MeterCounts {
  const delta: MeterCounts = {};
  for (const [name, value] of Object.entries(after)) {
    const d = value - (Object.hasOwn(before, name) ? (before[name] ?? 0) : 0);
    if (d > 0) delta[name] = d;
  }
  return delta;
}

export function pipelineFigures(o: PipelineObservation): PipelineFigures {
  const delta = meterDelta(o.meterBefore, o.meterAfter);
  const total = (prefix: string) =>
    Object.entries(delta)
      .filter(([name]) => name.startsWith(prefix))
      .reduce((sum, [, n]) => sum + n, 0);
  const rowsWritten = (prefix: string) =>
    Object.entries(delta)
      .filter(([name]) => name.startsWith(prefix) && name.endsWith(":rows_written"))
      .reduce((sum, [, n]) => sum + n, 0);
  const perEvent = (n: number) => (o.events > 0 ? n / o.events : Number.NaN);
  const eventsPerSecond = o.deliveredMs > 0 ? (o.events * 1_000) / o.deliveredMs : Number.NaN;
  const echoEventsPerSecond = o.echo.sendMs > 0 ? (o.echo.events * 1_000) / o.echo.sendMs : NaN;
  return {
    endToEnd: {
      events: o.events,
      sendMs: o.sendMs,
      deliveredMs: o.deliveredMs,
      eventsPerSecond,
      workerCpuMsPerEvent: perEvent(o.cpuMs),
      durableObjectRequestsPerEvent: perEvent(total("do:")),
      queueMessagesPerEvent: perEvent(total("queue:")),
      d1RowsWrittenPerEvent: perEvent(rowsWritten("d1:")),
      durableObjectRowsWrittenPerEvent: perEvent(rowsWritten("sql:")),
      perEventByBinding: Object.fromEntries(
        Object.entries(delta).map(([name, n]) => [name, perEvent(n)]),
      ),
      placedEvents: o.placedEvents,
      destinations: o.destinations,
      ratioToEcho: eventsPerSecond / echoEventsPerSecond,
    },
    baseline: { echoEventsPerSecond, echoEvents: o.echo.events, echoSendMs: o.echo.sendMs },
  };
}

/** Issue 14's targets on this machine. */
export const PIPELINE_TARGETS = { cpuMsPerEvent: 1.2, durableObjectRequestsPerEvent: 2 };

export function renderPipelineReport(f: PipelineFigures, workload: string): string {
  const e = f.endToEnd;
  const table = renderTable(
    [
      "target",
      "events",
      "events/s",
      "× echo",
      "CPU ms/event",
      "DO req/event",
      "queue msg/event",
      "D1 rows written/event",
      "DO rows written/event",
    ],
    [
      [
        "echo worker (baseline)",
        String(f.baseline.echoEvents),
        fixed(f.baseline.echoEventsPerSecond, 0),
        "1",
        "",
        "",
        "",
        "",
        "",
      ],
      [
        "Foyer, /v1/batch → profile → destinations",
        String(e.events),
        fixed(e.eventsPerSecond, 0),
        fixed(e.ratioToEcho, 4),
        fixed(e.workerCpuMsPerEvent, 3),
        fixed(e.durableObjectRequestsPerEvent, 2),
        fixed(e.queueMessagesPerEvent, 2),
        fixed(e.d1RowsWrittenPerEvent, 2),
        fixed(e.durableObjectRowsWrittenPerEvent, 2),
      ],
    ],
  );
  const byBinding = Object.entries(e.perEventByBinding)
    .map(([name, n]) => `${name} ${fixed(n, 2)}`)
    .join(", ");
  const notes = [
    workload,
    `Per event by binding: ${byBinding || "none"} (counted by the worker's meter, ` +
      "worker/platform/meter.ts: every RPC call on a Durable Object stub, every Queue message, D1 rows from each result's meta, Durable Object SQLite rows from each cursor).",
    `Events on profiles after the run: ${e.placedEvents} of ${e.events}; every event arrived at ` +
      `all ${e.destinations} destinations after ${fixed(e.deliveredMs, 0)} ms (sent in ` +
      `${fixed(e.sendMs, 0)} ms).`,
    `Targets (issue 14): ≤ ${PIPELINE_TARGETS.cpuMsPerEvent} CPU ms/event ` +
      `(${e.workerCpuMsPerEvent <= PIPELINE_TARGETS.cpuMsPerEvent ? "met" : "not met"}), ` +
      `≤ ${PIPELINE_TARGETS.durableObjectRequestsPerEvent} DO requests/event ` +
      `(${e.durableObjectRequestsPerEvent <= PIPELINE_TARGETS.durableObjectRequestsPerEvent ? "met" : "not met"}).`,
  ];
  return `${table}\n${notes.map((n) => `  note: ${n}`).join("\n")}`;
}
