// Write key → source, cached per isolate so the hot path rarely touches D1. The cache only maps
// keys to sources: whether a source is enabled and which key is in force is decided by its
// SourceGate, which the admin API updates directly, when an isolate takes a lease of tokens
// (worker/gate/admission/lease.ts): at once in the admin's isolate, within 1 s in the others.
import { sha256Hex } from "../platform/index.ts";
import { findSourceByKeyHash, toSnapshot, type SourceSnapshot } from "../sources/index.ts";

const FOUND_TTL_MS = 30_000;
const MISSING_TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

const cache = new Map<string, { source: SourceSnapshot | undefined; expires: number }>();

export interface ResolvedKey {
  keyHash: string;
  source: SourceSnapshot | undefined;
}

/** Looks up the source a write key belongs to. */
export async function resolveWriteKey(env: Env, writeKey: string): Promise<ResolvedKey> {
  const keyHash = await sha256Hex(writeKey);
  const now = Date.now();
  const hit = cache.get(keyHash);
  if (hit && hit.expires > now) return { keyHash, source: hit.source };
  const row = await findSourceByKeyHash(env, keyHash);
  const source = row ? toSnapshot(row) : undefined;
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(keyHash, { source, expires: now + (source ? FOUND_TTL_MS : MISSING_TTL_MS) });
  return { keyHash, source };
}

/** Drops this isolate's cached entries for a source after an admin change. */
export function forgetSource(sourceId: string): void {
  for (const [key, entry] of cache) if (entry.source?.id === sourceId) cache.delete(key);
}
