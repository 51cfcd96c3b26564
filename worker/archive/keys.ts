// Where an ingested chunk lives in the R2 archive: NDJSON partitioned by source, date and hour of
// receipt, one object per Queue chunk. The name is the chunk's id, so a redelivered chunk
// overwrites its own object with the same bytes: archiving is idempotent by construction.

export function archiveKey(sourceId: string, receivedAt: string, chunkId: string): string {
  const date = receivedAt.slice(0, 10);
  const hour = receivedAt.slice(11, 13);
  return `${archivePrefix(sourceId, date, hour)}${chunkId}.ndjson`;
}

/** The listing prefix of one source's partition; `hour` omitted lists the whole day. */
export function archivePrefix(sourceId: string, date: string, hour?: string): string {
  return `source=${sourceId}/date=${date}/${hour === undefined ? "" : `hour=${hour}/`}`;
}
