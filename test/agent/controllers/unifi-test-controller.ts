// A small but real UniFi-like controller for tests: node:http login endpoints and an RFC 6455
// WebSocket event stream (handshake §4.2.2, framing §5.2; text, ping-as-text, close). Written here
// because no WebSocket server library is a dependency of the project.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export interface TestController {
  url: string;
  /** Upgrade requests seen (path and headers), in order. */
  upgrades: { path: string; cookie?: string; csrf?: string }[];
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

function frame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const len = payload.length;
  const header =
    len < 126 ? Buffer.from([0x81, len]) : Buffer.from([0x81, 126, len >> 8, len & 0xff]);
  if (len >= 65536) throw new Error("test frames stay under 64 KiB");
  return Buffer.concat([header, payload]);
}

/** Reads masked client frames from `buffer`; returns [opcode, text] pairs and the unread rest. */
function readFrames(buffer: Buffer): { frames: [number, string][]; rest: Buffer } {
  const frames: [number, string][] = [];
  let offset = 0;
  for (let guard = 0; guard < 1000 && buffer.length - offset >= 6; guard++) {
    const opcode = buffer[offset]! & 0x0f;
    let len = buffer[offset + 1]! & 0x7f;
    let pos = offset + 2;
    if (len === 126) {
      len = buffer.readUInt16BE(pos);
      pos += 2;
    }
    if (buffer.length < pos + 4 + len) break;
    const mask = buffer.subarray(pos, pos + 4);
    const data = Buffer.from(buffer.subarray(pos + 4, pos + 4 + len));
    for (let i = 0; i < data.length; i++) data[i]! ^= mask[i % 4]!;
    frames.push([opcode, data.toString("utf8")]);
    offset = pos + 4 + len;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** Starts the controller on 127.0.0.1:0 as `classic` or `unifi-os`. */
export async function startTestController(flavor: "classic" | "unifi-os"): Promise<TestController> {
  const sockets = new Set<Duplex>();
  const prefix = flavor === "classic" ? "" : "/proxy/network";
  const jwtPayload = Buffer.from(JSON.stringify({ csrfToken: "csrf-from-jwt" })).toString(
    "base64url",
  );
  const state = {
    upgrades: [] as TestController["upgrades"],
    logins: 0,
    pings: 0,
    refuseLogins: false,
  };

  const server: Server = createServer((req, res) => {
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
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    const cookie = req.headers.cookie;
    const csrf = req.headers["x-csrf-token"] as string | undefined;
    state.upgrades.push({ path: req.url ?? "", cookie, csrf });
    const expectedCookie = flavor === "classic" ? "unifises=sess-1" : `TOKEN=h.${jwtPayload}.s`;
    if (req.url !== `${prefix}/wss/s/default/events?clients=v2` || cookie !== expectedCookie) {
      socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
      return;
    }
    const accept = createHash("sha1")
      .update(`${String(req.headers["sec-websocket-key"])}${WS_GUID}`)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const [opcode, text] of frames) {
        if (opcode === 0x8) {
          socket.end(Buffer.from([0x88, 0]));
        } else if (opcode === 0x1 && text === "ping") {
          state.pings++;
          socket.write(frame("pong"));
        }
      }
    });
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => sockets.delete(socket));
  });

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
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
    send: (text) => sockets.forEach((s) => s.write(frame(text))),
    dropAll: () => sockets.forEach((s) => s.destroy()),
    openSockets: () => sockets.size,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
