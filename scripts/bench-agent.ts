// The venue agent's benchmark (issue 5): RADIUS accounting requests per second answered durably by
// the agent process (real SQLite outbox, synchronous=FULL) beside FreeRADIUS (Debian `freeradius`,
// default config) answering the same radclient load (same request file, same `-p`) in the same
// run, as a ratio (goal ≥ 0.5); and the outbox drain rate to Foyer's edge under wrangler's local
// runtime. Loopback only. `node scripts/bench-agent.ts` runs it alone and writes
// bench-results/agent-<date>.json; `runAgentBench()` + `printAgentBench()` are for `npm run bench`.
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { accountingPackets, radclientFile } from "../test/bench/agent-accounting-load.ts";
import { freeradiusMissing, startFreeradius } from "../test/bench/agent-freeradius.ts";
import { hasRadclient, runRadclient } from "../test/bench/agent-radclient.ts";
import { startAgentChild, type AgentChild, type AgentSettings } from "../test/e2e/agent-process.ts";
import { startVenueEdge, storedCounts } from "../test/e2e/agent-edge.ts";
import { REPO_ROOT } from "./local-edge.ts";

const SECRET = "bench-radius-secret";
const GOAL_RATIO = 0.5;
// Nothing listens there: during the RADIUS phase the uplink only backs off, as FreeRADIUS has no
// uplink either. The drain phase then points the same outbox at a real edge.
const NO_EDGE = new URL("http://127.0.0.1:9/");
const DRAIN_TIMEOUT_MS = 300_000;

export interface RadiusRate {
  target: string;
  answered: number;
  lost: number;
  seconds: number;
  requestsPerSecond: number;
}

export interface AgentBenchResult {
  requests: number;
  parallel: number;
  agent: RadiusRate;
  /** The same agent with synchronous=NORMAL (survives kill -9, not power loss): the fsync's share. */
  agentNormalSync: RadiusRate;
  freeradius: RadiusRate | { skipped: string };
  /** agent (FULL) / FreeRADIUS, or null when FreeRADIUS was skipped. */
  ratio: number | null;
  goalRatio: number;
  drain: {
    events: number;
    /** Until the agent's outbox was empty (every batch answered 200 by the edge). */
    ackedSeconds: number;
    ackedPerSecond: number;
    /** Until D1 held every event (the edge's queue consumer is asynchronous). */
    storedSeconds: number;
    storedPerSecond: number;
  };
}

export interface AgentBenchOptions {
  requests: number;
  parallel: number;
  /** Where the agent outbox, FreeRADIUS config and edge state live (recreated). */
  root: string;
  log: (line: string) => void;
}

function options(overrides: Partial<AgentBenchOptions>): AgentBenchOptions {
  return {
    requests: Number(process.env.FOYER_BENCH_AGENT_REQUESTS ?? "10000"),
    parallel: Number(process.env.FOYER_BENCH_AGENT_PARALLEL ?? "32"),
    root: path.join(REPO_ROOT, ".foyer", "bench"),
    log: (line) => process.stdout.write(`${line}\n`),
    ...overrides,
  };
}

/** Runs the whole agent benchmark; needs radclient (freeradius-utils). */
export async function runAgentBench(
  overrides: Partial<AgentBenchOptions> = {},
): Promise<AgentBenchResult> {
  const o = options(overrides);
  if (!hasRadclient)
    throw new Error("radclient not found: install the Debian package freeradius-utils");
  const sessions = Math.ceil(o.requests / 2);
  await rm(path.join(o.root, "agent"), { recursive: true, force: true });
  await rm(path.join(o.root, "agent-normal"), { recursive: true, force: true });
  await mkdir(o.root, { recursive: true });
  // Few distinct guests: every guest is an identity Durable Object at the edge (drain phase).
  const load = accountingPackets({ sessions, runTag: 1, statuses: ["Start", "Stop"], guests: 20 });
  const warmup = accountingPackets({
    sessions: 250,
    runTag: 2,
    statuses: ["Start", "Stop"],
    guests: 20,
  });
  const loadFile = path.join(o.root, "agent-load.txt");
  const warmupFile = path.join(o.root, "agent-warmup.txt");
  await writeFile(loadFile, radclientFile(load));
  await writeFile(warmupFile, radclientFile(warmup));
  const measure = async (target: string, port: number): Promise<RadiusRate> => {
    await runRadclient({ port, secret: SECRET, file: warmupFile, parallel: o.parallel });
    const started = performance.now();
    const run = await runRadclient({
      port,
      secret: SECRET,
      file: loadFile,
      parallel: o.parallel,
      timeoutSeconds: 5,
    });
    const seconds = (performance.now() - started) / 1000;
    const rate = {
      target,
      answered: run.accepted,
      lost: run.lost,
      seconds,
      requestsPerSecond: run.accepted / seconds,
    };
    o.log(`  ${target}: ${rate.requestsPerSecond.toFixed(0)} requests/s`);
    return rate;
  };

  const settings = (dir: string, synchronous: "full" | "normal"): AgentSettings => ({
    dir,
    edgeUrl: NO_EDGE,
    writeKey: "wk_bench_placeholder",
    venueKey: "bench-venue-key-0123456789",
    radiusSecret: SECRET,
    synchronous,
  });
  const fullSettings = settings(path.join(o.root, "agent"), "full");
  await mkdir(fullSettings.dir, { recursive: true });
  o.log(`agent RADIUS accounting: ${load.length} requests, radclient -p ${o.parallel}`);
  const { agent, depth } = await withAgent(fullSettings, async (a) => ({
    agent: await measure("foyer agent (synchronous=full)", a.ports.radiusAcct),
    depth: (await a.status()).outbox.depth,
  }));
  const normalSettings = settings(path.join(o.root, "agent-normal"), "normal");
  await mkdir(normalSettings.dir, { recursive: true });
  const agentNormalSync = await withAgent(normalSettings, (a) =>
    measure("foyer agent (synchronous=normal)", a.ports.radiusAcct),
  );

  const missing = freeradiusMissing();
  let freeradius: AgentBenchResult["freeradius"] = { skipped: missing ?? "" };
  if (missing === null) {
    const server = await startFreeradius(path.join(o.root, "freeradius"), SECRET);
    try {
      freeradius = await measure("freeradius (Debian default config)", server.ports.acct);
    } finally {
      await server.stop();
    }
  } else o.log(`  freeradius comparison skipped: ${missing}`);

  const drain = await measureDrain(fullSettings, depth, o);
  return {
    requests: load.length,
    parallel: o.parallel,
    agent,
    agentNormalSync,
    freeradius,
    ratio: "skipped" in freeradius ? null : agent.requestsPerSecond / freeradius.requestsPerSecond,
    goalRatio: GOAL_RATIO,
    drain,
  };
}

async function withAgent<T>(
  settings: AgentSettings,
  work: (a: AgentChild) => Promise<T>,
): Promise<T> {
  const agent = await startAgentChild(settings);
  try {
    return await work(agent);
  } finally {
    await agent.stop();
  }
}

/** Restarts the agent on its filled outbox, now pointed at a fresh local edge, and times the drain. */
async function measureDrain(
  settings: AgentSettings,
  events: number,
  o: AgentBenchOptions,
): Promise<AgentBenchResult["drain"]> {
  const edgeDir = path.join(o.root, "agent-edge");
  await rm(edgeDir, { recursive: true, force: true });
  const venue = await startVenueEdge(edgeDir);
  try {
    const agent = await startAgentChild({
      ...settings,
      edgeUrl: venue.edge.url,
      writeKey: venue.writeKey,
    });
    const started = performance.now();
    try {
      o.log(`outbox drain: ${events} events to the local worker`);
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      let ackedSeconds = Number.NaN;
      let storedSeconds = Number.NaN;
      while (Date.now() < deadline && Number.isNaN(storedSeconds)) {
        if (Number.isNaN(ackedSeconds) && (await agent.status()).outbox.depth === 0)
          ackedSeconds = (performance.now() - started) / 1000;
        if ((await storedCounts(venue)).rows >= events)
          storedSeconds = (performance.now() - started) / 1000;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (Number.isNaN(storedSeconds))
        throw new Error(`the edge did not store ${events} events in ${DRAIN_TIMEOUT_MS} ms`);
      if (Number.isNaN(ackedSeconds)) ackedSeconds = storedSeconds;
      return {
        events,
        ackedSeconds,
        ackedPerSecond: events / ackedSeconds,
        storedSeconds,
        storedPerSecond: events / storedSeconds,
      };
    } finally {
      await agent.stop();
    }
  } finally {
    await venue.edge.stop();
  }
}

/** Prints the result as a small table plus the ratio against the goal. */
export function printAgentBench(
  result: AgentBenchResult,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): void {
  write("");
  write(
    `RADIUS accounting, answered (${result.requests} requests, same radclient file, -p ${result.parallel})`,
  );
  const rows: RadiusRate[] = [result.agent, result.agentNormalSync];
  if (!("skipped" in result.freeradius)) rows.push(result.freeradius);
  write(
    `  ${"target".padEnd(36)} ${"answered".padStart(8)} ${"lost".padStart(5)} ${"s".padStart(7)} ${"req/s".padStart(8)}`,
  );
  for (const r of rows) {
    write(
      `  ${r.target.padEnd(36)} ${String(r.answered).padStart(8)} ${String(r.lost).padStart(5)} ${r.seconds.toFixed(2).padStart(7)} ${r.requestsPerSecond.toFixed(0).padStart(8)}`,
    );
  }
  if ("skipped" in result.freeradius) {
    write(`  FreeRADIUS comparison skipped: ${result.freeradius.skipped}`);
  } else if (result.ratio !== null) {
    const verdict = result.ratio >= result.goalRatio ? "meets" : "BELOW";
    write(
      `  agent (synchronous=full) / FreeRADIUS = ${result.ratio.toFixed(2)} (${verdict} the goal ≥ ${result.goalRatio})`,
    );
  }
  const d = result.drain;
  write(
    `Outbox drain to the local worker: ${d.events} events, all answered 200 in ${d.ackedSeconds.toFixed(2)} s (${d.ackedPerSecond.toFixed(0)} events/s), all stored in ${d.storedSeconds.toFixed(2)} s (${d.storedPerSecond.toFixed(0)} events/s)`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runAgentBench();
  printAgentBench(result);
  const out = path.join(REPO_ROOT, "bench-results");
  await mkdir(out, { recursive: true });
  const file = path.join(out, `agent-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
}
