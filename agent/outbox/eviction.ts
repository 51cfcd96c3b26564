// What goes first when the outbox is full (issue 5, "a size bound with a documented policy"):
// presence observations are a sampled stream (the next scan repeats them), venue-level counts
// are aggregates, sessions carry usage a guest does not see, and logins carry consent and
// identity that cannot be recovered. Within a class the oldest row goes first.
import type { OutboxClass } from "../controllers/deps.ts";

/** Eviction rank: lower goes first. */
export const EVICTION_RANK: Readonly<Record<OutboxClass, number>> = {
  presence: 0,
  venue: 1,
  session: 2,
  login: 3,
};

export const OUTBOX_CLASSES: readonly OutboxClass[] = ["presence", "venue", "session", "login"];

/** Type guard for a class name read back from SQLite. */
export function isOutboxClass(value: unknown): value is OutboxClass {
  return typeof value === "string" && (OUTBOX_CLASSES as readonly string[]).includes(value);
}
