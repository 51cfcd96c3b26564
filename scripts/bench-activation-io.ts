// The activation bench's I/O against a running Foyer and the vendor receiver: admin API calls,
// Webhook destinations pointing at receiver sessions, receiver control, an open-loop sender and
// idle/arrival waits. The measurements themselves are in bench-activation.ts.
import { randomBytes } from "node:crypto";
import type { Agent } from "node:http";
import type { Arrival, ProbeSend } from "../test/bench/activation-arrivals.ts";
import type { OverviewFigures } from "../test/bench/activation-isolation.ts";
import { assertLoopback, post } from "../test/bench/load-generator.ts";
import { lastBusyBeforeIdle } from "../test/bench/worker-cpu.ts";
import type { VendorReceiver } from "../test/receiver/vendor-receiver.ts";
import type { BenchSource } from "./bench-targets.ts";
import type { LocalEdge } from "./local-edge.ts";

export const REQUEST_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
const IDLE = { pollMs: 100, quietMs: 1_000 };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One admin API call (bearer token); throws on a non-2xx answer with its body. */
export async function admin<T>(
  edge: LocalEdge,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(new URL(path, edge.directUrl), {
    method,
    headers: {
      authorization: `Bearer ${edge.adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export interface Destination {
  id: string;
  session: string;
  secret: string;
}

/** A Webhook destination whose url is the receiver session `session` (`/s/<session>/hook`). */
export async function webhook(
  edge: LocalEdge,
  receiver: VendorReceiver,
  spaceId: string,
  name: string,
  session: string,
  extra: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): Promise<Destination> {
  const url = new URL(`/s/${session}/hook`, receiver.origin);
  assertLoopback(url);
  const secret = randomBytes(24).toString("hex");
  const { destination } = await admin<{ destination: { id: string } }>(
    edge,
    "POST",
    `/admin/v1/spaces/${encodeURIComponent(spaceId)}/destinations`,
    { slug: "webhook", name, settings: { url: url.href, secret, ...settings }, ...extra },
  );
  return { id: destination.id, session, secret };
}

export async function overview(
  edge: LocalEdge,
  spaceId: string,
  destinationId: string,
): Promise<OverviewFigures | null> {
  try {
    const { overview: o } = await admin<{
      overview: {
        received: number;
        delivered: number;
        pending?: number;
        retrying: number;
        retries: number;
        failed: number;
        filtered: { total: number; byReason: Record<string, number> };
      };
    }>(edge, "GET", `/admin/v1/spaces/${spaceId}/destinations/${destinationId}/overview`);
    return {
      received: o.received,
      delivered: o.delivered,
      pending: o.pending ?? 0,
      retrying: o.retrying,
      retries: o.retries,
      failed: o.failed,
      filtered: o.filtered.total,
      filteredByReason: o.filtered.byReason,
    };
  } catch (error) {
    console.error(`  overview of ${destinationId}: ${String(error)}`);
    return null;
  }
}

/** A receiver control call (`/__receiver/<session>/<what>`). */
export async function control(
  receiver: VendorReceiver,
  session: string,
  what: string,
  body: unknown,
) {
  const response = await fetch(new URL(`/__receiver/${session}/${what}`, receiver.origin), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`receiver ${what}: ${response.status}`);
  await response.arrayBuffer();
}

export const arrivals = (receiver: VendorReceiver, session: string): Arrival[] =>
  receiver.requests(session);

/**
 * Sends `bodies[i]` to `path` at `perSecond` (open loop: one every 1/perSecond s, not waiting for
 * answers), each with its probe key; resolves once every answer is in.
 */
export async function sendSteady(
  edge: LocalEdge,
  agent: Agent,
  source: BenchSource,
  path: string,
  items: readonly { key: string; body: string }[],
  perSecond: number,
): Promise<ProbeSend[]> {
  const url = new URL(path, edge.directUrl);
  const headers = { "content-type": "application/json", ...source.headers };
  const interval = 1_000 / perSecond;
  const start = performance.now();
  const pending: Promise<ProbeSend>[] = [];
  for (const [i, item] of items.entries()) {
    await sleep(Math.max(0, start + i * interval - performance.now()));
    const sentAt = Date.now();
    pending.push(
      post(agent, url, headers, item.body, REQUEST_TIMEOUT_MS)
        .catch(() => 0)
        .then((status) => ({
          key: item.key,
          sentAt,
          ackedAt: status === 200 ? Date.now() : undefined,
        })),
    );
  }
  return Promise.all(pending);
}

/** Polls until every key has arrived (per `done`) or `deadline` (epoch ms). */
export async function waitFor(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && Date.now() < deadline) await sleep(POLL_MS);
}

export async function waitIdle(edge: LocalEdge, maxMs: number): Promise<boolean> {
  if (edge.workerdPid === undefined) return false;
  return (await lastBusyBeforeIdle(edge.workerdPid, { ...IDLE, maxMs })).idle;
}
