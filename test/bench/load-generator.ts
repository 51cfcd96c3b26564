// A closed-loop HTTP load generator: `concurrency` workers each send one request, wait for the
// answer, and send the next, for a fixed duration after a warm-up. Only loopback targets are
// allowed (this workplace's rule for load tests), and every loop is bounded by time.
import { Agent, request as httpRequest } from "node:http";

export interface LoadRequest {
  path: string;
  body: string;
  /** How many Segment events this request carries (1 for /v1/track, 100 for a batch). */
  events: number;
}

export interface LoadOptions {
  baseUrl: URL;
  headers: Record<string, string>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Builds the n-th request (n counts from 0 across all workers, warm-up included). */
  nextRequest: (n: number) => LoadRequest;
}

export interface LoadResult {
  requests: number;
  events: number;
  /** Requests answered with anything but 200 (not counted in `events`). */
  failures: number;
  /** Status codes of failures, with counts. */
  failureStatuses: Record<string, number>;
  /** Events acknowledged with 200 over the whole run, warm-up included (for CPU per event). */
  eventsAcked: number;
  /** Acknowledgement latency of each measured 200, in ms. */
  latenciesMs: number[];
  elapsedMs: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Throws unless `url` is a loopback address: load is only ever sent to this machine. */
export function assertLoopback(url: URL): void {
  if (!LOOPBACK.has(url.hostname)) {
    throw new Error(`refusing to load a non-loopback host: ${url.hostname}`);
  }
}

/** Drives `options.baseUrl` with bounded concurrency and duration; measures after the warm-up. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  assertLoopback(options.baseUrl);
  // One keep-alive connection per worker, like a pool of SDK clients.
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const result: LoadResult = {
    requests: 0,
    events: 0,
    failures: 0,
    failureStatuses: {},
    eventsAcked: 0,
    latenciesMs: [],
    elapsedMs: 0,
  };
  let counter = 0;
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;

  const worker = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const request = options.nextRequest(counter++);
      const sentAt = performance.now();
      const status = await post(
        agent,
        new URL(request.path, options.baseUrl),
        {
          "content-type": "application/json",
          ...options.headers,
        },
        request.body,
      );
      const doneAt = performance.now();
      if (status === 200) result.eventsAcked += request.events;
      if (sentAt < measureFrom || doneAt > stopAt) continue;
      result.requests += 1;
      if (status === 200) {
        result.events += request.events;
        result.latenciesMs.push(doneAt - sentAt);
      } else {
        result.failures += 1;
        const key = String(status);
        result.failureStatuses[key] = (result.failureStatuses[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  result.elapsedMs = Math.min(performance.now(), stopAt) - measureFrom;
  agent.destroy();
  return result;
}

/**
 * One POST over `agent`; resolves with the status once the whole answer is read. With
 * `timeoutMs`, a request still unanswered after it is aborted (rejects).
 */
export function post(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs?: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const req = httpRequest(url, { method: "POST", agent, headers, signal }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end(body);
  });
}

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}
