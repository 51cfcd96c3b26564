// Section 7 of `npm run bench`: the whole data path (issue 14). The same /v1/batch requests go first
// to the bare echo worker (the baseline, same run), then to Foyer with the worker's meter on
// (FOYER_METER: Durable Object requests and Queue messages counted by binding), two computed traits,
// one audience and two Webhook destinations at the vendor receiver on 127.0.0.1. The clock runs from
// the first request until every event has arrived at both destinations; workerd's CPU until the
// worker is idle; then the admin export checks that every event is on its profile.
import path from "node:path";
import { arrivalEvents, byMessageId } from "../test/bench/activation-arrivals.ts";
import { sendAll } from "../test/bench/batch-sender.ts";
import { batchRequests } from "../test/bench/identity-workloads.ts";
import {
  pipelineFigures,
  renderPipelineReport,
  type MeterCounts,
  type PipelineFigures,
} from "../test/bench/pipeline-report.ts";
import { lastBusyBeforeIdle } from "../test/bench/worker-cpu.ts";
import { startVendorReceiver, type VendorReceiver } from "../test/receiver/vendor-receiver.ts";
import { admin, sleep, webhook } from "./bench-activation-io.ts";
import { placedEventCount, provisionSource, startEcho, startFoyer } from "./bench-targets.ts";
import type { LocalEdge } from "./local-edge.ts";
import { processCpuMillis } from "./workerd-process.ts";

const EVENTS = Number(process.env.FOYER_BENCH_PIPELINE_EVENTS ?? "2000");
const EVENTS_PER_USER = 5;
const BATCH = 100;
const CONCURRENCY = 4;
const DEADLINE_MS = Number(process.env.FOYER_BENCH_PIPELINE_DEADLINE_MS ?? "300000");
const POLL_MS = 50;
/**
 * Events per webhook request (the destinations' `batchSize`, Segment's Webhooks (Actions)
 * batching); `FOYER_BENCH_PIPELINE_WEBHOOK_BATCH=1` measures one request per event.
 */
/**
 * `identity` (no definitions, no destinations), `activation` (no destinations) or `all`. Without
 * destinations the clock stops when the last request is answered, so only the CPU and the counts
 * per event mean anything then, not the events/s.
 */
const PARTS = process.env.FOYER_BENCH_PIPELINE_PARTS ?? "all";
export const WEBHOOK_BATCH = Number(process.env.FOYER_BENCH_PIPELINE_WEBHOOK_BATCH ?? "100");
const IDLE = { pollMs: 100, quietMs: 2_500 };

export interface PipelineSection extends PipelineFigures {
  workload: string;
}

export function workload(runId: string): Record<string, unknown>[] {
  const users = Math.max(1, Math.ceil(EVENTS / EVENTS_PER_USER));
  const at = Date.now();
  return Array.from({ length: EVENTS }, (_, i) => ({
    type: "track",
    messageId: `pipe-${runId}-${i}`,
    userId: `pipe-${runId}-u${i % users}`,
    event: "Bench Order",
    properties: { total: (i % 7) + 1, sku: `sku-${i % 13}` },
    timestamp: new Date(at - (EVENTS - i)).toISOString(),
  }));
}

async function meter(edge: LocalEdge): Promise<MeterCounts> {
  return (await admin<{ counts: MeterCounts }>(edge, "GET", "/admin/v1/meter")).counts;
}

/** The echo's events/s for the same requests. */
async function echoBaseline(stateRoot: string, requests: ReturnType<typeof batchRequests>) {
  const echo = await startEcho(path.join(stateRoot, "pipeline-echo"));
  try {
    const sent = await sendAll(requests, {
      baseUrl: echo.directUrl,
      headers: {},
      concurrency: CONCURRENCY,
      deadlineMs: DEADLINE_MS,
    });
    if (sent.failures.length > 0) throw new Error(`echo: ${sent.failures.length} requests failed`);
    return { events: sent.eventsAcked, sendMs: sent.finishedAt - sent.startedAt };
  } finally {
    await echo.stop();
  }
}

/** Configures the space: two computed traits, one audience, two Webhook destinations. */
export async function configure(edge: LocalEdge, receiver: VendorReceiver, runId: string) {
  const source = await provisionSource(edge, "Benchmark pipeline");
  const space = `/admin/v1/spaces/${encodeURIComponent(source.spaceId)}`;
  if (PARTS === "identity") return { source, destinations: [] };
  await admin(edge, "PUT", `${space}/computed-traits/orders`, {
    kind: "event_counter",
    event: { event: "Bench Order" },
  });
  await admin(edge, "PUT", `${space}/computed-traits/order_total`, {
    kind: "aggregation",
    aggregation: "sum",
    property: "total",
    event: { event: "Bench Order" },
  });
  await admin(edge, "PUT", `${space}/audiences/buyers`, {
    name: "Buyers",
    condition: {
      kind: "event",
      event: { event: "Bench Order" },
      count: { operator: "at_least", value: 1 },
      window: { type: "within", days: 30 },
    },
  });
  if (PARTS === "activation") return { source, destinations: [] };
  const destinations = [
    await webhook(
      edge,
      receiver,
      source.spaceId,
      "Pipeline A",
      `${runId}-a`,
      {},
      {
        batchSize: WEBHOOK_BATCH,
      },
    ),
    await webhook(
      edge,
      receiver,
      source.spaceId,
      "Pipeline B",
      `${runId}-b`,
      {},
      {
        batchSize: WEBHOOK_BATCH,
      },
    ),
  ];
  return { source, destinations };
}

/**
 * How many of `wanted` arrived at `session`, reading only what arrived since the last call: the
 * bench polls every 50 ms on the cores workerd is measured on, so it must not re-parse every
 * arrival each time.
 */
export function arrivalCounter(
  receiver: VendorReceiver,
  session: string,
  wanted: ReadonlySet<string>,
) {
  const seen = new Set<string>();
  let read = 0;
  return (): number => {
    const arrivals = receiver.requests(session);
    for (; read < arrivals.length; read++) {
      const arrival = arrivals[read];
      for (const body of arrival ? arrivalEvents(arrival) : []) {
        const key = byMessageId(body);
        if (key !== undefined && wanted.has(key)) seen.add(key);
      }
    }
    return seen.size;
  };
}

export async function benchPipeline(stateRoot: string): Promise<PipelineSection> {
  const runId = Date.now().toString(36);
  const events = workload(runId);
  const requests = batchRequests(events, BATCH, new Date());
  const echo = await echoBaseline(stateRoot, requests);
  const receiver = await startVendorReceiver();
  const edge = await startFoyer(path.join(stateRoot, "pipeline"), {
    queueConsumer: true,
    meter: true,
  });
  try {
    const pid = edge.workerdPid;
    if (pid === undefined) throw new Error("workerd's pid is unknown: CPU cannot be observed");
    const { source, destinations } = await configure(edge, receiver, runId);
    await lastBusyBeforeIdle(pid, { ...IDLE, quietMs: 1_000, maxMs: 60_000 });
    const meterBefore = await meter(edge);
    const cpuBefore = await processCpuMillis(pid);
    process.stdout.write(`  ${EVENTS} events through the whole path … `);
    const sent = await sendAll(requests, {
      baseUrl: edge.directUrl,
      headers: source.headers,
      concurrency: CONCURRENCY,
      deadlineMs: DEADLINE_MS,
    });
    if (sent.failures.length > 0) {
      const statuses = [...new Set(sent.failures.map((f) => f.status))].join(", ");
      throw new Error(
        `${sent.failures.length} of ${requests.length} requests failed (${statuses})`,
      );
    }
    const wanted = new Set(events.map((e) => String(e.messageId)));
    const deadline = sent.startedAt + DEADLINE_MS;
    const counters = destinations.map((d) => arrivalCounter(receiver, d.session, wanted));
    const delivered = () => counters.every((count) => count() >= wanted.size);
    while (!delivered() && performance.now() < deadline) await sleep(POLL_MS);
    const deliveredAt = performance.now();
    if (!delivered()) {
      const counts = counters.map((count) => count());
      throw new Error(`not every event was delivered in time (${counts.join(", ")} of ${EVENTS})`);
    }
    await lastBusyBeforeIdle(pid, { ...IDLE, maxMs: Math.max(5_000, deadline - deliveredAt) });
    const cpuMs = (await processCpuMillis(pid)) - cpuBefore;
    const meterAfter = await meter(edge);
    const placed = await placedEventCount(edge, source.spaceId);
    const figures = pipelineFigures({
      events: EVENTS,
      sendMs: sent.finishedAt - sent.startedAt,
      deliveredMs: deliveredAt - sent.startedAt,
      cpuMs,
      meterBefore,
      meterAfter,
      placedEvents: placed.events,
      destinations: destinations.length,
      echo,
    });
    if (placed.events < EVENTS)
      throw new Error(`only ${placed.events} of ${EVENTS} events are on profiles`);
    console.log(`${figures.endToEnd.eventsPerSecond.toFixed(0)} events/s`);
    return {
      workload:
        `${EVENTS} track events of ${Math.ceil(EVENTS / EVENTS_PER_USER)} people ` +
        `(${EVENTS_PER_USER} each) in /v1/batch requests of ${BATCH}, ${CONCURRENCY} concurrent; ` +
        "the space has 2 computed traits (event counter, sum), 1 audience and 2 Webhook " +
        `destinations (all events, batchSize ${WEBHOOK_BATCH}: up to ${WEBHOOK_BATCH} events ` +
        "a request) on 127.0.0.1.",
      ...figures,
    };
  } finally {
    await edge.stop();
    await receiver.close();
  }
}

export function pipelineReport(section: PipelineSection): string {
  return renderPipelineReport(section, section.workload);
}
