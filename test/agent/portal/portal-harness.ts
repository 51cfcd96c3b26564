// A real portal on real agent parts: a SQLite file in a temp dir holding the durable outbox, the
// RADIUS credential store and the portal's guest tables; the real MAC hashing; a JSON log captured
// in memory so tests can prove no PII is written. Only the clock is injectable.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { InputDeps, OutboxMessage } from "../../../agent/controllers/deps.ts";
import { agentApp } from "../../../agent/http/app.ts";
import { createJsonLog } from "../../../agent/log/json-log.ts";
import { macIdentifier } from "../../../agent/mac/hash.ts";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";
import { CredentialStore } from "../../../agent/radius/credentials.ts";
import { OpenSessions } from "../../../agent/radius/open-sessions.ts";
import {
  createPortal,
  portalConfigSchema,
  type PortalConfig,
} from "../../../agent/portal/index.ts";

export const VENUE_KEY = "test-venue-key-0123456789";
export const PORTAL_SECRET = "portal-test-secret-0123456789abcdef";
/** The client address the portal reads for `app.request()` calls, which have no socket. */
export const IN_PROCESS_CLIENT = "unknown";

export interface PortalHarness {
  app: ReturnType<typeof agentApp>;
  config: PortalConfig;
  db: DatabaseSync;
  outbox: Outbox;
  credentials: CredentialStore;
  logLines: string[];
  clock: { now: number };
  hashMac(mac: string): string;
  /**
   * What the venue's NAS tells the agent over RADIUS accounting: a session for `mac` framed at
   * `ip` (the agent's real open-session table). Only such a MAC is bound to a portal login.
   */
  observe(ip: string, mac: string): void;
  /** Every message appended so far, in order (leases them, so call once per check). */
  drain(): OutboxMessage[];
  close(): void;
}

/** Builds the agent app with the portal mounted; `config` is the raw `portal` config section. */
export function portalHarness(
  config: Record<string, unknown> = {},
  options: { fetch?: typeof fetch; venueName?: string } = {},
): PortalHarness {
  const dir = mkdtempSync(path.join(tmpdir(), "foyer-portal-"));
  const db = openAgentDatabase(path.join(dir, "agent.sqlite"), "normal");
  // Real time at start: the browser drops cookies whose Expires is in its own past.
  const clock = { now: Date.now() };
  const outbox = new Outbox(db, { maxRows: 10_000, now: () => clock.now });
  const credentials = new CredentialStore(db, () => clock.now);
  const logLines: string[] = [];
  const identifyMac = macIdentifier(VENUE_KEY);
  const input: InputDeps = {
    identifyMac,
    append: (messages, cls) => void outbox.append(messages, cls),
    count: () => undefined,
    now: () => new Date(clock.now),
    log: createJsonLog("debug", (line) => logLines.push(line)),
  };
  const parsed = portalConfigSchema.parse({ secret: PORTAL_SECRET, ...config });
  const openSessions = new OpenSessions(db);
  let sessions = 0;
  const mount = createPortal({
    config: parsed,
    venue: { id: "venue-1", name: options.venueName ?? "Harbour Café" },
    input,
    credentials,
    db,
    observedMacHash: (ip) => openSessions.macHashAt(ip),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const app = agentApp({ status: () => ({}), mounts: [mount] });
  return {
    app,
    config: parsed,
    db,
    outbox,
    credentials,
    logLines,
    clock,
    hashMac: (mac) => identifyMac(mac).hash,
    observe: (ip, mac) => {
      sessions += 1;
      openSessions.open("test-nas", {
        sessionId: `s-${sessions}`,
        macHash: identifyMac(mac).hash,
        randomized: identifyMac(mac).randomized,
        startedAt: clock.now + sessions,
        framedIp: ip,
      });
    },
    drain: () => {
      const items = outbox.lease(1000);
      outbox.ack(items.map((i) => i.id));
      return items.map((i) => i.message);
    },
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
