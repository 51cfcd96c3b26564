// Section 4 of `npm run bench`: time to profile (issue 3). Under a steady background load, probe
// identify calls each carry a unique trait value; the clock runs from the edge's 200 to that value
// being visible through the Profile API, polled every 20 ms.
import { Agent } from "node:http";
import { fixed, renderTable } from "../test/bench/bench-report.ts";
import { assertLoopback, post, quantile } from "../test/bench/load-generator.ts";
import { profileApiToken, provisionSource, type BenchSource } from "./bench-targets.ts";
import type { LocalEdge } from "./local-edge.ts";
import { lastBusyBeforeIdle } from "../test/bench/worker-cpu.ts";

// Steady load must stay below what the local consumer sustains (section 2), or the backlog, not
// the pipeline, is what gets measured: 2 batches of 10 events a second by default.
const BACKGROUND_BATCHES_PER_SECOND = Number(process.env.FOYER_BENCH_TTP_BATCHES_PER_SECOND ?? "2");
const BACKGROUND_BATCH_EVENTS = 10;
const BACKGROUND_PEOPLE = 500;
const MAX_BACKGROUND_IN_FLIGHT = 40;
const DURATION_MS = Number(process.env.FOYER_BENCH_TTP_DURATION_MS ?? "15000");
const PROBES = Number(process.env.FOYER_BENCH_TTP_PROBES ?? "36");
const PROBE_USERS = 6;
const POLL_MS = 20;
const PROBE_TIMEOUT_MS = 10_000;
/** Issue 3's goal: p95 time to profile under 1 s locally. */
export const TIME_TO_PROFILE_GOAL_MS = 1_000;

export interface TimeToProfileSection {
  probes: number;
  /** ms from each probe's 200 to its trait value being visible, for the probes that made it. */
  latenciesMs: number[];
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  timedOut: number;
  probeFailures: number;
  background: {
    batchesPerSecond: number;
    eventsPerSecond: number;
    acked: number;
    failed: number;
    skipped: number;
    p50AckMs: number;
  };
  goalMs: number;
  /** false: workerd was still busy with earlier work when the section started. */
  startedIdle: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function backgroundBatch(runId: string, n: number): string {
  const now = new Date();
  const batch = Array.from({ length: BACKGROUND_BATCH_EVENTS }, (_, i) => ({
    type: "track",
    messageId: `bg-${runId}-${n}-${i}`,
    userId: `bg-${runId}-${(n * BACKGROUND_BATCH_EVENTS + i) % BACKGROUND_PEOPLE}`,
    event: "Menu Viewed",
    properties: { n },
    timestamp: now.toISOString(),
  }));
  return JSON.stringify({ batch, sentAt: now.toISOString() });
}

/** Open-loop background load: one batch every 1/rate s until `stopAt`, in-flight bounded. */
async function runBackground(edge: LocalEdge, source: BenchSource, runId: string, stopAt: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_BACKGROUND_IN_FLIGHT });
  const headers = { "content-type": "application/json", ...source.headers };
  const stats = { acked: 0, failed: 0, skipped: 0, latencies: [] as number[] };
  const inFlight = new Set<Promise<void>>();
  const interval = 1_000 / BACKGROUND_BATCHES_PER_SECOND;
  const startedAt = performance.now();
  for (let n = 0; startedAt + n * interval < stopAt; n++) {
    await sleep(Math.max(0, startedAt + n * interval - performance.now()));
    if (inFlight.size >= MAX_BACKGROUND_IN_FLIGHT) {
      stats.skipped++;
      continue;
    }
    const sentAt = performance.now();
    const request = post(
      agent,
      new URL("/v1/batch", edge.directUrl),
      headers,
      backgroundBatch(runId, n),
    )
      .catch(() => 0)
      .then((status) => {
        if (status === 200) {
          stats.acked++;
          stats.latencies.push(performance.now() - sentAt);
        } else stats.failed++;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { ...stats, elapsedMs: performance.now() - startedAt };
}

/** The probe trait through the Profile API; undefined on 404, errors and timeouts alike. */
async function traitValue(url: URL, authorization: string): Promise<unknown> {
  try {
    const response = await fetch(url, {
      headers: { authorization },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (response.status !== 200) {
      await response.arrayBuffer();
      return undefined;
    }
    return ((await response.json()) as { traits: Record<string, unknown> }).traits.bench_probe;
  } catch {
    return undefined;
  }
}

/** One probe: identify with a unique trait, then poll the Profile API until it shows. */
async function probe(
  edge: LocalEdge,
  source: BenchSource,
  token: string,
  runId: string,
  i: number,
) {
  const userId = `probe-${runId}-${i % PROBE_USERS}`;
  const value = `v-${runId}-${i}`;
  const response = await fetch(new URL("/v1/identify", edge.directUrl), {
    method: "POST",
    headers: { "content-type": "application/json", ...source.headers },
    body: JSON.stringify({
      userId,
      messageId: `probe-${runId}-${i}`,
      traits: { bench_probe: value },
    }),
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  }).catch(() => undefined);
  const body = await response?.arrayBuffer().catch(() => undefined);
  if (response?.status !== 200 || body === undefined) return { ok: false as const };
  const ackedAt = performance.now();
  const url = new URL(
    `/v1/spaces/${encodeURIComponent(source.spaceId)}/collections/users/profiles/user_id:${encodeURIComponent(userId)}/traits?include=bench_probe`,
    edge.directUrl,
  );
  const authorization = `Basic ${Buffer.from(`${token}:`).toString("base64")}`;
  while (performance.now() - ackedAt < PROBE_TIMEOUT_MS) {
    const seen = await traitValue(url, authorization);
    const seenAt = performance.now();
    if (seen === value) return { ok: true as const, ms: seenAt - ackedAt };
    await sleep(POLL_MS);
  }
  return { ok: true as const, ms: Number.POSITIVE_INFINITY };
}

/** Runs the background load and PROBES probes spread over DURATION_MS. */
export async function benchTimeToProfile(edge: LocalEdge): Promise<TimeToProfileSection> {
  assertLoopback(edge.directUrl);
  const runId = Date.now().toString(36);
  const source = await provisionSource(edge, "Benchmark time to profile");
  const token = await profileApiToken(edge, source.spaceId);
  // Start from an idle consumer: the previous sections' backlog is not this section's load.
  const idle =
    edge.workerdPid === undefined
      ? { idle: false }
      : await lastBusyBeforeIdle(edge.workerdPid, { pollMs: 100, quietMs: 1_000, maxMs: 90_000 });
  process.stdout.write(`  time to profile: ${PROBES} probes over ${DURATION_MS} ms … `);
  const stopAt = performance.now() + DURATION_MS;
  const background = runBackground(edge, source, runId, stopAt);
  const probes: Promise<{ ok: boolean; ms?: number }>[] = [];
  const spacing = DURATION_MS / PROBES;
  // Probes start after one spacing, once the background load is running.
  for (let i = 0; i < PROBES; i++) {
    await sleep(spacing);
    probes.push(probe(edge, source, token, runId, i));
  }
  const results = await Promise.all(probes);
  const bg = await background;
  const finite = results.flatMap((r) => (r.ok && Number.isFinite(r.ms) ? [r.ms ?? 0] : []));
  const section: TimeToProfileSection = {
    probes: PROBES,
    latenciesMs: finite,
    p50Ms: quantile(finite, 0.5),
    p95Ms: finite.length === PROBES ? quantile(finite, 0.95) : Number.POSITIVE_INFINITY,
    maxMs: finite.length === PROBES ? Math.max(...finite) : Number.POSITIVE_INFINITY,
    timedOut: results.filter((r) => r.ok && !Number.isFinite(r.ms)).length,
    probeFailures: results.filter((r) => !r.ok).length,
    background: {
      batchesPerSecond: (bg.acked * 1_000) / bg.elapsedMs,
      eventsPerSecond: (bg.acked * BACKGROUND_BATCH_EVENTS * 1_000) / bg.elapsedMs,
      acked: bg.acked,
      failed: bg.failed,
      skipped: bg.skipped,
      p50AckMs: quantile(bg.latencies, 0.5),
    },
    goalMs: TIME_TO_PROFILE_GOAL_MS,
    startedIdle: idle.idle,
  };
  console.log(`p95 ${atLeast(section.p95Ms)} ms`);
  return section;
}

/** A latency, or "> timeout" for a probe that never showed (its latency is unbounded). */
const atLeast = (ms: number): string =>
  Number.isFinite(ms) ? ms.toFixed(0) : `> ${PROBE_TIMEOUT_MS}`;

/** The section's table and notes. */
export function timeToProfileReport(s: TimeToProfileSection): string {
  const table = renderTable(
    [
      "probes",
      "p50 ms",
      "p95 ms",
      "max ms",
      "timed out",
      "failed",
      "background events/s",
      "bg ack p50 ms",
      "bg failed+skipped",
    ],
    [
      [
        String(s.probes),
        fixed(s.p50Ms, 0),
        atLeast(s.p95Ms),
        atLeast(s.maxMs),
        String(s.timedOut),
        String(s.probeFailures),
        fixed(s.background.eventsPerSecond, 0),
        fixed(s.background.p50AckMs, 1),
        String(s.background.failed + s.background.skipped),
      ],
    ],
  );
  const notes = [
    `Measured: background ${BACKGROUND_BATCHES_PER_SECOND} batches/s × ${BACKGROUND_BATCH_EVENTS} ` +
      `track events (${BACKGROUND_PEOPLE} people, open loop) for ${DURATION_MS} ms on Foyer with ` +
      `its full configuration; ${s.probes} probe identifies (${PROBE_USERS} users, a unique ` +
      "bench_probe trait each) spread over it. Time = from the probe's 200 to GET /v1/spaces/:space" +
      "/collections/users/profiles/user_id:<id>/traits showing the value, polled every " +
      `${POLL_MS} ms (a probe not visible after ${PROBE_TIMEOUT_MS} ms counts as timed out: p95 ∞).`,
    `Goal: p95 < ${s.goalMs} ms (now ${atLeast(s.p95Ms)} ms).`,
    ...(s.startedIdle
      ? []
      : ["NOTE: workerd was still busy with earlier sections' work at the start."]),
  ];
  return `${table}\n${notes.map((n) => `  note: ${n}`).join("\n")}`;
}
