// `agent status`: asks the running agent's /status, or reads the SQLite file when it is not running.
import { existsSync } from "node:fs";
import type { AgentConfig } from "../config/schema.ts";
import { openAgentDatabaseReadOnly } from "../outbox/database.ts";
import { readOutboxStats } from "../outbox/outbox.ts";
import { readAgentState, readCounters } from "../state/agent-state.ts";

/** The status document and where it came from. */
export async function readStatus(
  config: AgentConfig,
  fetchImpl: typeof fetch = fetch,
): Promise<{ source: "running-agent" | "database" | "none"; status: unknown }> {
  const host = config.http.host === "0.0.0.0" ? "127.0.0.1" : config.http.host;
  try {
    const res = await fetchImpl(
      `http://${host.includes(":") ? `[${host}]` : host}:${config.http.port}/status`,
      {
        signal: AbortSignal.timeout(2_000),
      },
    );
    if (res.ok) return { source: "running-agent", status: await res.json() };
  } catch {
    // Not running (or not reachable): fall back to the file.
  }
  if (!existsSync(config.outbox.path))
    return { source: "none", status: { error: `no database at ${config.outbox.path}` } };
  const db = openAgentDatabaseReadOnly(config.outbox.path);
  try {
    let outbox: unknown;
    try {
      outbox = readOutboxStats(db);
    } catch {
      outbox = null;
    }
    return {
      source: "database",
      status: {
        venue: config.venue.id,
        outbox,
        uplink: { state: "not running", lastResult: readAgentState(db, "uplink.last") },
        counters: readCounters(db),
      },
    };
  } finally {
    db.close();
  }
}
