// SpaceActivation: one Durable Object per space holding what activation needs to find quickly:
// the space's destinations (the fan-out list; each destination's full configuration lives in its
// own DestinationObject) and the computed trait and audience definitions, versioned: every change
// is kept in `definition_versions`, and a space-wide revision tells profiles when to reload.
import { meterEnv, meterStorage } from "../platform/index.ts";
import { DurableObject } from "cloudflare:workers";

export interface DestinationSummary {
  id: string;
  slug: string;
  name: string;
  enabled: boolean;
}

export type DefinitionKind = "computed_trait" | "audience";

export interface StoredDefinition {
  kind: DefinitionKind;
  key: string;
  /** Stable id (Segment's computation_id), kept across versions. */
  id: string;
  version: number;
  /** identify | track | both: how changes go out (activation-events.ts). */
  mode: string;
  definition: unknown;
  updatedAt: string;
}

type DefinitionRow = {
  kind: DefinitionKind;
  key: string;
  id: string;
  version: number;
  mode: string;
  definition: string;
  updated_at: number;
};

function toStored(row: DefinitionRow): StoredDefinition {
  return {
    kind: row.kind,
    key: row.key,
    id: row.id,
    version: row.version,
    mode: row.mode,
    definition: JSON.parse(row.definition) as unknown,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export class SpaceActivation extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meterEnv(env));
    meterStorage(env, ctx.storage, "SpaceActivation");
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS destinations (
      id TEXT PRIMARY KEY, slug TEXT NOT NULL, name TEXT NOT NULL, enabled INTEGER NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS definitions (
      kind TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
      mode TEXT NOT NULL, definition TEXT NOT NULL, updated_at INTEGER NOT NULL,
      PRIMARY KEY (kind, key))`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS definition_versions (
      kind TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, mode TEXT NOT NULL,
      definition TEXT, updated_at INTEGER NOT NULL, PRIMARY KEY (kind, key, version))`);
  }

  putDestination(summary: DestinationSummary): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO destinations (id, slug, name, enabled) VALUES (?, ?, ?, ?)",
      summary.id,
      summary.slug,
      summary.name,
      summary.enabled ? 1 : 0,
    );
  }

  removeDestination(id: string): boolean {
    return this.sql.exec("DELETE FROM destinations WHERE id = ?", id).rowsWritten > 0;
  }

  destinations(): DestinationSummary[] {
    return this.sql
      .exec<{ id: string; slug: string; name: string; enabled: number }>(
        "SELECT * FROM destinations ORDER BY id",
      )
      .toArray()
      .map((r) => ({ id: r.id, slug: r.slug, name: r.name, enabled: r.enabled === 1 }));
  }

  /** Ids of the destinations events fan out to. */
  enabledDestinations(): string[] {
    return this.destinations()
      .filter((d) => d.enabled)
      .map((d) => d.id);
  }

  /** Bumped on every definition change; profiles compare it to decide whether to reload. */
  revision(): number {
    return this.ctx.storage.kv.get<number>("revision") ?? 0;
  }

  /** Stores a new version of a (validated) definition; returns it as JSON text. */
  putDefinition(kind: DefinitionKind, key: string, definitionJson: string, mode: string): string {
    const now = Date.now();
    const current = this.sql
      .exec<DefinitionRow>("SELECT * FROM definitions WHERE kind = ? AND key = ?", kind, key)
      .toArray()[0];
    const version = (current?.version ?? this.lastVersion(kind, key)) + 1;
    const id = current?.id ?? `${kind === "audience" ? "aud" : "trt"}_${crypto.randomUUID()}`;
    this.sql.exec(
      "INSERT OR REPLACE INTO definitions VALUES (?, ?, ?, ?, ?, ?, ?)",
      kind,
      key,
      id,
      version,
      mode,
      definitionJson,
      now,
    );
    this.sql.exec(
      "INSERT INTO definition_versions VALUES (?, ?, ?, ?, ?, ?)",
      kind,
      key,
      version,
      mode,
      definitionJson,
      now,
    );
    this.ctx.storage.kv.put("revision", this.revision() + 1);
    return JSON.stringify(
      toStored({ kind, key, id, version, mode, definition: definitionJson, updated_at: now }),
    );
  }

  private lastVersion(kind: DefinitionKind, key: string): number {
    const row = this.sql
      .exec<{ v: number | null }>(
        "SELECT MAX(version) AS v FROM definition_versions WHERE kind = ? AND key = ?",
        kind,
        key,
      )
      .toArray()[0];
    return row?.v ?? 0;
  }

  /** Deletes a definition (its history stays, with a tombstone version). */
  deleteDefinition(kind: DefinitionKind, key: string): boolean {
    const removed = this.sql.exec(
      "DELETE FROM definitions WHERE kind = ? AND key = ?",
      kind,
      key,
    ).rowsWritten;
    if (removed === 0) return false;
    this.sql.exec(
      "INSERT INTO definition_versions VALUES (?, ?, ?, 'deleted', NULL, ?)",
      kind,
      key,
      this.lastVersion(kind, key) + 1,
      Date.now(),
    );
    this.ctx.storage.kv.put("revision", this.revision() + 1);
    return true;
  }

  /** Every current definition, with the revision, as JSON text (shallow RPC types). */
  definitions(): string {
    const rows = this.sql
      .exec<DefinitionRow>("SELECT * FROM definitions ORDER BY kind, key")
      .toArray()
      .map(toStored);
    return JSON.stringify({ revision: this.revision(), definitions: rows });
  }

  /** A definition's version history, newest first, as JSON text. */
  versions(kind: DefinitionKind, key: string): string {
    const rows = this.sql
      .exec<{ version: number; mode: string; definition: string | null; updated_at: number }>(
        "SELECT version, mode, definition, updated_at FROM definition_versions WHERE kind = ? AND key = ? ORDER BY version DESC",
        kind,
        key,
      )
      .toArray();
    return JSON.stringify(
      rows.map((r) => ({
        version: r.version,
        mode: r.mode,
        deleted: r.definition === null,
        definition: r.definition === null ? null : (JSON.parse(r.definition) as unknown),
        updatedAt: new Date(r.updated_at).toISOString(),
      })),
    );
  }
}
