// Assembles a running agent from a parsed config: one SQLite file, the outbox and its uplink, the
// RADIUS server, the controller inputs, and the HTTP server. Owns start order and shutdown order.
import type { AgentConfig } from "../config/schema.ts";
import { controllersConfigSchema } from "../controllers/config.ts";
import type { InputDeps } from "../controllers/deps.ts";
import { startControllerInputs, type ControllerInputs } from "../controllers/inputs.ts";
import { createPortal } from "../portal/index.ts";
import { agentApp, type HttpMount } from "../http/app.ts";
import { startHttp } from "../http/server.ts";
import type { JsonLog } from "../log/json-log.ts";
import { macIdentifier } from "../mac/hash.ts";
import { openAgentDatabase } from "../outbox/database.ts";
import { GroupCommit } from "../outbox/group-commit.ts";
import { Outbox } from "../outbox/outbox.ts";
import { openSqlitePresenceStore } from "../presence/sqlite-store.ts";
import { CredentialStore } from "../radius/credentials.ts";
import { OpenSessions } from "../radius/open-sessions.ts";
import { controllerFetch } from "../controllers/unifi/controller-fetch.ts";
import { RadiusServer } from "../radius/server.ts";
import { Counters, writeAgentState } from "../state/agent-state.ts";
import { Uplink } from "../uplink/uplink.ts";

export interface RunningAgent {
  ports: { http: number; radiusAuth: number | null; radiusAcct: number | null };
  deps: InputDeps;
  credentials: CredentialStore;
  status(): AgentStatus;
  stop(): Promise<void>;
}

export interface AgentStatus {
  venue: string;
  startedAt: string;
  outbox: ReturnType<Outbox["stats"]>;
  uplink: { state: string; lastResult: Uplink["lastResult"] };
  counters: Record<string, number>;
  ports: RunningAgent["ports"];
}

/** Starts every part; on a start failure, stops what was started and rethrows. */
export async function startAgent(
  config: AgentConfig,
  log: JsonLog,
  extraMounts: readonly HttpMount[] = [],
): Promise<RunningAgent> {
  const db = openAgentDatabase(config.outbox.path, config.outbox.synchronous);
  const outbox = new Outbox(db, { maxRows: config.outbox.maxRows });
  const counters = new Counters(db);
  // The venue key seals one-time passwords for CHAP (radius/sealed-password.ts).
  const credentials = new CredentialStore(db, Date.now, { sealingSecret: config.venue.key });
  const uplink = new Uplink(outbox, {
    edgeUrl: config.edge.url,
    writeKey: config.edge.writeKey,
    batchSize: config.edge.batchSize,
    log,
    onResult: (r) => writeAgentState(db, "uplink.last", r),
  });
  const deps: InputDeps = {
    identifyMac: macIdentifier(config.venue.key),
    append: (messages, cls) => {
      outbox.append(messages, cls);
      uplink.notify();
    },
    count: (name, by) => counters.count(name, by),
    now: () => new Date(),
    log,
  };
  const groupCommit = new GroupCommit(outbox, () => uplink.notify());
  const venue = { id: config.venue.id, groupId: config.venue.id };
  const startedAt = new Date().toISOString();
  const stops: (() => Promise<void> | void)[] = [
    () => db.close(),
    () => counters.flush(),
    () => uplink.stop(),
  ];
  const stopAll = async () => {
    for (const stop of stops.reverse().splice(0)) {
      try {
        await stop();
      } catch (error) {
        log.error("shutdown step failed", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };
  const openSessions = new OpenSessions(db);
  try {
    let radiusPorts: { auth: number; acct: number } | null = null;
    if (config.radius.enabled) {
      const { radius } = config;
      const server = new RadiusServer(
        { ...radius, policy: radius },
        {
          ...deps,
          appendDurably: (messages, cls) => groupCommit.append(messages, cls),
          credentials,
          openSessions,
          venue,
        },
      );
      radiusPorts = await server.start();
      stops.push(() => server.stop());
    }
    let controllers: ControllerInputs | undefined;
    if (config.controllers || config.mqtt) {
      controllers = startControllerInputs({
        ...deps,
        config: config.controllers ?? controllersConfigSchema.parse({}),
        venue,
        presenceStore: openSqlitePresenceStore(db),
        ...(config.mqtt ? { mqtt: config.mqtt } : {}),
      });
      const c = controllers;
      stops.push(() => c.stop());
    }
    const ports = {
      http: 0,
      radiusAuth: radiusPorts?.auth ?? null,
      radiusAcct: radiusPorts?.acct ?? null,
    };
    const status = (): AgentStatus => ({
      venue: config.venue.id,
      startedAt,
      outbox: outbox.stats(),
      uplink: { state: uplink.state, lastResult: uplink.lastResult },
      counters: counters.snapshot(),
      ports,
    });
    // The captive portal (portal/) shares the agent's outbox, credentials and database.
    const portalMounts = config.portal?.enabled
      ? [
          createPortal({
            config: config.portal,
            venue: { id: config.venue.id, name: config.venue.name },
            input: deps,
            credentials,
            db,
            // The MAC a redirect claims is bound only if RADIUS accounting framed this address
            // for it (agent/portal/http/mac-binding.ts).
            observedMacHash: (ip) => openSessions.macHashAt(ip),
            // The pinned TLS client, as the UniFi event stream uses (never plain fetch).
            ...(config.portal.unifi ? { fetch: controllerFetch(config.portal.unifi) } : {}),
          }),
        ]
      : [];
    const mounts = [
      ...(controllers ? [{ path: "/", app: controllers.app }] : []),
      ...portalMounts,
      ...extraMounts,
    ];
    const app = agentApp({
      status,
      mounts,
      statusAllowedSources: config.http.statusAllowedSources,
    });
    const http = await startHttp(app, config.http.host, config.http.port);
    ports.http = http.port;
    stops.push(() => http.close());
    const flush = setInterval(() => counters.flush(), 5_000);
    flush.unref();
    stops.push(() => clearInterval(flush));
    uplink.start();
    log.info("agent listening", {
      http: ports.http,
      radiusAuth: ports.radiusAuth,
      radiusAcct: ports.radiusAcct,
      venue: config.venue.id,
    });
    return { ports, deps, credentials, status, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
