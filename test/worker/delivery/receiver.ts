// A receiver worker for delivery tests: a fetch handler standing in for vendor APIs. It records
// every request exactly as it arrived (method, URL, headers, body) and answers 200, or fails the
// way a struggling vendor does (5xx, 429, 4xx) for as many requests as a test asks. workerd cannot
// listen on a socket, so delivery's egress door (worker/delivery/egress.ts) is routed here.
import { routeEgress } from "../../../worker/delivery/egress.ts";

export interface ReceivedRequest {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly failures = new Map<string, { status: number; remaining: number }>();

  /** The next `count` requests to `path` get `status` (count Infinity = for good). */
  fail(path: string, count: number, status = 503): void {
    this.failures.set(path, { status, remaining: count });
  }

  /** Requests that reached `path`. */
  at(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  readonly fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    this.requests.push({
      method: request.method,
      url: request.url,
      path: url.pathname,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    });
    const failure = this.failures.get(url.pathname);
    if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      return new Response(JSON.stringify({ error: "receiver failing" }), {
        status: failure.status,
        headers: { "content-type": "application/json" },
      });
    }
    return new Response(JSON.stringify({ ok: true }), {
      headers: { "content-type": "application/json" },
    });
  };

  /** Routes delivery's egress here until `stop()`. */
  start(): this {
    routeEgress(this.fetch);
    return this;
  }

  stop(): void {
    routeEgress(undefined);
  }
}
