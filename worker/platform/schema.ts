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
    /** `truncate` (default), `keep` or `drop` for `context.ip` (worker/gate/ip.ts). */
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

/**
 * Archive objects per source and hour, so retention and deletion find them without listing R2.
 * The row is written before the R2 put (write-ahead, worker/archive/write-ahead.ts): `writing`
 * until the consumer's D1 batch indexes the object's chunks, then `stored`; `orphan`
 * while the hourly sweep deletes an object no retry completed. Reads show `stored` rows only;
 * retention and deletion see every state.
 */
export const archiveObjects = sqliteTable(
  "archive_objects",
  {
    key: text("key").primaryKey(),
    sourceId: text("source_id").notNull(),
    receivedAt: integer("received_at").notNull(),
    eventCount: integer("event_count").notNull(),
    bytes: integer("bytes").notNull(),
    /** Rows from before the write-ahead index were all complete: the default makes them `stored`. */
    state: text("state", { enum: ["writing", "stored", "orphan"] })
      .notNull()
      .default("stored"),
    /** Epoch ms of the latest write intent; null on rows older than the write-ahead index. */
    writtenAt: integer("written_at"),
    /** Epoch ms of the latest chunk's receipt; null on rows older than the events' move to R2. */
    lastReceivedAt: integer("last_received_at"),
    /**
     * Bloom filter of the object's events' ids and email forms (worker/archive/token-filter.ts),
     * base64: how regulations, lineage and per-user listings find objects without an event row
     * per event. Null on rows written before it (such an object may hold anything).
     */
    tokens: text("tokens"),
    /**
     * 1 once the filter moved to its hour's R2 index object (worker/archive/filter-compaction.ts)
     * and `tokens` was cleared; a row with neither holds anything, as far as readers know.
     */
    tokensCompacted: integer("tokens_compacted").notNull().default(0),
  },
  (t) => [
    index("archive_objects_source_received").on(t.sourceId, t.receivedAt),
    // The filters still in D1: the hourly compaction's work list, a few hours' worth.
    index("archive_objects_filters")
      .on(t.receivedAt)
      .where(sql`tokens is not null`),
    // Only unfinished rows: a handful at any time, so the sweep and erasure never scan the table.
    index("archive_objects_unfinished")
      .on(t.writtenAt)
      .where(sql`state <> 'stored'`),
  ],
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
    /** Epoch ms after which the token is refused (worker/profiles/access.ts); NULL: never. */
    expiresAt: integer("expires_at"),
    /** Epoch ms of revocation; NULL while the token is live. */
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("access_tokens_hash").on(t.tokenHash)],
);

/**
 * Admin API tokens (`fyat_<id>_<secret>`, worker/admin/auth/tokens.ts), scoped to one space.
 * Only the SHA-256 of the whole token is stored; the clear token is shown once, at issue.
 */
export const adminTokens = sqliteTable(
  "admin_tokens",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id")
      .notNull()
      .references(() => spaces.id),
    role: text("role", { enum: ["Admin", "Editor", "Auditor"] }).notNull(),
    /** JSON list of grants (`pii_access`). */
    grants: text("grants").notNull(),
    hash: text("hash").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [index("admin_tokens_space").on(t.spaceId)],
);

/**
 * The governance audit log: configuration changes, token use, regulation steps. Identity merges
 * stay in `identity_audit`; the audit API reads both. No personal value is ever written here.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id").notNull(),
    at: integer("at").notNull(),
    /** `owner` (the ADMIN_TOKEN), `token:<id>` or `system`. */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    /** Route pattern or object the action concerns (never a query string). */
    target: text("target").notNull(),
    status: integer("status"),
    /** JSON object with PII-free details. */
    detail: text("detail").notNull(),
  },
  (t) => [index("audit_log_space_at").on(t.spaceId, t.at)],
);

/** Per-space privacy configuration: consent, PII policy, retention, and the suppression key. */
export const spacePrivacy = sqliteTable("space_privacy", {
  spaceId: text("space_id").primaryKey(),
  /** JSON ConsentSettings; NULL means the defaults. */
  consent: text("consent"),
  /** JSON PrivacyPolicy; NULL means the defaults. */
  privacyPolicy: text("privacy_policy"),
  /** Ceiling on every source's retention; NULL means 90 days. */
  retentionDays: integer("retention_days"),
  /** Hex HMAC key of the suppression list (worker/gate/suppression/match.ts). */
  suppressionSecret: text("suppression_secret").notNull(),
  /**
   * Hex HMAC key of the PII hashes the archive and the debugger keep
   * (worker/gate/pii/storage-hash.ts); NULL until first read, replaced by a rotation.
   */
  hashSecret: text("hash_secret"),
  updatedAt: integer("updated_at").notNull(),
});

/** Suppressed subjects as keyed hashes: their events are answered 200 and dropped at the edge. */
export const suppressions = sqliteTable(
  "suppressions",
  {
    spaceId: text("space_id").notNull(),
    hash: text("hash").notNull(),
    regulationId: text("regulation_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.hash] })],
);

/** How many events the edge dropped for suppression, per source. */
export const suppressedEvents = sqliteTable("suppressed_events", {
  sourceId: text("source_id").primaryKey(),
  spaceId: text("space_id").notNull(),
  count: integer("count").notNull(),
  lastAt: integer("last_at").notNull(),
});

/**
 * Regulations (deletion and suppression requests) and their step state. The subjects are not
 * here: they live in the space's IdentityGraph only while the regulation runs.
 */
export const regulations = sqliteTable(
  "regulations",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id").notNull(),
    regulationType: text("regulation_type").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectCount: integer("subject_count").notNull(),
    status: text("status").notNull(),
    /** JSON RegulationState (worker/governance/regulations/plan.ts). */
    state: text("state").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("regulations_space_created").on(t.spaceId, t.createdAt)],
);

/**
 * One row per destination a deletion must be forwarded to; the delivery side executes them
 * (worker/governance/regulations/destination-deletions.ts is the seam) and clears `subjects` when done.
 */
export const destinationDeletions = sqliteTable(
  "destination_deletions",
  {
    regulationId: text("regulation_id").notNull(),
    destination: text("destination").notNull(),
    spaceId: text("space_id").notNull(),
    subjectType: text("subject_type").notNull(),
    /** JSON list of subject ids; NULL once the destination has confirmed the deletion. */
    subjects: text("subjects"),
    status: text("status").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.regulationId, t.destination] })],
);
