// The worker tests' handle on the vendor receiver: a Node HTTP server on 127.0.0.1 started by the
// worker project's global setup (test/receiver/vendor-receiver.ts). Every vendor request delivery
// makes leaves workerd as a real HTTP request to it; the receiver records what arrived on the wire
// and answers 200, or fails the way a struggling vendor does for as many requests as a test asks.
// Delivery's egress door (worker/delivery/egress.ts) forwards to it, keeping the vendor URL in a
// header, because the adapters address vendors by their public hostnames.
import { inject } from "vitest";
import { routeEgress } from "../../../worker/delivery/egress.ts";
import {
  ORIGINAL_URL_HEADER,
  type ReceivedRequest,
  type ScriptedAnswer,
} from "../../receiver/protocol.ts";

export type { ReceivedRequest };

/** Sends `request` to the receiver's `session`, keeping its method, headers, body and signal. */
export async function forwardToReceiver(
  origin: string,
  session: string,
  request: Request,
): Promise<Response> {
  const vendor = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set(ORIGINAL_URL_HEADER, request.url);
  const body = ["GET", "HEAD"].includes(request.method) ? undefined : await request.arrayBuffer();
  return fetch(`${origin}/s/${session}${vendor.pathname}${vendor.search}`, {
    method: request.method,
    headers,
    body,
    signal: request.signal,
    redirect: "manual",
  });
}

/** One isolated session on the receiver: its own records, answers and failure rules. */
export class Receiver {
  readonly origin = inject("receiverOrigin");
  readonly session = crypto.randomUUID();

  private control(what: string): string {
    return `${this.origin}/__receiver/${this.session}/${what}`;
  }

  /** The next `count` requests to `path` get `status` (count Infinity = for good; 0 = stop failing). */
  async fail(path: string, count: number, status = 503): Promise<void> {
    await this.post("failures", { path, count: Number.isFinite(count) ? count : null, status });
  }

  /** Requests to `path` stay unanswered until `release()`, which answers them `status`. */
  async hold(path: string, status = 503): Promise<void> {
    await this.post("failures", { path, count: null, status, hold: true });
  }

  /** Answers every held request; returns how many there were. */
  async release(): Promise<number> {
    const response = await fetch(this.control("release"), { method: "POST" });
    return (await response.json<{ released: number }>()).released;
  }

  /** Queues one answer for the next request of this session, ahead of failure rules. */
  async answerNext(answer: ScriptedAnswer): Promise<void> {
    await this.post("answers", answer);
  }

  /** Requests that arrived at `path`, in arrival order. */
  async at(path: string): Promise<ReceivedRequest[]> {
    const response = await fetch(`${this.control("requests")}?path=${encodeURIComponent(path)}`);
    return response.json<ReceivedRequest[]>();
  }

  /** Every request of this session, in arrival order. */
  async requests(): Promise<ReceivedRequest[]> {
    return (await fetch(this.control("requests"))).json<ReceivedRequest[]>();
  }

  /** Sends one request to this session (the egress door's route). */
  readonly fetch = (request: Request): Promise<Response> =>
    forwardToReceiver(this.origin, this.session, request);

  /** Routes delivery's egress here until `stop()`. */
  start(): this {
    routeEgress(this.fetch);
    return this;
  }

  async stop(): Promise<void> {
    routeEgress(undefined);
    await fetch(`${this.origin}/__receiver/${this.session}`, { method: "DELETE" });
  }

  private async post(what: string, body: unknown): Promise<void> {
    const response = await fetch(this.control(what), {
      method: "POST",
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`receiver ${what}: HTTP ${response.status}`);
    await response.body?.cancel();
  }
}
