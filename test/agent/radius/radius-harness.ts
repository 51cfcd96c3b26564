// A real RADIUS server on 127.0.0.1 (ephemeral ports) with a real SQLite outbox in a temp dir, a
// JSON log captured to memory, and helpers to drive it with FreeRADIUS radclient.
import { spawn, spawnSync } from "node:child_process";
import { afterEach, beforeEach } from "vitest";
import path from "node:path";
import type { OutboxMessage } from "../../../agent/controllers/deps.ts";
import { createJsonLog } from "../../../agent/log/json-log.ts";
import { macIdentifier } from "../../../agent/mac/hash.ts";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { GroupCommit } from "../../../agent/outbox/group-commit.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";
import { CredentialStore } from "../../../agent/radius/credentials.ts";
import { OpenSessions } from "../../../agent/radius/open-sessions.ts";
import { RadiusServer, type RadiusServerOptions } from "../../../agent/radius/server.ts";
import { Counters } from "../../../agent/state/agent-state.ts";
import { tempDir } from "../outbox/outbox-fixture.ts";

export const SECRET = "testing123";
export const VENUE_KEY = "venue-key-for-radius-tests";

export const hasRadclient = spawnSync("radclient", ["-v"], { encoding: "utf8" }).status === 0;
if (!hasRadclient)
  console.warn(
    "radclient not found: install the Debian package freeradius-utils to run the RADIUS tests",
  );

export interface Harness {
  server: RadiusServer;
  ports: { auth: number; acct: number };
  outbox: Outbox;
  credentials: CredentialStore;
  counters: Counters;
  logLines: string[];
  stored(): OutboxMessage[];
  close(): Promise<void>;
}

/** Starts a server; `options` override the defaults (PAP policy with bandwidth, M-A required). */
export async function startHarness(options: Partial<RadiusServerOptions> = {}): Promise<Harness> {
  const { dir, cleanup } = tempDir("foyer-radius-");
  const db = openAgentDatabase(path.join(dir, "agent.sqlite"));
  const outbox = new Outbox(db, { maxRows: 100_000 });
  const credentials = new CredentialStore(db, Date.now, { sealingSecret: VENUE_KEY });
  const counters = new Counters(db);
  const groupCommit = new GroupCommit(outbox);
  const logLines: string[] = [];
  const server = new RadiusServer(
    {
      host: "127.0.0.1",
      authPort: 0,
      acctPort: 0,
      clients: [{ address: "127.0.0.1", secret: SECRET, name: "test-nas" }],
      requireMessageAuthenticator: true,
      policy: {
        sessionTimeout: 3600,
        idleTimeout: 600,
        interimInterval: 300,
        bandwidth: { upBps: 5_000_000, downBps: 20_000_000 },
        macAuth: { enabled: true, windowDays: 30 },
      },
      ...options,
    },
    {
      identifyMac: macIdentifier(VENUE_KEY),
      append: (m, cls) => void outbox.append(m, cls),
      appendDurably: (m, cls) => groupCommit.append(m, cls),
      count: (name, by) => counters.count(name, by),
      now: () => new Date(),
      log: createJsonLog("debug", (line) => logLines.push(line)),
      credentials,
      openSessions: new OpenSessions(db),
      venue: { id: "venue-1", groupId: "venue-1" },
    },
  );
  const ports = await server.start();
  return {
    server,
    ports,
    outbox,
    credentials,
    counters,
    logLines,
    stored: () => outbox.lease(100_000).map((i) => i.message),
    close: async () => {
      await server.stop();
      db.close();
      cleanup();
    },
  };
}

/**
 * Runs radclient with attribute lines on stdin (asynchronously: the server under test shares this
 * event loop); returns its exit status and output.
 */
export function radclient(
  port: number,
  kind: "auth" | "acct" | "status",
  attributes: string,
  secret = SECRET,
  extra: string[] = [],
): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "radclient",
      ["-x", "-r", "1", "-t", "1", ...extra, `127.0.0.1:${port}`, kind, secret],
      {
        stdio: ["pipe", "pipe", "ignore"],
      },
    );
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout }));
    child.stdin.end(attributes);
  });
}

/**
 * A fresh harness before each test of the file, closed after it; `use` receives each one (the
 * suites keep it in a `let h`).
 */
export function harnessPerTest(
  use: (harness: Harness) => void,
  options: Partial<RadiusServerOptions> = {},
): void {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness(options);
    use(current);
  });
  afterEach(async () => {
    await current?.close();
  });
}

/** The guest device every request of the radclient suites comes from. */
export const GUEST_MAC = "F2-62-E7-99-63-C6";
/** The station attributes those requests carry: guest MAC, AP MAC with SSID, NAS. */
export const GUEST_STATION =
  `Calling-Station-Id = "${GUEST_MAC}"\n` +
  `Called-Station-Id = "D0-15-A6-C2-74-D0:Guest WiFi"\nNAS-Identifier = "venue-01"\n`;
