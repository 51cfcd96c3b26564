// Sends a pre-generated list of requests (a workload) at a bounded concurrency, each once, and
// records when each was acknowledged. Unlike the closed-loop load generator, the amount of work is
// fixed, so "events/s until every event is stored / placed" has a definite end.
import { Agent } from "node:http";
import { assertLoopback, post, type LoadRequest } from "./load-generator.ts";

export interface SendResult {
  /** performance.now() when the first request went out and when the last answer came back. */
  startedAt: number;
  finishedAt: number;
  /** Events acknowledged with 200. */
  eventsAcked: number;
  /** Requests not answered 200 after `maxAttempts`, with their last status. */
  failures: { index: number; status: number }[];
  /** Acknowledgement latency of each 200, ms. */
  latenciesMs: number[];
}

export interface SendOptions {
  baseUrl: URL;
  headers: Record<string, string>;
  concurrency: number;
  /** Attempts per request: 429 and 503 (Retry-After answers) are retried after a short pause. */
  maxAttempts?: number;
  /** Gives up after this long: requests unanswered by then are aborted, counted as failures. */
  deadlineMs: number;
}

const RETRY_PAUSE_MS = 200;

/** Sends every request of `requests` once (with bounded retries on 429/503). */
export async function sendAll(
  requests: readonly LoadRequest[],
  options: SendOptions,
): Promise<SendResult> {
  assertLoopback(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const headers = { "content-type": "application/json", ...options.headers };
  const maxAttempts = options.maxAttempts ?? 5;
  const startedAt = performance.now();
  const stopAt = startedAt + options.deadlineMs;
  const result: SendResult = {
    startedAt,
    finishedAt: startedAt,
    eventsAcked: 0,
    failures: [],
    latenciesMs: [],
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const index = next++;
      const request = requests[index];
      if (request === undefined) break;
      let status = 0;
      for (let attempt = 1; attempt <= maxAttempts && performance.now() < stopAt; attempt++) {
        const sentAt = performance.now();
        const url = new URL(request.path, options.baseUrl);
        // A reset connection counts as a failed request (status 0), not as a crashed run.
        const timeoutMs = Math.ceil(Math.max(1_000, stopAt - performance.now()));
        status = await post(agent, url, headers, request.body, timeoutMs).catch(() => 0);
        if (status === 200) {
          result.latenciesMs.push(performance.now() - sentAt);
          result.eventsAcked += request.events;
          break;
        }
        if (status !== 429 && status !== 503) break;
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      }
      if (status !== 200) result.failures.push({ index, status });
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  } finally {
    agent.destroy();
  }
  result.finishedAt = performance.now();
  return result;
}

/** Polls `read` every `intervalMs` until `done(value)` or `deadlineMs`; returns the last value. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { intervalMs: number; deadlineMs: number },
): Promise<{ value: T; at: number; reached: boolean }> {
  const stopAt = performance.now() + options.deadlineMs;
  for (;;) {
    const value = await read();
    const at = performance.now();
    if (done(value)) return { value, at, reached: true };
    if (at >= stopAt) return { value, at, reached: false };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
