// `agent doctor`: checks what a venue install needs before it can run unattended.
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import type { AgentConfig } from "../config/schema.ts";
import { probeControllers } from "../controllers/doctor.ts";

export interface DoctorCheck {
  check: string;
  ok: boolean;
  detail: string;
}

/** Probes the edge with the write key: 401 means refused; any other answer means accepted. */
export async function checkEdge(
  config: AgentConfig,
  fetchImpl: typeof fetch = fetch,
): Promise<DoctorCheck> {
  try {
    // An empty batch: the edge authenticates before it validates, so a 400 still proves the key.
    const res = await fetchImpl(new URL("/v1/batch", config.edge.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from(`${config.edge.writeKey}:`).toString("base64")}`,
      },
      body: JSON.stringify({ batch: [] }),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      const code = /"code"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? `http_${res.status}`;
      return {
        check: "edge",
        ok: false,
        detail: `${config.edge.url} refused the write key (${code})`,
      };
    }
    if (res.status >= 500)
      return { check: "edge", ok: false, detail: `${config.edge.url} answered ${res.status}` };
    return {
      check: "edge",
      ok: true,
      detail: `${config.edge.url} reachable, write key accepted (HTTP ${res.status})`,
    };
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    return { check: "edge", ok: false, detail: `${config.edge.url} unreachable: ${reason}` };
  }
}

function tcpFree(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
}

function udpFree(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.once("error", (e: NodeJS.ErrnoException) => {
      socket.close();
      resolve(e.code ?? e.message);
    });
    socket.bind(port, host, () => socket.close(() => resolve(null)));
  });
}

/** Checks that the HTTP and RADIUS ports can be bound. */
export async function checkPorts(config: AgentConfig): Promise<DoctorCheck[]> {
  const wanted: [string, string, number, (h: string, p: number) => Promise<string | null>][] = [
    ["port.http", config.http.host, config.http.port, tcpFree],
  ];
  if (config.radius.enabled) {
    wanted.push(["port.radius.auth", config.radius.host, config.radius.authPort, udpFree]);
    wanted.push(["port.radius.acct", config.radius.host, config.radius.acctPort, udpFree]);
  }
  return Promise.all(
    wanted.map(async ([check, host, port, probe]) => {
      const error = await probe(host, port);
      return {
        check,
        ok: error === null,
        detail: error === null ? `${host}:${port} free` : `${host}:${port} ${error}`,
      };
    }),
  );
}

/** Every doctor check for a parsed config. */
export async function runDoctor(
  config: AgentConfig,
  /** The edge probe's fetch, and the controllers' when given (else each uses its TLS trust). */
  fetchImpl?: typeof fetch,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [{ check: "config", ok: true, detail: "valid" }];
  checks.push(await checkEdge(config, fetchImpl ?? fetch), ...(await checkPorts(config)));
  if (config.controllers) {
    for (const p of await probeControllers(config.controllers, fetchImpl)) {
      checks.push({
        check: `controller.${p.controller}`,
        ok: p.ok,
        detail: `${p.status}: ${p.detail}`,
      });
    }
  }
  return checks;
}
