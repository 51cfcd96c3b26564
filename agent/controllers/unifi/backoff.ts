/**
 * Reconnect delay after `attempt` consecutive failures: exponential from `initialMs`, capped at
 * `maxMs`, with "equal jitter" (half fixed, half random) so a controller restart does not get every
 * agent back in the same millisecond, while never retrying in a tight loop.
 */
export function reconnectDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + random() * (cap / 2));
}
