// Spaces and sources in D1. Write keys are stored as SHA-256 hashes; a key is shown once.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { randomToken, sha256Hex, sources, spaces } from "../platform/index.ts";
import type { SourceSnapshot } from "./types.ts";

export type SpaceRow = typeof spaces.$inferSelect;
export type SourceRow = typeof sources.$inferSelect;

/** Segment's write keys are 32 characters (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#authentication); ours match so clients accept them. */
export const WRITE_KEY_LENGTH = 32;

export const DEFAULT_RATE_LIMIT = { perSecond: 2_000, burst: 10_000 };

export interface SourceSettings {
  name: string;
  ipMode: SourceRow["ipMode"];
  retentionDays: number;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
}

export function db(env: Env) {
  return drizzle(env.DB);
}

export function toSnapshot(row: SourceRow): SourceSnapshot {
  return {
    id: row.id,
    spaceId: row.spaceId,
    enabled: row.enabled,
    writeKeyHash: row.writeKeyHash,
    rateLimitPerSecond: row.rateLimitPerSecond,
    rateLimitBurst: row.rateLimitBurst,
    retentionDays: row.retentionDays,
    ipMode: row.ipMode,
    updatedAt: row.updatedAt,
  };
}

export async function createSpace(env: Env, name: string): Promise<SpaceRow> {
  const row: SpaceRow = { id: `spa_${randomToken(20)}`, name, createdAt: Date.now() };
  await db(env).insert(spaces).values(row);
  return row;
}

export async function getSpace(env: Env, id: string): Promise<SpaceRow | undefined> {
  return db(env).select().from(spaces).where(eq(spaces.id, id)).get();
}

export async function listSpaces(env: Env): Promise<SpaceRow[]> {
  return db(env).select().from(spaces).orderBy(spaces.createdAt).all();
}

export async function createSource(
  env: Env,
  spaceId: string,
  settings: SourceSettings,
): Promise<{ row: SourceRow; writeKey: string }> {
  const writeKey = randomToken(WRITE_KEY_LENGTH);
  const now = Date.now();
  const row: SourceRow = {
    id: `src_${randomToken(20)}`,
    spaceId,
    ...settings,
    writeKeyHash: await sha256Hex(writeKey),
    writeKeyHint: writeKey.slice(-4),
    enabled: true,
    createdAt: now,
    updatedAt: now,
  };
  await db(env).insert(sources).values(row);
  return { row, writeKey };
}

export async function getSource(env: Env, id: string): Promise<SourceRow | undefined> {
  return db(env).select().from(sources).where(eq(sources.id, id)).get();
}

export async function listSources(env: Env, spaceId?: string): Promise<SourceRow[]> {
  const query = db(env).select().from(sources);
  return (spaceId ? query.where(eq(sources.spaceId, spaceId)) : query)
    .orderBy(sources.createdAt)
    .all();
}

export async function findSourceByKeyHash(
  env: Env,
  keyHash: string,
): Promise<SourceRow | undefined> {
  return db(env).select().from(sources).where(eq(sources.writeKeyHash, keyHash)).get();
}

/** Applies a change and bumps `updatedAt` (strictly increasing, so the gate keeps the newest). */
export async function updateSource(
  env: Env,
  current: SourceRow,
  change: Partial<
    Pick<
      SourceRow,
      | "name"
      | "enabled"
      | "retentionDays"
      | "rateLimitPerSecond"
      | "rateLimitBurst"
      | "writeKeyHash"
      | "writeKeyHint"
    >
  >,
): Promise<SourceRow> {
  const row: SourceRow = {
    ...current,
    ...change,
    updatedAt: Math.max(Date.now(), current.updatedAt + 1),
  };
  await db(env).update(sources).set(row).where(eq(sources.id, current.id));
  return row;
}

export async function rotateWriteKey(
  env: Env,
  current: SourceRow,
): Promise<{ row: SourceRow; writeKey: string }> {
  const writeKey = randomToken(WRITE_KEY_LENGTH);
  const row = await updateSource(env, current, {
    writeKeyHash: await sha256Hex(writeKey),
    writeKeyHint: writeKey.slice(-4),
  });
  return { row, writeKey };
}
