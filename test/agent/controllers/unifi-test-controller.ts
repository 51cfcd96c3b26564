// A small but real UniFi-like controller for tests: HTTPS login endpoints (node:https, a
// certificate generated at test time) and a `wss` event stream served by the `ws` package's
// WebSocketServer: text frames, the `ping`→`pong` text keep-alive, close.
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { createServer, type Server } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { selfSignedCertificate, type TestCertificate } from "./test-certificate.ts";

export interface TestController {
  url: string;
  /** The certificate it presents (self-signed): its PEM is a CA, its sha256 a pin. */
  certificate: TestCertificate;
  /** Upgrade requests seen (path and headers), in order. */
  upgrades: { path: string; cookie?: string; csrf?: string }[];
  /** TLS handshakes completed (a client that refuses the certificate completes none). */
  handshakes: number;
  logins: number;
  pings: number;
  send(text: string): void;
  /** Drops every open stream socket without a close frame (a controller restart). */
  dropAll(): void;
  openSockets(): number;
  /** While set, logins answer 401. */
  refuseLogins: boolean;
  close(): Promise<void>;
}

let shared: TestCertificate | undefined;

/** Starts the controller on 127.0.0.1:0 as `classic` or `unifi-os`. */
export async function startTestController(
  flavor: "classic" | "unifi-os",
  certificate: TestCertificate = (shared ??= selfSignedCertificate()),
): Promise<TestController> {
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  const prefix = flavor === "classic" ? "" : "/proxy/network";
  const jwtPayload = Buffer.from(JSON.stringify({ csrfToken: "csrf-from-jwt" })).toString(
    "base64url",
  );
  const state = {
    upgrades: [] as TestController["upgrades"],
    logins: 0,
    pings: 0,
    refuseLogins: false,
    handshakes: 0,
  };

  const server: Server = createServer(
    { key: certificate.key, cert: certificate.cert },
    (req, res) => {
      if (req.method === "GET" && req.url === "/") {
        res
          .writeHead(
            flavor === "classic" ? 302 : 200,
            flavor === "classic" ? { location: "/manage" } : {},
          )
          .end();
        return;
      }
      const loginPath = flavor === "classic" ? "/api/login" : "/api/auth/login";
      if (req.method === "POST" && req.url === loginPath) {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          const creds = JSON.parse(body) as { username?: string; password?: string };
          if (state.refuseLogins || creds.username !== "admin" || creds.password !== "unifi-pass") {
            res.writeHead(401).end();
            return;
          }
          state.logins++;
          const cookie =
            flavor === "classic"
              ? "unifises=sess-1; Path=/; HttpOnly"
              : `TOKEN=h.${jwtPayload}.s; Path=/`;
          res
            .writeHead(200, { "set-cookie": cookie, "content-type": "application/json" })
            .end('{"meta":{"rc":"ok"}}');
        });
        return;
      }
      res.writeHead(404).end();
    },
  );

  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    const cookie = req.headers.cookie;
    const csrf = req.headers["x-csrf-token"] as string | undefined;
    state.upgrades.push({ path: req.url ?? "", cookie, csrf });
    const expectedCookie = flavor === "classic" ? "unifises=sess-1" : `TOKEN=h.${jwtPayload}.s`;
    if (req.url !== `${prefix}/wss/s/default/events?clients=v2` || cookie !== expectedCookie) {
      socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, Buffer.alloc(0), (ws) => {
      sockets.add(ws);
      ws.on("message", (data: Buffer, isBinary: boolean) => {
        if (!isBinary && data.toString("utf8") === "ping") {
          state.pings++;
          ws.send("pong");
        }
      });
      ws.on("close", () => sockets.delete(ws));
      ws.on("error", () => sockets.delete(ws));
    });
  });
  server.on("secureConnection", () => state.handshakes++);
  server.on("tlsClientError", () => undefined);

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    certificate,
    get handshakes() {
      return state.handshakes;
    },
    get upgrades() {
      return state.upgrades;
    },
    get logins() {
      return state.logins;
    },
    get pings() {
      return state.pings;
    },
    get refuseLogins() {
      return state.refuseLogins;
    },
    set refuseLogins(value: boolean) {
      state.refuseLogins = value;
    },
    send: (text) => sockets.forEach((s) => s.send(text)),
    dropAll: () => sockets.forEach((s) => s.terminate()),
    openSockets: () => sockets.size,
    close: async () => {
      sockets.forEach((s) => s.terminate());
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
