// Measures how long Foyer's Queue consumer takes over a fixed, pre-generated workload: send it
// all (bounded concurrency), then watch D1 until every event is stored, then workerd's CPU until
// the consumer's work (identity resolution included) is over, then check the profiles export.
import { pollUntil, sendAll } from "../test/bench/batch-sender.ts";
import type { LoadRequest } from "../test/bench/load-generator.ts";
import { lastBusyBeforeIdle } from "../test/bench/worker-cpu.ts";
import { placedEventCount, storedEventCount, type BenchSource } from "./bench-targets.ts";
import type { LocalEdge } from "./local-edge.ts";
import { processCpuMillis } from "./workerd-process.ts";

const SEND_CONCURRENCY = 4;
const D1_POLL_MS = 100;
const CPU_POLL_MS = 100;
/** Longer than the consumer's first 2 s retry delay. */
const QUIET_MS = 2_500;
const EXPORT_POLL_MS = 1_000;
const IDLE_BEFORE_MAX_MS = 90_000;

export interface Consumption {
  events: number;
  /** ms from the first request until every request was acknowledged. */
  sendMs: number;
  /** ms from the first request until D1 held every event; NaN if the deadline passed first. */
  storedMs: number;
  /** ms from the first request until every event was on a profile; NaN if never verified. */
  placedMs: number;
  /** How placedMs was established: CPU idle then verified by the export, or the export alone. */
  placedBy: "idle+export" | "export" | "not placed";
  /** Events the profiles export showed, and on how many profiles. */
  placedEvents: number;
  profiles: number;
  /** ms one profiles export took (not part of placedMs when placedBy is idle+export). */
  exportMs: number;
  /** workerd CPU ms per event from the first request until idle (ingestion + consumer). */
  cpuMsPerEvent: number;
  failedRequests: number;
  /** false: workerd was still busy with earlier work when this workload started. */
  startedIdle: boolean;
}

/** Sends `requests` to `source` and measures storage and placement; bounded by `deadlineMs`. */
export async function measureConsumption(
  edge: LocalEdge,
  source: BenchSource,
  requests: readonly LoadRequest[],
  options: { deadlineMs: number; checkPlacement: boolean },
): Promise<Consumption> {
  const pid = edge.workerdPid;
  if (pid === undefined) throw new Error("workerd's pid is unknown: CPU cannot be observed");
  const events = requests.reduce((n, r) => n + r.events, 0);
  // Earlier work (a previous workload's consumer backlog) must not be measured with this one.
  const before = await lastBusyBeforeIdle(pid, {
    pollMs: CPU_POLL_MS,
    quietMs: 1_000,
    maxMs: IDLE_BEFORE_MAX_MS,
  });
  const cpuBefore = await processCpuMillis(pid);
  const sent = await sendAll(requests, {
    baseUrl: edge.directUrl,
    headers: source.headers,
    concurrency: SEND_CONCURRENCY,
    deadlineMs: options.deadlineMs,
  });
  if (sent.failures.length > 0) {
    // Storage and placement are timed against the whole workload: a partial one measures nothing.
    const statuses = [...new Set(sent.failures.map((f) => f.status))].join(", ");
    throw new Error(`${sent.failures.length} of ${requests.length} requests failed (${statuses})`);
  }
  const t0 = sent.startedAt;
  const deadlineLeft = () => Math.max(0, t0 + options.deadlineMs - performance.now());
  const stored = await pollUntil(
    () => storedEventCount(edge, source.sourceId),
    (n) => n >= sent.eventsAcked,
    { intervalMs: D1_POLL_MS, deadlineMs: deadlineLeft() },
  );
  const quiet = await lastBusyBeforeIdle(pid, {
    pollMs: CPU_POLL_MS,
    quietMs: QUIET_MS,
    maxMs: deadlineLeft(),
  });
  const cpuMs = (await processCpuMillis(pid)) - cpuBefore;
  const result: Consumption = {
    events,
    sendMs: sent.finishedAt - t0,
    storedMs: stored.reached ? stored.at - t0 : Number.NaN,
    placedMs: Number.NaN,
    placedBy: "not placed",
    placedEvents: 0,
    profiles: 0,
    exportMs: Number.NaN,
    cpuMsPerEvent: sent.eventsAcked > 0 ? cpuMs / sent.eventsAcked : Number.NaN,
    failedRequests: sent.failures.length,
    startedIdle: before.idle,
  };
  if (!options.checkPlacement) {
    if (quiet.idle) result.placedMs = quiet.lastBusyAt - t0;
    return result;
  }
  let exports = 0;
  const placed = await pollUntil(
    async () => {
      // No pause before the first export: on a big space the export itself takes seconds.
      if (exports++ > 0) await new Promise((resolve) => setTimeout(resolve, EXPORT_POLL_MS));
      const startedAt = performance.now();
      const count = await placedEventCount(edge, source.spaceId);
      return { ...count, exportMs: performance.now() - startedAt };
    },
    (count) => count.events >= sent.eventsAcked,
    { intervalMs: 0, deadlineMs: deadlineLeft() },
  );
  result.placedEvents = placed.value.events;
  result.profiles = placed.value.profiles;
  result.exportMs = placed.value.exportMs;
  if (!placed.reached) return result;
  // Complete at the first export after the consumer went quiet: it had finished when it last
  // used CPU. Otherwise the work resumed after the quiet window, and only the export dates it.
  const byIdle = exports === 1 && quiet.idle;
  result.placedBy = byIdle ? "idle+export" : "export";
  result.placedMs = (byIdle ? quiet.lastBusyAt : placed.at) - t0;
  return result;
}
