import type { VisitEnd, VisitState } from "./visit-machine.ts";

/** Changes from one batch of observations or one sweep, applied atomically. */
export interface PresenceChanges {
  upsert: VisitState[];
  /** Hashes whose open visit is gone (ended or abandoned as a passer-by). */
  remove: string[];
  /** Reported visits that ended: the new-vs-returning history. */
  ended: VisitEnd[];
}

/** Where the visit state machine keeps open visits and the end of each hash's last visit. */
export interface PresenceStore {
  openVisit(macHash: string): VisitState | undefined;
  openVisits(): VisitState[];
  /** ISO time the hash's last reported visit ended, if any is remembered. */
  lastVisitEnd(macHash: string): string | undefined;
  apply(changes: PresenceChanges): void;
  /** Forgets history older than `before` (outside the returning window); returns rows removed. */
  pruneHistory(before: Date): number;
}
