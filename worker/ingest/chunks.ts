// Splitting accepted messages into Queue messages. A Queue message holds at most 128 KB
// (Cloudflare Queues limits); chunks stay well under it, since the v8 serialization the Queue uses
// is larger than the JSON the client sent.
import type { IngestChunk, NormalizedMessage } from "../spec/message.ts";

export const MAX_CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_MESSAGES = 100;
/** What normalization adds to each message (timestamps, ids, version), as an upper bound. */
const NORMALIZATION_OVERHEAD = 400;

export interface ChunkInput {
  requestId: string;
  spaceId: string;
  sourceId: string;
  receivedAt: string;
  messages: NormalizedMessage[];
  sizes: number[];
}

/** Groups messages into chunks named `<requestId>-<n>`, keeping each under the size bounds. */
export function chunkMessages(input: ChunkInput): IngestChunk[] {
  const chunks: IngestChunk[] = [];
  let current: NormalizedMessage[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    chunks.push({
      v: 1,
      chunkId: `${input.requestId}-${chunks.length}`,
      spaceId: input.spaceId,
      sourceId: input.sourceId,
      receivedAt: input.receivedAt,
      messages: current,
    });
    current = [];
    bytes = 0;
  };
  input.messages.forEach((message, i) => {
    const size = (input.sizes[i] ?? 0) + NORMALIZATION_OVERHEAD;
    if (
      current.length >= MAX_CHUNK_MESSAGES ||
      (current.length > 0 && bytes + size > MAX_CHUNK_BYTES)
    ) {
      flush();
    }
    current.push(message);
    bytes += size;
  });
  flush();
  return chunks;
}
