// The UniFi event-stream client: login → WebSocket `…/wss/s/{site}/events?clients=v2` with the
// session cookie → frames through the pure parser → durable append. Reconnects (with a fresh
// login, since sessions expire) with exponential backoff; node-unifi's `ping` keep-alive every few
// seconds lets a dead connection surface as a close. Node 22's global WebSocket (undici) accepts a
// non-standard `{ headers }` init, which carries the Cookie.
import type { UnifiConfig } from "../config.ts";
import type { InputDeps, OutboxClass, OutboxMessage } from "../deps.ts";
import type { VenueRef } from "../venue.ts";
import { reconnectDelayMs } from "./backoff.ts";
import { parseUnifiFrame } from "./event-frame.ts";
import { isMappedUnifiKey, unifiEventMessage } from "./events.ts";
import { unifiLogin } from "./login.ts";

export interface UnifiStreamDeps extends InputDeps {
  config: UnifiConfig;
  venue: VenueRef;
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
      const session = await unifiLogin(config, deps.fetch);
      if (stopped) return;
      const url = new URL(
        `${session.prefix}/wss/s/${encodeURIComponent(config.site)}/events?clients=v2`,
        config.url,
      );
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      const headers: Record<string, string> = { Cookie: session.cookie };
      if (session.csrfToken !== undefined) headers["x-csrf-token"] = session.csrfToken;
      const ws = new WebSocket(url, { headers } as unknown as string[]);
      socket = ws;
      ws.onopen = () => {
        failures = 0;
        deps.count("unifi.connected");
        deps.log.info("unifi stream connected", { site: config.site });
        ping = setInterval(() => ws.send("ping"), deps.pingIntervalMs ?? 3_000);
      };
      ws.onmessage = (ev: MessageEvent) => {
        if (typeof ev.data !== "string") return deps.count("unifi.frames.malformed");
        try {
          handleUnifiFrame(deps, ev.data);
        } catch (cause) {
          deps.count("unifi.events.failed");
          deps.log.error("outbox append failed", { input: "unifi", error: String(cause) });
        }
      };
      ws.onclose = () => {
        clearInterval(ping);
        if (socket === ws) socket = undefined;
        scheduleReconnect();
      };
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
