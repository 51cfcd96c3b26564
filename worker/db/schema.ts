// D1 schema: the source of the D1 types and of the migrations in drizzle/ (drizzle-kit generate).
import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

export const spaces = sqliteTable("spaces", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const sources = sqliteTable(
  "sources",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id")
      .notNull()
      .references(() => spaces.id),
    name: text("name").notNull(),
    /** SHA-256 hex of the write key: the key itself is shown once, at creation or rotation. */
    writeKeyHash: text("write_key_hash").notNull(),
    /** Last four characters, so people can tell keys apart. */
    writeKeyHint: text("write_key_hint").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    retentionDays: integer("retention_days").notNull().default(90),
    rateLimitPerSecond: integer("rate_limit_per_second").notNull(),
    rateLimitBurst: integer("rate_limit_burst").notNull(),
    /** `truncate` (default), `keep` or `drop` for `context.ip` (worker/privacy/ip.ts). */
    ipMode: text("ip_mode", { enum: ["truncate", "keep", "drop"] })
      .notNull()
      .default("truncate"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("sources_write_key_hash").on(t.writeKeyHash),
    index("sources_space").on(t.spaceId),
  ],
);

/** Every accepted event, one row per (source, messageId): the consumer inserts idempotently. */
export const events = sqliteTable(
  "events",
  {
    sourceId: text("source_id").notNull(),
    messageId: text("message_id").notNull(),
    spaceId: text("space_id").notNull(),
    type: text("type").notNull(),
    event: text("event"),
    userId: text("user_id"),
    anonymousId: text("anonymous_id"),
    /** Epoch milliseconds of the skew-corrected event time. */
    timestamp: integer("timestamp").notNull(),
    /** Epoch milliseconds at the edge; retention counts from here (as Segment's does). */
    receivedAt: integer("received_at").notNull(),
    /** The archive object (chunk) that holds this event in R2. */
    chunkId: text("chunk_id").notNull(),
    body: text("body").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sourceId, t.messageId] }),
    index("events_source_received").on(t.sourceId, t.receivedAt),
    index("events_user")
      .on(t.spaceId, t.userId, t.timestamp)
      .where(sql`user_id is not null`),
    index("events_anonymous")
      .on(t.spaceId, t.anonymousId, t.timestamp)
      .where(sql`anonymous_id is not null`),
    index("events_chunk").on(t.chunkId),
  ],
);

/** Archive objects per source and hour, so retention and deletion find them without listing R2. */
export const archiveObjects = sqliteTable(
  "archive_objects",
  {
    key: text("key").primaryKey(),
    sourceId: text("source_id").notNull(),
    receivedAt: integer("received_at").notNull(),
    eventCount: integer("event_count").notNull(),
    bytes: integer("bytes").notNull(),
  },
  (t) => [index("archive_objects_source_received").on(t.sourceId, t.receivedAt)],
);

/** Every identity decision worth auditing: merges, refusals (with the rule), profile creation. */
export const identityAudit = sqliteTable(
  "identity_audit",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id").notNull(),
    messageId: text("message_id").notNull(),
    action: text("action").notNull(),
    rule: text("rule").notNull(),
    survivor: text("survivor"),
    folded: text("folded"),
    /** JSON list of `{type, value, collection}`; PII values are keyed hashes. */
    identifiers: text("identifiers").notNull(),
    detail: text("detail").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [
    index("identity_audit_space_at").on(t.spaceId, t.at),
    index("identity_audit_survivor").on(t.spaceId, t.survivor),
    index("identity_audit_folded").on(t.spaceId, t.folded),
  ],
);

/** Profile API access tokens (Basic auth user name), per space, stored as SHA-256. */
export const accessTokens = sqliteTable(
  "access_tokens",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id")
      .notNull()
      .references(() => spaces.id),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("access_tokens_hash").on(t.tokenHash)],
);

/** Which archive object holds each ingest chunk: the archive's index, and its idempotence. */
export const archiveChunks = sqliteTable(
  "archive_chunks",
  {
    chunkId: text("chunk_id").primaryKey(),
    key: text("key").notNull(),
    sourceId: text("source_id").notNull(),
  },
  (t) => [index("archive_chunks_key").on(t.key)],
);
