// `npm start`: Foyer on one machine. Starts the edge worker under wrangler's local runtime with
// its state in `.foyer/state`, provisions (or reuses) the demo space and source, starts the venue
// agent when it exists, prints how to use them, and stops everything on Ctrl-C.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { startAgentIfPresent, type AgentProcess } from "./agent-process.ts";
import { ensureDemoWorkspace, readDemoCredentials } from "./demo-workspace.ts";
import { REPO_ROOT, startLocalEdge, type WranglerLogLevel } from "./local-edge.ts";

// FOYER_DEMO_FILE, FOYER_STATE_DIR and FOYER_AGENT=off let a test run a second stack beside a
// developer's own (the agent's demo config has fixed ports).
const DEMO_FILE = process.env.FOYER_DEMO_FILE ?? path.join(REPO_ROOT, ".foyer", "demo.json");
const STATE_DIR = process.env.FOYER_STATE_DIR ?? path.join(REPO_ROOT, ".foyer", "state");

/** One line per step, printed as the step begins: a cold start takes seconds, never in silence. */
const progress = (step: string): void => console.log(`foyer: ${step}`);

progress(`starting Foyer on this machine (state in ${STATE_DIR})…`);
const saved = await readDemoCredentials(DEMO_FILE);
const port = Number(process.env.FOYER_PORT ?? "8787");
// A local stack: webhooks may point at receivers on this machine, unless FOYER_DESTINATIONS=strict.
// A deploy reads wrangler.toml alone and stays strict.
const privateDestinations = process.env.FOYER_DESTINATIONS === "strict" ? "strict" : "loopback";
const edge = await startLocalEdge({
  privateDestinations,
  port,
  persistDir: STATE_DIR,
  logLevel: (process.env.FOYER_LOG_LEVEL ?? "warn") as WranglerLogLevel,
  adminToken: process.env.FOYER_ADMIN_TOKEN ?? saved?.adminToken ?? randomBytes(32).toString("hex"),
  onProgress: progress,
});
progress(`edge is up at ${edge.url.href}`);

let agent: AgentProcess | undefined;
// Miniflare registered its own SIGINT/SIGTERM hook when the edge started: it kills workerd and
// exits synchronously. Ours runs first (prepended) and only does what is synchronous: tell the
// agent to stop (it finishes its own graceful shutdown, e.g. flushing its outbox) and say so.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.prependListener(signal, () => {
    console.log(`\n${signal}: stopping the agent and the edge…`);
    agent?.terminate();
  });
  // Fallback should Miniflare's hook not exit (e.g. a future wrangler): stop cleanly ourselves.
  process.on(signal, () => {
    void edge.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}

try {
  progress(saved === undefined ? "creating demo space…" : "checking the saved demo space…");
  const { credentials, created } = await ensureDemoWorkspace(edge.url, edge.adminToken, DEMO_FILE);
  const basic = Buffer.from(`${credentials.writeKey}:`).toString("base64");
  const trackUrl = new URL("/v1/track", edge.url).href;
  const curl =
    `curl -sS -X POST ${trackUrl} -u '${credentials.writeKey}:' ` +
    `-H 'content-type: application/json' ` +
    `-d '{"userId":"demo-user","event":"Demo Event","properties":{"from":"curl"}}'`;
  console.log(
    [
      "",
      "Foyer is running (wrangler local runtime; state in " + edge.persistDir + ")",
      "",
      `  edge URL      ${edge.url.href}`,
      `  write key     ${credentials.writeKey}   (Basic auth: ${basic})`,
      `  admin token   ${credentials.adminToken}`,
      `  demo space    ${credentials.spaceId}`,
      `  demo source   ${credentials.sourceId}${created ? "   (created now)" : `   (reused from ${path.relative(REPO_ROOT, DEMO_FILE)})`}`,
      `  venue source  ${credentials.venueSourceId}   (write key ${credentials.venueWriteKey}, used by the agent)`,
      `  Profile API   token ${credentials.profileToken}`,
      `  destinations  ${privateDestinations === "loopback" ? "may reach loopback (127.0.0.1, ::1) as well as public hosts; FOYER_DESTINATIONS=strict refuses it as a deploy does" : "public hosts only (FOYER_DESTINATIONS=strict)"}`,
      "",
      "Send an event:",
      `  ${curl}`,
      "Read the profile (after a second or so):",
      `  curl -sS ${new URL(`/v1/spaces/${credentials.spaceId}/collections/users/profiles/user_id:demo-user/events`, edge.url).href} -u '${credentials.profileToken}:'`,
      "Read it back from the events index:",
      `  curl -sS ${new URL(`/admin/v1/sources/${credentials.sourceId}/events`, edge.url).href} -H 'authorization: Bearer ${credentials.adminToken}'`,
      "",
    ].join("\n"),
  );

  if (process.env.FOYER_AGENT !== "off") progress("starting the agent…");
  agent =
    process.env.FOYER_AGENT === "off"
      ? undefined
      : startAgentIfPresent({
          repoRoot: REPO_ROOT,
          edgeUrl: edge.url,
          writeKey: credentials.venueWriteKey,
          log: (line) => console.log(line),
        });
  if (process.env.FOYER_AGENT === "off") {
    console.log("  agent         off (FOYER_AGENT=off): edge only");
  } else if (agent === undefined) {
    console.log("  agent         not built yet (agent/main.ts absent): edge only");
  } else {
    try {
      const { msg: _msg, level: _level, time: _time, ...ports } = await agent.listening;
      console.log(`  agent         listening ${JSON.stringify(ports)}`);
      if (typeof ports.http === "number") {
        console.log(
          `  portal        http://127.0.0.1:${ports.http}/portal   (captive portal, demo venue)`,
        );
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.warn(`  agent         did not start (${reason}); the edge keeps running`);
    }
  }
  console.log("\nCtrl-C stops everything.");
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await agent?.stop();
  await edge.stop();
  process.exit(1);
}
