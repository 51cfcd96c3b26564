// The end-to-end venue: a temporary directory, Foyer's edge under wrangler's local runtime and the
// agent process pointed at it, started once per suite and torn down after it. Suites read and
// replace `stack.agent` / `stack.venue` (a restart puts the new one there, and teardown stops it).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { hasRadclient } from "../bench/agent-radclient.ts";
import { startVenueEdge, type VenueEdge } from "./agent-edge.ts";
import { startAgentChild, type AgentChild, type AgentSettings } from "./agent-process.ts";

export interface VenueStack {
  dir: string;
  venue: VenueEdge;
  agent: AgentChild;
  settings: AgentSettings;
}

/**
 * Registers the suite's `beforeAll`/`afterAll` for a venue stack named `name`; the returned object
 * is filled before the first test. `settings` are the agent's beyond dir, edge URL and write key.
 */
export function venueStackPerSuite(
  name: string,
  settings: Omit<AgentSettings, "dir" | "edgeUrl" | "writeKey">,
): VenueStack {
  const stack = {} as VenueStack;
  beforeAll(async () => {
    stack.dir = await mkdtemp(path.join(os.tmpdir(), `foyer-e2e-${name}-`));
    stack.venue = await startVenueEdge(path.join(stack.dir, "edge"));
    stack.settings = {
      ...settings,
      dir: stack.dir,
      edgeUrl: stack.venue.edge.url,
      writeKey: stack.venue.writeKey,
    };
    stack.agent = await startAgentChild(stack.settings);
  });
  afterAll(async () => {
    await stack.agent?.stop();
    await stack.venue?.edge.stop();
    if (stack.dir) await rm(stack.dir, { recursive: true, force: true });
  });
  return stack;
}

/** Says once, at load, which suite skips for want of radclient. */
export function warnWithoutRadclient(file: string): void {
  if (!hasRadclient)
    console.warn(`radclient not found: install the Debian package freeradius-utils to run ${file}`);
}
