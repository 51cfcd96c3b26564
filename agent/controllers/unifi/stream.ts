// The UniFi event-stream client: login → WebSocket `…/wss/s/{site}/events?clients=v2` with the
// session cookie → frames through the pure parser → durable append. Reconnects (with a fresh
// login, since sessions expire) with exponential backoff; node-unifi's `ping` keep-alive every few
// seconds lets a dead connection surface as a close. The WebSocket is the `ws` package's, over
// `controllerConnector`, which applies the controller's CA or certificate pin (trust.ts); the login
// goes through the same connector (controller-fetch.ts).
import WebSocket from "ws";
import type { UnifiConfig } from "../config.ts";
import type { InputDeps, OutboxClass, OutboxMessage } from "../deps.ts";
import type { VenueRef } from "../venue.ts";
import { reconnectDelayMs } from "./backoff.ts";
import { controllerFetch } from "./controller-fetch.ts";
import { parseUnifiFrame } from "./event-frame.ts";
import { isMappedUnifiKey, unifiEventMessage } from "./events.ts";
import { unifiLogin } from "./login.ts";
import { controllerConnector } from "./trust.ts";

export interface UnifiStreamDeps extends InputDeps {
  config: UnifiConfig;
  venue: VenueRef;
  /** The login's fetch; by default one with the controller's TLS trust. */
  fetch?: typeof fetch;
  random?: () => number;
  pingIntervalMs?: number;
}

export interface UnifiStream {
  isConnected(): boolean;
  stop(): void;
}

/** Handles one text frame: parse, map, append. Exported for the stream's unit tests. */
export function handleUnifiFrame(
  deps: Pick<UnifiStreamDeps, "identifyMac" | "append" | "count" | "log" | "venue">,
  frame: string,
): void {
  const parsed = parseUnifiFrame(frame);
  if (!parsed.ok) {
    deps.count("unifi.frames.malformed");
    deps.log.warn("unifi frame refused", { code: parsed.error.code, field: parsed.error.field });
    return;
  }
  deps.count("unifi.events.rejected", parsed.value.rejected.length);
  const byClass = new Map<OutboxClass, OutboxMessage[]>();
  for (const event of parsed.value.events) {
    if (!isMappedUnifiKey(event.key)) {
      deps.count("unifi.events.ignored");
      continue;
    }
    const mapped = unifiEventMessage(event, deps.identifyMac, deps.venue);
    if (!mapped.ok) {
      deps.count("unifi.events.rejected");
      deps.log.warn("unifi event refused", {
        key: event.key,
        code: mapped.error.code,
        field: mapped.error.field,
      });
      continue;
    }
    byClass.set(mapped.value.cls, [...(byClass.get(mapped.value.cls) ?? []), mapped.value.message]);
  }
  for (const [cls, messages] of byClass) {
    deps.append(messages, cls);
    deps.count("unifi.events.accepted", messages.length);
  }
}

/** Starts the stream; it keeps reconnecting until `stop()`. */
export function startUnifiStream(deps: UnifiStreamDeps): UnifiStream {
  const { config } = deps;
  const random = deps.random ?? Math.random;
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let failures = 0;
  let stopped = false;
  const fetchImpl = deps.fetch ?? controllerFetch(config);
  const createConnection = controllerConnector(config);

  const scheduleReconnect = () => {
    if (stopped) return;
    const delay = reconnectDelayMs(
      failures++,
      config.reconnectInitialMs,
      config.reconnectMaxMs,
      random,
    );
    deps.count("unifi.reconnects");
    timer = setTimeout(() => void connect(), delay);
  };

  async function connect(): Promise<void> {
    try {
      const session = await unifiLogin(config, fetchImpl);
      if (stopped) return;
      const url = new URL(
        `${session.prefix}/wss/s/${encodeURIComponent(config.site)}/events?clients=v2`,
        config.url,
      );
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      const headers: Record<string, string> = { Cookie: session.cookie };
      if (session.csrfToken !== undefined) headers["x-csrf-token"] = session.csrfToken;
      const ws = new WebSocket(url, {
        headers,
        handshakeTimeout: 10_000,
        ...(url.protocol === "wss:" ? { createConnection: createConnection as never } : {}),
      });
      socket = ws;
      ws.on("open", () => {
        failures = 0;
        deps.count("unifi.connected");
        deps.log.info("unifi stream connected", { site: config.site });
        ping = setInterval(() => ws.send("ping"), deps.pingIntervalMs ?? 3_000);
      });
      ws.on("message", (data: Buffer, isBinary: boolean) => {
        if (isBinary) return deps.count("unifi.frames.malformed");
        try {
          handleUnifiFrame(deps, data.toString("utf8"));
        } catch (cause) {
          deps.count("unifi.events.failed");
          deps.log.error("outbox append failed", { input: "unifi", error: String(cause) });
        }
      });
      // A refused handshake (TLS trust, 401) or a dropped socket: `close` follows and reconnects.
      ws.on("error", (cause: Error) => {
        deps.count("unifi.stream.errors");
        deps.log.warn("unifi stream error", { error: cause.message });
      });
      ws.on("close", () => {
        clearInterval(ping);
        if (socket === ws) socket = undefined;
        scheduleReconnect();
      });
    } catch (cause) {
      deps.log.warn("unifi connect failed", {
        error: cause instanceof Error ? cause.message : String(cause),
      });
      scheduleReconnect();
    }
  }

  void connect();
  return {
    isConnected: () => socket?.readyState === WebSocket.OPEN,
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(ping);
      socket?.close();
    },
  };
}
