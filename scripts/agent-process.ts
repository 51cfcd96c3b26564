// The seam where the venue agent (and the captive portal it hosts) joins `npm start`: when
// `agent/main.ts` exists it is started as a child process with the demo source's write key, its
// JSON log lines are relayed, and its listening ports are reported from the `agent listening` line.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

export interface AgentProcess {
  /** Resolves with the fields of the agent's `{"msg":"agent listening",...}` log line. */
  listening: Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs` if it has not exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGTERM now, without waiting (for exit paths that cannot await). */
  terminate(): void;
}

export interface AgentStartOptions {
  repoRoot: string;
  edgeUrl: URL;
  writeKey: string;
  /** Where each relayed log line goes. */
  log: (line: string) => void;
}

/** Starts the agent when `agent/main.ts` exists; undefined otherwise (not built yet). */
export function startAgentIfPresent(options: AgentStartOptions): AgentProcess | undefined {
  const entry = path.join(options.repoRoot, "agent", "main.ts");
  const config = path.join(options.repoRoot, "agent", "demo.config.yaml");
  if (!existsSync(entry)) return undefined;
  const child = spawn(process.execPath, [entry, "start", "--config", config], {
    cwd: options.repoRoot,
    env: {
      ...process.env,
      FOYER_WRITE_KEY: options.writeKey,
      FOYER_EDGE_URL: options.edgeUrl.href,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("exit", (code, signal) =>
      reject(new Error(`agent exited before listening (code ${code}, signal ${signal})`)),
    );
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        options.log(`[agent] ${line}`);
        const record = parseJsonLine(line);
        if (record?.msg === "agent listening") resolve(record);
      });
    }
  });
  // The caller may never await `listening` (e.g. Ctrl-C first): keep that from crashing Node.
  listening.catch(() => undefined);
  return {
    listening,
    stop: (graceMs = 5_000) => stopChild(child, graceMs),
    terminate: () => void child.kill("SIGTERM"),
  };
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
