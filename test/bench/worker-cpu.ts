// CPU accounting for the worker under load: workerd's process CPU time (utime + stime from
// /proc/<pid>/stat) before and after a scenario. workerd runs the worker, its Durable Objects and
// its queue consumer, so after the load stops we also wait (bounded) until the process is idle:
// the asynchronous consumer work the events caused is then part of the figure.
import { processCpuMillis } from "../../scripts/workerd-process.ts";

const IDLE_POLL_MS = 250;
/** CPU time below which a poll interval counts as idle: one clock tick (10 ms). */
const IDLE_CPU_MS = 10;

/** Waits until `pid` uses at most one tick of CPU over two consecutive polls, or `maxMs`. */
export async function waitUntilIdle(pid: number, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  let previous = await processCpuMillis(pid);
  let quietPolls = 0;
  while (performance.now() < deadline && quietPolls < 2) {
    await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
    const current = await processCpuMillis(pid);
    quietPolls = current - previous <= IDLE_CPU_MS ? quietPolls + 1 : 0;
    previous = current;
  }
}

/**
 * Runs `work` and returns its result with the CPU milliseconds `pid` spent from just before it
 * until idle afterwards (bounded by `drainMaxMs`). Without a pid (not Linux), cpuMs is NaN.
 */
export async function measureWorkerCpu<T>(
  pid: number | undefined,
  drainMaxMs: number,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: number }> {
  if (pid === undefined) return { result: await work(), cpuMs: Number.NaN };
  await waitUntilIdle(pid, drainMaxMs);
  const before = await processCpuMillis(pid);
  const result = await work();
  await waitUntilIdle(pid, drainMaxMs);
  return { result, cpuMs: (await processCpuMillis(pid)) - before };
}

/**
 * Waits until `pid` has been idle (at most one tick per `pollMs`) for `quietMs`, and returns the
 * last moment (performance.now()) it was seen busy: when the work it was doing ended, to within
 * one poll. `idle: false` when `maxMs` passed first. The quiet window must outlast any pause the
 * work itself takes (e.g. a Queue batch timeout or retry delay), or work resumed after it is missed.
 */
export async function lastBusyBeforeIdle(
  pid: number,
  options: { pollMs: number; quietMs: number; maxMs: number },
): Promise<{ lastBusyAt: number; idle: boolean }> {
  const deadline = performance.now() + options.maxMs;
  let previous = await processCpuMillis(pid);
  let lastBusyAt = performance.now();
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    const current = await processCpuMillis(pid);
    const now = performance.now();
    if (current - previous > IDLE_CPU_MS) lastBusyAt = now;
    previous = current;
    if (now - lastBusyAt >= options.quietMs) return { lastBusyAt, idle: true };
  }
  return { lastBusyAt, idle: false };
}
