// The venue agent as venue IT runs it: `node agent/main.ts start --config FILE` in its own process,
// with a config written to a temp dir. Ports start ephemeral (0) and are read from the agent's
// `agent listening` log line; a restart pins them so the NAS (radclient) and the edge keep their
// addresses, as they would at a venue.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

const MAIN = path.join(import.meta.dirname, "../../agent/main.ts");
const LISTEN_TIMEOUT_MS = 30_000;

export interface AgentPorts {
  http: number;
  radiusAuth: number;
  radiusAcct: number;
}

export interface AgentSettings {
  dir: string;
  edgeUrl: URL;
  writeKey: string;
  venueKey: string;
  radiusSecret: string;
  /** Fixed ports (a restart); default all 0. */
  ports?: AgentPorts;
  synchronous?: "full" | "normal";
  batchSize?: number;
}

/** Writes the agent's config (JSON, a YAML subset) into `dir`; secrets come from the env. */
export function writeAgentConfig(settings: AgentSettings): string {
  const file = path.join(settings.dir, "agent.json");
  const ports = settings.ports ?? { http: 0, radiusAuth: 0, radiusAcct: 0 };
  const config = {
    venue: { id: "venue-e2e", name: "E2E Venue", key: { env: "FOYER_E2E_VENUE_KEY" } },
    edge: {
      url: settings.edgeUrl.href,
      writeKey: { env: "FOYER_E2E_WRITE_KEY" },
      batchSize: settings.batchSize ?? 100,
    },
    outbox: { path: "./agent.sqlite", synchronous: settings.synchronous ?? "full" },
    http: { host: "127.0.0.1", port: ports.http },
    radius: {
      host: "127.0.0.1",
      authPort: ports.radiusAuth,
      acctPort: ports.radiusAcct,
      clients: [
        { address: "127.0.0.1", name: "e2e-nas", secret: { env: "FOYER_E2E_RADIUS_SECRET" } },
      ],
    },
    log: { level: "info" },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** The parts of the agent's `/status` document the tests read. */
export interface AgentStatusDocument {
  outbox: { depth: number; parked: number };
  uplink: { state: string; lastResult: { ok: boolean; status: number | null } | null };
  counters: Record<string, number>;
}

export interface AgentChild {
  ports: AgentPorts;
  /** Every stdout/stderr line so far (JSON log lines). */
  lines: string[];
  /** `kill -9`: no shutdown code runs. Resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (a clean stop); SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** GET /status as the operator sees it. */
  status(): Promise<AgentStatusDocument>;
}

/** Starts the agent process; resolves once it logged `agent listening` with its ports. */
export async function startAgentChild(settings: AgentSettings): Promise<AgentChild> {
  const config = writeAgentConfig(settings);
  const child = spawn(process.execPath, [MAIN, "start", "--config", config], {
    env: {
      ...process.env,
      FOYER_E2E_VENUE_KEY: settings.venueKey,
      FOYER_E2E_WRITE_KEY: settings.writeKey,
      FOYER_E2E_RADIUS_SECRET: settings.radiusSecret,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ports = await new Promise<AgentPorts>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`agent not listening after ${LISTEN_TIMEOUT_MS} ms:\n${tail(lines)}`));
    }, LISTEN_TIMEOUT_MS);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (code ${code}, signal ${signal}):\n${tail(lines)}`));
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        lines.push(line);
        const record = listeningRecord(line);
        if (record) {
          clearTimeout(timer);
          resolve(record);
        }
      });
    }
  });
  const http = `http://127.0.0.1:${ports.http}`;
  return {
    ports,
    lines,
    kill9: () => signalAndWait(child, "SIGKILL", exited),
    stop: async () => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await signalAndWait(child, "SIGTERM", exited);
      clearTimeout(timer);
    },
    status: async () => {
      const response = await fetch(`${http}/status`);
      return (await response.json()) as AgentStatusDocument;
    },
  };
}

function listeningRecord(line: string): AgentPorts | undefined {
  if (!line.startsWith("{")) return undefined;
  const record = JSON.parse(line) as Record<string, unknown>;
  if (record.msg !== "agent listening") return undefined;
  const { http, radiusAuth, radiusAcct } = record;
  if (typeof http !== "number" || typeof radiusAuth !== "number" || typeof radiusAcct !== "number")
    throw new Error(`agent listening line without ports: ${line}`);
  return { http, radiusAuth, radiusAcct };
}

async function signalAndWait(
  child: ChildProcess,
  signal: NodeJS.Signals,
  exited: Promise<void>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await exited;
}

function tail(lines: readonly string[]): string {
  return lines.slice(-20).join("\n");
}
