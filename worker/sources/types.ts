/** What ingestion needs to know about a source, as the admin API last wrote it. */
export interface SourceSnapshot {
  id: string;
  spaceId: string;
  enabled: boolean;
  /** SHA-256 hex of the write key in force. */
  writeKeyHash: string;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  retentionDays: number;
  /** What happens to `context.ip` at the edge (default: last octet / last 80 bits zeroed). */
  ipMode: "truncate" | "keep" | "drop";
  /** Epoch ms of the last change: the newer snapshot wins. */
  updatedAt: number;
}
