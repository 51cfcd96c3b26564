// How long the ingest Queue waits before redelivering a batch the consumer could not store. Pure:
// the consumer uses it, and the orphan sweep (worker/governance/retention/orphan-age.ts) derives from it how
// long a message can keep coming back.

/**
 * Retry delay for a failed batch: exponential from 2 s, capped at 5 minutes. `attempts` is the
 * Queue's count for the message, 1 on first delivery
 * (https://developers.cloudflare.com/queues/configuration/batching-retries/#delay-messages).
 */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.min(attempts, 9));
}
