// Rate limits without a request to the source's object per call (issue 14). An isolate takes
// tokens from the source's limiter (its SourceGate) in leases of about a tenth of a second of the
// source's rate (so several isolates share a source's bucket), and spends them locally; requests
// that find the lease spent while another is being taken wait for that one; a lease lasts LEASE_MS, and what is left of it then is
// dropped, never returned, so the source is never admitted above its limit, only sometimes
// below it. The limiter is also where a disabled source or a rotated-out key is refused: a lease
// is for one key hash, so a change made by the admin API stops other isolates within LEASE_MS
// and the admin's own isolate at once (`dropLease`).
import type { SourceSnapshot } from "../../sources/index.ts";

export const LEASE_MS = 1_000;

/** What the limiter answers a lease request. */
export type LeaseResult =
  | { status: "ok"; granted: number }
  | { status: "rate_limited"; retryAfter: number }
  | { status: "disabled" }
  | { status: "invalid_key" };

export interface LeaseRequest {
  source: SourceSnapshot;
  keyHash: string;
  /** Tokens this request needs (its events, at most the burst): granted in full or not at all. */
  needed: number;
  /** Tokens wanted in all: `needed` plus what the isolate would keep for its next requests. */
  wanted: number;
}

/** The tokens a request of `events` needs, and the lease to ask for. Pure. */
export function leaseSize(
  events: number,
  limit: { ratePerSecond: number; burst: number },
): { needed: number; wanted: number } {
  const needed = Math.min(events, limit.burst);
  const ahead = Math.ceil(limit.ratePerSecond / 10);
  return { needed, wanted: Math.min(limit.burst, Math.max(needed, ahead)) };
}

interface Held {
  tokens: number;
  expires: number;
  keyHash: string;
}

const held = new Map<string, Held>();
const pending = new Map<string, Promise<LeaseResult>>();
const MAX_HELD = 10_000;

function takeHeld(sourceId: string, keyHash: string, needed: number, now: number): boolean {
  const lease = held.get(sourceId);
  if (!lease || lease.expires <= now || lease.keyHash !== keyHash || lease.tokens < needed)
    return false;
  lease.tokens -= needed;
  return true;
}

/**
 * Admits `events` events of `source` sent with the key whose hash is `keyHash`: from this isolate's
 * lease when it covers them, else through a new lease from `limiter` (one at a time per source:
 * concurrent requests wait for the lease being taken and spend from it).
 */
export async function admitLeased(
  limiter: (request: LeaseRequest) => Promise<LeaseResult>,
  source: SourceSnapshot,
  keyHash: string,
  events: number,
): Promise<Exclude<LeaseResult, { status: "ok" }> | { status: "ok" }> {
  const { needed, wanted } = leaseSize(events, {
    ratePerSecond: source.rateLimitPerSecond,
    burst: source.rateLimitBurst,
  });
  for (let round = 0; round < 3; round++) {
    if (takeHeld(source.id, keyHash, needed, Date.now())) return { status: "ok" };
    let lease = pending.get(source.id);
    if (!lease) {
      lease = limiter({ source, keyHash, needed, wanted }).then((result) => {
        if (result.status !== "ok") held.delete(source.id);
        else {
          if (held.size >= MAX_HELD) held.clear();
          held.set(source.id, {
            tokens: result.granted,
            expires: Date.now() + LEASE_MS,
            keyHash,
          });
        }
        return result;
      });
      const taking = lease;
      pending.set(source.id, taking);
      void taking.then(
        () => pending.get(source.id) === taking && pending.delete(source.id),
        () => pending.get(source.id) === taking && pending.delete(source.id),
      );
    }
    const result = await lease;
    if (result.status !== "ok") return result;
  }
  // Others kept spending the leases first: this request takes exactly what it needs.
  const own = await limiter({ source, keyHash, needed, wanted: needed });
  return own.status === "ok" ? { status: "ok" } : own;
}

/** Forgets this isolate's lease of a source (after an admin change to it). */
export function dropLease(sourceId: string): void {
  held.delete(sourceId);
}
