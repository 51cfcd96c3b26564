// SourceDebugger: the live view of a source's latest events (Segment's Source Debugger,
// https://segment.com/docs/connections/sources/debugger/: a real-time sample capped at 500 events). Fed by the Queue consumer, off the
// ingestion hot path; read as JSON, over WebSocket (hibernatable) or as Server-Sent Events.
import { meterEnv, meterStorage } from "../platform/index.ts";
import { DurableObject } from "cloudflare:workers";

export const DEBUGGER_CAPACITY = 500;
/** What an SSE viewer may leave unread before the object closes its stream (bytes). */
export const MAX_UNREAD_BYTES = 1_048_576;
/** The stream's own buffer: writes past it count as unread. */
const STREAM_BUFFER_BYTES = 65_536;

const encoder = new TextEncoder();

export class SourceDebugger extends DurableObject<Env> {
  private readonly streams = new Set<WritableStreamDefaultWriter<Uint8Array>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env));
    meterStorage(env, ctx.storage, "SourceDebugger");
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS recent (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)",
    );
  }

  /** Records the newest events (JSON lines), keeps the last 500 and sends them to live viewers. */
  push(bodies: string[]): void {
    const sql = this.ctx.storage.sql;
    sql.exec("INSERT INTO recent (body) SELECT value FROM json_each(?)", JSON.stringify(bodies));
    sql.exec(
      "DELETE FROM recent WHERE seq <= (SELECT MAX(seq) FROM recent) - ?",
      DEBUGGER_CAPACITY,
    );
    for (const socket of this.ctx.getWebSockets()) {
      for (const body of bodies) socket.send(body);
    }
    for (const writer of this.streams) {
      for (const body of bodies) {
        // A viewer that never reads would make this object buffer without bound: past the limit
        // its stream is closed (it may reconnect and start from the newest events).
        if (isFallingBehind(writer.desiredSize)) {
          this.drop(writer);
          break;
        }
        writer.write(encoder.encode(`event: message\ndata: ${body}\n\n`)).catch(() => {
          this.streams.delete(writer);
        });
      }
    }
  }

  private drop(writer: WritableStreamDefaultWriter<Uint8Array>): void {
    this.streams.delete(writer);
    writer.abort(new Error("viewer fell behind")).catch(() => undefined);
  }

  /** Live SSE viewers (operators and tests). */
  viewers(): number {
    return this.streams.size;
  }

  /** Erases the given events (a deletion request): the debugger keeps no copy of a deleted person. */
  forget(messageIds: string[]): number {
    const cursor = this.ctx.storage.sql.exec(
      "DELETE FROM recent WHERE json_extract(body, '$.messageId') IN (SELECT value FROM json_each(?))",
      JSON.stringify(messageIds),
    );
    return cursor.rowsWritten;
  }

  /** The latest `limit` events, newest first, as a JSON array text (stored as JSON already). */
  recent(limit = 100): string {
    const rows = this.ctx.storage.sql
      .exec<{ body: string }>(
        "SELECT body FROM recent ORDER BY seq DESC LIMIT ?",
        Math.min(Math.max(1, limit), DEBUGGER_CAPACITY),
      )
      .toArray();
    return `[${rows.map((row) => row.body).join(",")}]`;
  }

  override fetch(request: Request): Response {
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const { 0: client, 1: server } = new WebSocketPair();
      this.ctx.acceptWebSocket(server);
      return new Response(null, { status: 101, webSocket: client });
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(
      {},
      new ByteLengthQueuingStrategy({ highWaterMark: STREAM_BUFFER_BYTES }),
    );
    const writer = writable.getWriter();
    this.streams.add(writer);
    request.signal.addEventListener("abort", () => {
      this.streams.delete(writer);
      writer.close().catch(() => undefined);
    });
    writer.write(encoder.encode(": foyer source debugger\n\n")).catch(() => {
      this.streams.delete(writer);
    });
    return new Response(readable, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
      },
    });
  }

  override webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): void {
    // Viewers only listen; a "ping" gets a "pong" so clients can check the connection.
    if (message === "ping") socket.send("pong");
  }

  override webSocketClose(socket: WebSocket): void {
    try {
      socket.close(1000, "closed");
    } catch {
      // Already closed by the runtime's automatic close reply.
    }
  }
}

/** Whether a viewer's stream holds more than MAX_UNREAD_BYTES it has not read. */
export function isFallingBehind(desiredSize: number | null): boolean {
  return desiredSize !== null && desiredSize < -MAX_UNREAD_BYTES;
}
