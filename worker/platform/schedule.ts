// When the space's regulation runner (the IdentityGraph's alarm) runs which regulation (pure).
// Every open regulation keeps its own next attempt. A step that fails retryably waits out
// delivery's randomized backoff (platform/backoff.ts, 16 attempts over more than
// 4 hours). That wait belongs to that regulation alone: a regulation posted after it, a
// suppression for instance, still runs at once. New work never moves an earlier regulation's
// attempt forward, because each early run would use up one of its 16 attempts.
import { backoffDelaySeconds } from "./backoff.ts";

/** Whether a regulation whose next attempt is `nextAttemptAt` (epoch ms) runs in an alarm at `now`. */
export function isDue(nextAttemptAt: number, now: number): boolean {
  return nextAttemptAt <= now;
}

/**
 * When a regulation is tried again after a run that ended with its current step failed
 * `failedAttempts` times. `random` is in [0, 1) and sets the jitter.
 */
export function retryAt(failedAttempts: number, now: number, random: number): number {
  return now + backoffDelaySeconds(failedAttempts, random) * 1000;
}

/** The alarm for open regulations' next attempts: the earliest, or none when none is open. */
export function nextAlarmAt(nextAttempts: readonly number[]): number | undefined {
  return nextAttempts.length === 0 ? undefined : Math.min(...nextAttempts);
}

/**
 * The alarm once new work is due at `now`. An alarm that is already earlier stays where it is. A
 * later alarm, or none, moves to `now`. Only the new regulation is due then; the alarm skips the
 * others until their own time.
 */
export function alarmWithNewWork(current: number | null, now: number): number {
  return current === null ? now : Math.min(current, now);
}
