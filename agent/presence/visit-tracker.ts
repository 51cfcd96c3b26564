// Thin shell around the visit state machine: reads open visits from the store, appends the
// resulting messages durably, then persists the new state. Appending first means a crash between
// the two replays the same transitions next time; their messageIds are stable (derived from hash
// and first sighting), so the edge drops the repeats.
import type { InputDeps } from "../controllers/deps.ts";
import type { VenueRef } from "../controllers/venue.ts";
import type { PresenceObservation } from "./observation.ts";
import type { PresenceChanges, PresenceStore } from "./store.ts";
import {
  observeVisit,
  sweepVisit,
  type VisitSettings,
  type VisitState,
  type VisitStep,
} from "./visit-machine.ts";

export interface VisitTrackerDeps {
  store: PresenceStore;
  settings: VisitSettings;
  venue: VenueRef;
  append: InputDeps["append"];
  count: InputDeps["count"];
  now: InputDeps["now"];
}

export interface VisitTracker {
  /** Feeds a batch of observations (one webhook delivery); returns when durably recorded. */
  observe(observations: PresenceObservation[]): number;
  /** Ends visits silent for longer than the absence timeout; call periodically. */
  sweep(): number;
}

/** Creates a tracker over a store; all state lives in the store, none in memory. */
export function createVisitTracker(deps: VisitTrackerDeps): VisitTracker {
  const { store, settings, venue } = deps;

  function commit(
    steps: VisitStep[],
    touched: Map<string, VisitState | undefined>,
    removed: Set<string>,
  ): number {
    const messages = steps.flatMap((s) => s.messages);
    if (messages.length > 0) deps.append(messages, "presence");
    const changes: PresenceChanges = { upsert: [], remove: [...removed], ended: [] };
    for (const state of touched.values()) if (state !== undefined) changes.upsert.push(state);
    for (const step of steps) if (step.ended !== undefined) changes.ended.push(step.ended);
    store.apply(changes);
    for (const step of steps) deps.count(`presence.${step.outcome}`);
    return messages.length;
  }

  return {
    observe(observations) {
      const touched = new Map<string, VisitState | undefined>();
      const removed = new Set<string>();
      const steps: VisitStep[] = [];
      for (const observation of observations) {
        const hash = observation.mac.hash;
        const current = touched.has(hash) ? touched.get(hash) : store.openVisit(hash);
        const lastEnd =
          steps.findLast((s) => s.ended?.macHash === hash)?.ended?.endedAt ??
          store.lastVisitEnd(hash);
        const step = observeVisit(current, observation, lastEnd, settings, venue);
        if (step.state !== current) {
          touched.set(hash, step.state);
          if (current !== undefined && step.state?.firstSeen !== current.firstSeen)
            removed.add(hash);
        }
        steps.push(step);
      }
      return commit(steps, touched, removed);
    },
    sweep() {
      const now = deps.now();
      const touched = new Map<string, VisitState | undefined>();
      const removed = new Set<string>();
      const steps: VisitStep[] = [];
      for (const state of store.openVisits()) {
        const step = sweepVisit(state, now, settings, venue);
        if (step.state === undefined) {
          removed.add(state.macHash);
          steps.push(step);
        }
      }
      const appended = commit(steps, touched, removed);
      store.pruneHistory(new Date(now.getTime() - settings.returningWindowDays * 86_400_000));
      return appended;
    },
  };
}
