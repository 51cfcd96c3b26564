// A profile's storage inside its ProfileObject: last-writer-wins traits, the event history
// (idempotent by messageId, so counters derived from it are exact), links to other profiles.
import { CONSENT_COUNTERS } from "../gate/index.ts";
import { compareTraitWrites, type TraitEntry } from "./traits.ts";
import type { JsonObject, JsonValue } from "../message/index.ts";

const HISTORY_VERSION = "historyVersion";

/** The consent counters as an SQL list of literals: the partial index and its query must match. */
const CONSENT_IN = `(${CONSENT_COUNTERS.map((c) => `'${c.replaceAll("'", "''")}'`).join(", ")})`;

export interface EventRecord {
  messageId: string;
  sourceId: string;
  timestamp: number;
  type: string;
  /** `track:<event>`, `page:<name>`, … (identity/traits.ts counterKey). */
  counter: string;
  body: string;
}

/** Everything a profile holds, as handed to its survivor; traits as JSON text (shallow RPC types). */
export interface ProfileState {
  traits: string;
  events: EventRecord[];
  links: string[];
  createdAt: number | null;
}

export class ProfileStore {
  private readonly sql: SqlStorage;
  private readonly kv: SyncKvStorage;
  private consentIndexed = false;

  constructor(sql: SqlStorage, kv: SyncKvStorage) {
    this.sql = sql;
    this.kv = kv;
    sql.exec(`CREATE TABLE IF NOT EXISTS traits (
      key TEXT PRIMARY KEY, value TEXT NOT NULL, ts INTEGER NOT NULL, message_id TEXT NOT NULL)`);
    // WITHOUT ROWID (profiles created since issue 14): the key is the table, so adding an event
    // writes no separate key index; older profiles keep their layout, the statements fit both.
    sql.exec(`CREATE TABLE IF NOT EXISTS events (
      message_id TEXT PRIMARY KEY, source_id TEXT NOT NULL, timestamp INTEGER NOT NULL,
      type TEXT NOT NULL, counter TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID`);
    sql.exec("CREATE INDEX IF NOT EXISTS events_time ON events (timestamp, message_id)");
    sql.exec("CREATE TABLE IF NOT EXISTS links (profile_id TEXT PRIMARY KEY)");
  }

  /**
   * The history's version (0 for a profile that never had an event): it moves on with every change
   * to `events`, so state derived from the history (activation's folds) can tell whether it is
   * still current. Kept in the object's KV, which commits with the SQL writes of the same
   * synchronous step.
   */
  historyVersion(): number {
    return this.kv.get<number>(HISTORY_VERSION) ?? 0;
  }

  /** Moves the history's version on by `by` (called in the same synchronous step as the change). */
  private bumpHistory(by: number): void {
    if (by > 0) this.kv.put(HISTORY_VERSION, this.historyVersion() + by);
  }

  /** Adds events (repeats by messageId ignored); returns the ones that were new. */
  addEvents(records: readonly EventRecord[]): EventRecord[] {
    const added = records.filter((record) => this.insertEvent(record));
    this.bumpHistory(added.length);
    return added;
  }

  /** Writes one trait unless a newer (or equal) write is already there. */
  writeTrait(key: string, entry: TraitEntry): void {
    const current = this.sql
      .exec<{ value: string; ts: number; message_id: string }>(
        "SELECT value, ts, message_id FROM traits WHERE key = ?",
        key,
      )
      .toArray()[0];
    if (current) {
      const existing: TraitEntry = {
        value: JSON.parse(current.value) as JsonValue,
        timestamp: current.ts,
        messageId: current.message_id,
      };
      if (compareTraitWrites(entry, existing) <= 0) return;
    }
    this.sql.exec(
      "INSERT OR REPLACE INTO traits (key, value, ts, message_id) VALUES (?, ?, ?, ?)",
      key,
      JSON.stringify(entry.value),
      entry.timestamp,
      entry.messageId,
    );
  }

  writeTraits(traits: JsonObject, timestamp: number, messageId: string): void {
    for (const [key, value] of Object.entries(traits))
      this.writeTrait(key, { value, timestamp, messageId });
  }

  private insertEvent(record: EventRecord): boolean {
    return (
      this.sql.exec(
        `INSERT OR IGNORE INTO events (message_id, source_id, timestamp, type, counter, body)
       VALUES (?, ?, ?, ?, ?, ?)`,
        record.messageId,
        record.sourceId,
        record.timestamp,
        record.type,
        record.counter,
        record.body,
      ).rowsWritten > 0
    );
  }

  addLink(profileId: string): void {
    this.sql.exec("INSERT OR IGNORE INTO links (profile_id) VALUES (?)", profileId);
  }

  traitEntries(): Record<string, TraitEntry> {
    const out: Record<string, TraitEntry> = {};
    for (const row of this.sql
      .exec<{ key: string; value: string; ts: number; message_id: string }>(
        "SELECT * FROM traits ORDER BY key",
      )
      .toArray()) {
      out[row.key] = {
        value: JSON.parse(row.value) as JsonValue,
        timestamp: row.ts,
        messageId: row.message_id,
      };
    }
    return out;
  }

  events(options: {
    limit: number;
    after?: [number, string];
    order: "asc" | "desc";
    start?: number;
    end?: number;
  }): EventRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (options.start !== undefined) {
      where.push("timestamp >= ?");
      args.push(options.start);
    }
    if (options.end !== undefined) {
      where.push("timestamp < ?");
      args.push(options.end);
    }
    if (options.after) {
      const cmp = options.order === "asc" ? ">" : "<";
      where.push(`(timestamp ${cmp} ? OR (timestamp = ? AND message_id ${cmp} ?))`);
      args.push(options.after[0], options.after[0], options.after[1]);
    }
    const dir = options.order === "asc" ? "ASC" : "DESC";
    return this.sql
      .exec<{
        message_id: string;
        source_id: string;
        timestamp: number;
        type: string;
        counter: string;
        body: string;
      }>(
        `SELECT * FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY timestamp ${dir}, message_id ${dir} LIMIT ?`,
        ...args,
        options.limit,
      )
      .toArray()
      .map((r) => ({
        messageId: r.message_id,
        sourceId: r.source_id,
        timestamp: r.timestamp,
        type: r.type,
        counter: r.counter,
        body: r.body,
      }));
  }

  allEvents(): EventRecord[] {
    return this.events({ limit: Number.MAX_SAFE_INTEGER, order: "asc" });
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.sql
      .exec<{ counter: string; n: number }>(
        "SELECT counter, COUNT(*) AS n FROM events GROUP BY counter ORDER BY counter",
      )
      .toArray()) {
      out[row.counter] = row.n;
    }
    return out;
  }

  links(): string[] {
    return this.sql
      .exec<{ profile_id: string }>("SELECT profile_id FROM links ORDER BY profile_id")
      .toArray()
      .map((r) => r.profile_id);
  }

  /** First and last events by time, for the Profile API's metadata. */
  bounds(): { first?: EventRecord; last?: EventRecord } {
    return {
      first: this.events({ limit: 1, order: "asc" })[0],
      last: this.events({ limit: 1, order: "desc" })[0],
    };
  }

  state(createdAt: number | null): ProfileState {
    return {
      traits: JSON.stringify(this.traitEntries()),
      events: this.allEvents(),
      links: this.links(),
      createdAt,
    };
  }

  /** Folds another profile's state in: LWW traits, events by id, links by set union. */
  fold(state: ProfileState): void {
    const traits = JSON.parse(state.traits) as Record<string, TraitEntry>;
    for (const [key, entry] of Object.entries(traits)) this.writeTrait(key, entry);
    this.addEvents(state.events);
    for (const link of state.links) this.addLink(link);
  }

  clear(): void {
    this.sql.exec("DELETE FROM traits");
    this.bumpHistory(this.sql.exec("DELETE FROM events").rowsWritten);
    this.sql.exec("DELETE FROM links");
  }

  /**
   * Bodies of the consent events (CONSENT_COUNTERS), oldest first: one read of a partial index that
   * holds only them, however long the rest of the history is.
   */
  consentBodies(): string[] {
    if (!this.consentIndexed) {
      // Built on first use, not in the constructor: a profile nobody activates never pays for it.
      this.sql.exec(
        `CREATE INDEX IF NOT EXISTS events_consent ON events (timestamp, message_id)
         WHERE counter IN ${CONSENT_IN}`,
      );
      this.consentIndexed = true;
    }
    return this.sql
      .exec<{ body: string }>(
        `SELECT body FROM events WHERE counter IN ${CONSENT_IN} ORDER BY timestamp, message_id`,
      )
      .toArray()
      .map((r) => r.body);
  }

  /** Deletes the listed events; returns how many were there. */
  forgetEvents(messageIds: readonly string[]): number {
    const gone = this.sql.exec(
      "DELETE FROM events WHERE message_id IN (SELECT value FROM json_each(?))",
      JSON.stringify(messageIds),
    ).rowsWritten;
    this.bumpHistory(gone);
    return gone;
  }

  /**
   * Deletes events received (`receivedAt` in the stored body, ISO-8601 UTC, which orders as text)
   * before their source's cutoff. Returns how many went.
   */
  purgeReceivedBefore(
    cutoffs: Record<string, number>,
    fallback: number,
    keepCounters: readonly string[] = [],
  ): number {
    const iso = (ms: number) => new Date(ms).toISOString();
    const listed = Object.entries(cutoffs).map(([source, cutoff]) => [source, iso(cutoff)]);
    const gone = this.sql.exec(
      `DELETE FROM events WHERE COALESCE(json_extract(body, '$.receivedAt'), '') <
         COALESCE((SELECT json_extract(value, '$[1]') FROM json_each(?1)
                   WHERE json_extract(value, '$[0]') = events.source_id), ?2)
         AND counter NOT IN (SELECT value FROM json_each(?3))`,
      JSON.stringify(listed),
      iso(fallback),
      JSON.stringify(keepCounters),
    ).rowsWritten;
    this.bumpHistory(gone);
    return gone;
  }
}
