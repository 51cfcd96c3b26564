// Splitting admitted messages into Queue messages, and the chunk's wire form. A Queue message
// holds at most 128 KB (Cloudflare Queues limits); chunks stay at 64 KB. The wire form is text: a
// JSON header line, then one JSON line per message — each message is serialized once, at the
// edge, and the archive stores those same lines.
import type { IngestChunk, NormalizedMessage } from "./message.ts";

export const MAX_CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_MESSAGES = 100;

export interface ChunkHeader {
  v: 1;
  chunkId: string;
  spaceId: string;
  sourceId: string;
  receivedAt: string;
}

export interface ChunkInput {
  requestId: string;
  spaceId: string;
  sourceId: string;
  receivedAt: string;
  /** Each message as one JSON line. */
  lines: string[];
}

const encoder = new TextEncoder();
const ASCII = /^[\x00-\x7f]*$/;

/** UTF-8 size of a line: its length for ASCII (nearly all traffic), else the encoded size. */
export function utf8Length(line: string): number {
  return ASCII.test(line) ? line.length : encoder.encode(line).byteLength;
}

/** Groups lines into chunks named `<requestId>-<n>` under the size and count bounds; returns wire text. */
export function chunkLines(input: ChunkInput): { chunkId: string; text: string; count: number }[] {
  const chunks: { chunkId: string; text: string; count: number }[] = [];
  let current: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    const header: ChunkHeader = {
      v: 1,
      chunkId: `${input.requestId}-${chunks.length}`,
      spaceId: input.spaceId,
      sourceId: input.sourceId,
      receivedAt: input.receivedAt,
    };
    chunks.push({
      chunkId: header.chunkId,
      text: `${JSON.stringify(header)}\n${current.join("\n")}`,
      count: current.length,
    });
    current = [];
    bytes = 0;
  };
  for (const line of input.lines) {
    const size = utf8Length(line);
    if (
      current.length >= MAX_CHUNK_MESSAGES ||
      (current.length > 0 && bytes + size > MAX_CHUNK_BYTES)
    ) {
      flush();
    }
    current.push(line);
    bytes += size;
  }
  flush();
  return chunks;
}

/** Reads a chunk's wire text back; throws on anything that is not one. */
export function decodeChunk(text: string): IngestChunk & { lines: string[] } {
  const [head, ...lines] = text.split("\n");
  const header = JSON.parse(head ?? "") as Partial<ChunkHeader>;
  if (header.v !== 1 || typeof header.chunkId !== "string" || typeof header.sourceId !== "string") {
    throw new Error("not an ingest chunk");
  }
  return {
    v: 1,
    chunkId: header.chunkId,
    spaceId: header.spaceId ?? "",
    sourceId: header.sourceId,
    receivedAt: header.receivedAt ?? "",
    lines,
    messages: lines.map((line) => JSON.parse(line) as NormalizedMessage),
  };
}
