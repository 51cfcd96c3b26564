// A stand-in for the edge's `/v1/batch` on 127.0.0.1: real HTTP, records every request, dedups by
// messageId like the edge does, and answers what the test scripts (200, 400, 401, 429, 500,
// partial rejections, or a response held open forever).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface EdgeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Store the batch, then never answer: the client crashes before it learns of the 200. */
  hang?: boolean;
}

export interface ReceivedBatch {
  authorization: string | undefined;
  path: string;
  messageIds: string[];
  bodies: unknown[];
}

export interface EdgeStandIn {
  url: string;
  received: ReceivedBatch[];
  /** Distinct messageIds the edge stored (after its messageId dedup), with the first body seen. */
  stored: Map<string, unknown>;
  /** Count of repeats the edge dropped. */
  duplicates: () => number;
  /** Repeats whose body differed from the first copy (a messageId that was not stable). */
  unstable: () => number;
  /** Replies to use for the next requests, in order; afterwards every batch gets 200 {}. */
  script: EdgeReply[];
  onBatch?: (batch: ReceivedBatch) => void;
  close: () => Promise<void>;
}

/** Starts the stand-in on an ephemeral port. */
export async function startEdgeStandIn(): Promise<EdgeStandIn> {
  // Bodies keep the batch's own field order, so JSON.stringify compares them exactly.
  const hanging: ServerResponse[] = [];
  let duplicates = 0;
  let unstable = 0;
  const edge: EdgeStandIn = {
    url: "",
    received: [],
    stored: new Map(),
    duplicates: () => duplicates,
    unstable: () => unstable,
    script: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        batch: { messageId: string }[];
      };
      const batch: ReceivedBatch = {
        authorization: req.headers.authorization,
        path: req.url ?? "",
        messageIds: parsed.batch.map((m) => m.messageId),
        bodies: parsed.batch,
      };
      edge.received.push(batch);
      edge.onBatch?.(batch);
      const reply = edge.script.shift() ?? { status: 200, body: {} };
      if (reply.status === 200 || reply.hang) {
        const rejected = new Set(
          ((reply.body as { rejected?: { index: number }[] } | undefined)?.rejected ?? []).map(
            (r) => r.index,
          ),
        );
        parsed.batch.forEach((m, i) => {
          if (rejected.has(i)) return;
          const first = edge.stored.get(m.messageId);
          if (first === undefined) edge.stored.set(m.messageId, m);
          else {
            duplicates++;
            if (JSON.stringify(first) !== JSON.stringify(m)) unstable++;
          }
        });
      }
      if (reply.hang) {
        hanging.push(res);
        return;
      }
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  edge.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return edge;
}
