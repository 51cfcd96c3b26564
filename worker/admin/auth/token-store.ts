// Admin tokens in D1 (table `admin_tokens`): stored as SHA-256 with role, grants, space and
// expiry; the clear token exists only in the response that issued it.
import type { StoredAdminToken, TokenRequest } from "./tokens.ts";
import { issueAdminToken } from "./tokens.ts";
import type { Grant, Role } from "./roles.ts";

interface TokenRow {
  id: string;
  space_id: string;
  role: Role;
  grants: string;
  hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

function toRecord(row: TokenRow): StoredAdminToken {
  const record: StoredAdminToken = {
    id: row.id,
    spaceId: row.space_id,
    role: row.role,
    grants: JSON.parse(row.grants) as Grant[],
    hash: row.hash,
    createdAt: new Date(row.created_at).toISOString(),
  };
  if (row.expires_at !== null) record.expiresAt = new Date(row.expires_at).toISOString();
  if (row.revoked_at !== null) record.revokedAt = new Date(row.revoked_at).toISOString();
  return record;
}

/** The stored token with this id, or `undefined`. */
export async function findAdminToken(env: Env, id: string): Promise<StoredAdminToken | undefined> {
  const row = await env.DB.prepare("SELECT * FROM admin_tokens WHERE id = ?")
    .bind(id)
    .first<TokenRow>();
  return row ? toRecord(row) : undefined;
}

/** Issues and stores a token; returns the clear token (show it once) and the record. */
export async function createAdminToken(
  env: Env,
  spaceId: string,
  request: TokenRequest,
  now: Date,
): Promise<{ token: string; record: StoredAdminToken }> {
  const issued = await issueAdminToken(spaceId, request, now);
  const r = issued.record;
  await env.DB.prepare(
    `INSERT INTO admin_tokens (id, space_id, role, grants, hash, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      r.id,
      r.spaceId,
      r.role,
      JSON.stringify(r.grants),
      r.hash,
      Date.parse(r.createdAt),
      r.expiresAt === undefined ? null : Date.parse(r.expiresAt),
    )
    .run();
  return issued;
}

/** A token as the API shows it: never the hash. */
export function tokenJson(record: StoredAdminToken) {
  return {
    id: record.id,
    spaceId: record.spaceId,
    role: record.role,
    grants: record.grants,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt ?? null,
    revokedAt: record.revokedAt ?? null,
  };
}

export async function listAdminTokens(env: Env, spaceId: string): Promise<StoredAdminToken[]> {
  const { results } = await env.DB.prepare(
    "SELECT * FROM admin_tokens WHERE space_id = ? ORDER BY created_at, id",
  )
    .bind(spaceId)
    .all<TokenRow>();
  return results.map(toRecord);
}

/** Revokes a token of the space; false when the space has no such token. Revoking twice is a no-op. */
export async function revokeAdminToken(
  env: Env,
  spaceId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await env.DB.prepare(
    "UPDATE admin_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND space_id = ?",
  )
    .bind(now, id, spaceId)
    .run();
  return result.meta.changes > 0;
}

export async function touchAdminToken(env: Env, id: string, now: number): Promise<void> {
  await env.DB.prepare("UPDATE admin_tokens SET last_used_at = ? WHERE id = ?").bind(now, id).run();
}
