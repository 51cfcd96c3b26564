// A vendor stand-in that listens on 127.0.0.1: destination tests and the activation benchmark send
// real HTTP requests to it and read back exactly what arrived on the wire.
//
// Traffic: any request to `/s/<session>/<path>`. A request forwarded by the worker tests' egress
// door also carries `x-receiver-original-url` (the vendor URL the adapter built, e.g.
// `https://api2.amplitude.com/2/httpapi`); the receiver records that URL and its path. A webhook
// destination can point straight at `http://127.0.0.1:<port>/s/<session>/hook`.
//
// Answers, per session, in this order: the next queued answer (`POST /__receiver/<session>/answers`:
// status, headers, body, or `reset` to drop the connection), a failure rule for the path
// (`POST /__receiver/<session>/failures`: path, count or null for good, status, and `hold` to keep
// each such request unanswered until `POST /__receiver/<session>/release`), else 200 JSON.
// `GET /__receiver/<session>/requests[?path=/x]` lists what arrived; `DELETE` forgets the session
// (and answers what it held).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ORIGINAL_URL_HEADER, type ReceivedRequest, type ScriptedAnswer } from "./protocol.ts";

interface FailureRule {
  status: number;
  /** Requests still to fail; `Infinity` for good. */
  remaining: number;
  /** Keep the request open until the session is released. */
  hold: boolean;
}

interface Session {
  requests: ReceivedRequest[];
  answers: ScriptedAnswer[];
  failures: Map<string, FailureRule>;
  held: Array<() => void>;
}

/** Headers the transport adds or the door injects; not part of what the sender built. */
const TRANSPORT_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  ORIGINAL_URL_HEADER,
]);

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface VendorReceiver {
  origin: string;
  /** Sessions' records, for Node callers (the benchmark) that share the process. */
  requests(session: string): ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 at an ephemeral port. */
export async function startVendorReceiver(): Promise<VendorReceiver> {
  const sessions = new Map<string, Session>();
  const session = (id: string): Session => {
    let found = sessions.get(id);
    if (!found) {
      found = { requests: [], answers: [], failures: new Map(), held: [] };
      sessions.set(id, found);
    }
    return found;
  };

  const server = http.createServer((request, response) => {
    readBody(request)
      .then((body) => route(request, body, response))
      .catch((error: unknown) => {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: String(error) }));
      });
  });
  server.keepAliveTimeout = 30_000;

  function route(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const control = /^\/__receiver\/([\w.-]+)\/(answers|failures|requests|release)$/.exec(
      url.pathname,
    );
    if (control)
      return controlRoute(control[1]!, control[2]!, request.method ?? "GET", url, body, response);
    const forget = /^\/__receiver\/([\w.-]+)$/.exec(url.pathname);
    if (forget && request.method === "DELETE") {
      for (const release of sessions.get(forget[1]!)?.held.splice(0) ?? []) release();
      sessions.delete(forget[1]!);
      return sendJson(response, 200, { ok: true });
    }
    const traffic = /^\/s\/([\w.-]+)(\/.*)?$/.exec(url.pathname);
    if (!traffic) return sendJson(response, 404, { error: "use /s/<session>/<path>" });
    const state = session(traffic[1]!);
    const originalHeader = request.headers[ORIGINAL_URL_HEADER];
    const original =
      typeof originalHeader === "string"
        ? new URL(originalHeader)
        : new URL(
            `${traffic[2] ?? "/"}${url.search}`,
            `http://${request.headers.host ?? "127.0.0.1"}`,
          );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (TRANSPORT_HEADERS.has(name) || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    state.requests.push({
      method: request.method ?? "GET",
      url: original.href,
      path: original.pathname,
      headers,
      body,
      receivedAt: Date.now(),
    });
    answer(state, original.pathname, response);
  }

  function answer(state: Session, path: string, response: http.ServerResponse): void {
    const scripted = state.answers.shift();
    if (scripted) {
      const reply = (): void => {
        if (scripted.reset) {
          response.socket?.destroy();
          return;
        }
        response.writeHead(scripted.status ?? 200, scripted.headers ?? {});
        response.end(scripted.body ?? "");
      };
      if (scripted.delayMs) setTimeout(reply, scripted.delayMs);
      else reply();
      return;
    }
    const failure = state.failures.get(path);
    if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      const fail = () => sendJson(response, failure.status, { error: "receiver failing" });
      if (failure.hold) state.held.push(fail);
      else fail();
      return;
    }
    sendJson(response, 200, { ok: true });
  }

  function controlRoute(
    id: string,
    what: string,
    method: string,
    url: URL,
    body: string,
    response: http.ServerResponse,
  ): void {
    const state = session(id);
    if (what === "requests" && method === "GET") {
      const path = url.searchParams.get("path");
      return sendJson(
        response,
        200,
        path === null ? state.requests : state.requests.filter((r) => r.path === path),
      );
    }
    if (what === "answers" && method === "POST") {
      state.answers.push(JSON.parse(body) as ScriptedAnswer);
      return sendJson(response, 200, { queued: state.answers.length });
    }
    if (what === "failures" && method === "POST") {
      const rule = JSON.parse(body) as {
        path: string;
        count: number | null;
        status?: number;
        hold?: boolean;
      };
      state.failures.set(rule.path, {
        status: rule.status ?? 503,
        remaining: rule.count ?? Number.POSITIVE_INFINITY,
        hold: rule.hold === true,
      });
      return sendJson(response, 200, { ok: true });
    }
    if (what === "release" && method === "POST") {
      const held = state.held.splice(0);
      for (const release of held) release();
      return sendJson(response, 200, { released: held.length });
    }
    sendJson(response, 405, { error: `${method} ${what} is not supported` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: (id) => sessions.get(id)?.requests ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
