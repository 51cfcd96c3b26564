// Presence → visits, as a pure state machine over one hashed MAC. A visit starts being reported
// once the device has been seen for `minDwellSeconds` (passers-by never produce events), and ends
// when nothing has been heard for `absenceTimeoutSeconds` (short gaps — flapping between APs, a
// phone dozing — stay one visit). "Returning" means the same hash finished a reported visit within
// `returningWindowDays`. A randomized MAC is only known by its hash: after a rotation it is a new
// device, which is why MAC-based repeat counts are inflated (https://source.android.com/docs/core/connect/wifi-mac-randomization-behavior "Implications").
import type { OutboxMessage } from "../controllers/deps.ts";
import { guestTrack, stableMessageId, type VenuePlace } from "../controllers/guest-event.ts";
import type { PresenceConfig } from "../controllers/config.ts";
import type { VenueRef } from "../controllers/venue.ts";
import type { PresenceObservation } from "./observation.ts";

export type VisitSettings = Pick<
  PresenceConfig,
  "minRssi" | "minDwellSeconds" | "absenceTimeoutSeconds" | "returningWindowDays"
>;

/** The open visit of one hashed MAC, as persisted between observations. */
export interface VisitState {
  macHash: string;
  randomized: boolean;
  /** ISO times of the first and latest qualifying sighting. */
  firstSeen: string;
  lastSeen: string;
  /** `Venue Visit Started` has been emitted (the dwell threshold was reached). */
  reported: boolean;
  returning: boolean;
  place: VenuePlace;
  source: string;
}

/** A reported visit that ended: feeds the new-vs-returning history. */
export interface VisitEnd {
  macHash: string;
  endedAt: string;
}

export interface VisitStep {
  /** The open visit after this step; undefined when none remains open. */
  state: VisitState | undefined;
  messages: OutboxMessage[];
  ended?: VisitEnd;
  outcome: "weak_signal" | "stale" | "started" | "extended" | "reported" | "ended";
}

const seconds = (from: string, to: Date | string): number =>
  Math.round((new Date(to).getTime() - new Date(from).getTime()) / 1000);

function visitId(state: VisitState): string {
  return stableMessageId("visit", state.macHash, state.firstSeen);
}

function visitMessage(state: VisitState, venue: VenueRef, ended: boolean): OutboxMessage {
  const event = ended ? "Venue Visit Ended" : "Venue Visit Started";
  return guestTrack({
    event,
    mac: { hash: state.macHash, randomized: state.randomized },
    timestamp: new Date(ended ? state.lastSeen : state.firstSeen),
    venue,
    place: state.place,
    source: state.source,
    idParts: [state.macHash, state.firstSeen],
    properties: {
      visitId: visitId(state),
      returning: state.returning,
      visitorType: state.returning ? "returning" : "new",
      dwellSeconds: seconds(state.firstSeen, state.lastSeen),
    },
  });
}

/**
 * Ends the visit if nothing was heard for the absence timeout by `now`. A visit that never reached
 * the dwell threshold disappears without a trace (a passer-by).
 */
export function sweepVisit(
  state: VisitState,
  now: Date,
  settings: VisitSettings,
  venue: VenueRef,
): VisitStep {
  if (seconds(state.lastSeen, now) <= settings.absenceTimeoutSeconds) {
    return { state, messages: [], outcome: "extended" };
  }
  if (!state.reported) return { state: undefined, messages: [], outcome: "ended" };
  return {
    state: undefined,
    messages: [visitMessage(state, venue, true)],
    ended: { macHash: state.macHash, endedAt: state.lastSeen },
    outcome: "ended",
  };
}

/**
 * Applies one observation. `lastVisitEnd` is when this hash's previous reported visit ended (from
 * the store). Observations older than the latest sighting change nothing (vendors resend history).
 */
export function observeVisit(
  current: VisitState | undefined,
  observation: PresenceObservation,
  lastVisitEnd: string | undefined,
  settings: VisitSettings,
  venue: VenueRef,
): VisitStep {
  if (observation.rssi !== undefined && observation.rssi < settings.minRssi) {
    return { state: current, messages: [], outcome: "weak_signal" };
  }
  const seenAt = observation.seenAt.toISOString();
  const messages: OutboxMessage[] = [];
  let ended: VisitEnd | undefined;
  let previousEnd = lastVisitEnd;
  if (current !== undefined) {
    const gap = seconds(current.lastSeen, seenAt);
    if (gap <= 0) return { state: current, messages: [], outcome: "stale" };
    if (gap <= settings.absenceTimeoutSeconds) {
      const state = {
        ...current,
        lastSeen: seenAt,
        place: { ...current.place, ...definedPlace(observation.place) },
      };
      if (state.reported || seconds(state.firstSeen, seenAt) < settings.minDwellSeconds) {
        return { state, messages: [], outcome: "extended" };
      }
      state.reported = true;
      return { state, messages: [visitMessage(state, venue, false)], outcome: "reported" };
    }
    // The gap exceeded the timeout before a sweep noticed: close the old visit first.
    const closed = sweepVisit(current, observation.seenAt, settings, venue);
    messages.push(...closed.messages);
    ended = closed.ended;
    previousEnd = closed.ended?.endedAt ?? previousEnd;
  }
  const returning =
    previousEnd !== undefined &&
    seconds(previousEnd, seenAt) <= settings.returningWindowDays * 86_400;
  const state: VisitState = {
    macHash: observation.mac.hash,
    randomized: observation.mac.randomized,
    firstSeen: seenAt,
    lastSeen: seenAt,
    reported: settings.minDwellSeconds === 0,
    returning,
    place: definedPlace(observation.place),
    source: observation.source,
  };
  if (state.reported) messages.push(visitMessage(state, venue, false));
  return { state, messages, ended, outcome: state.reported ? "reported" : "started" };
}

function definedPlace(place: VenuePlace): VenuePlace {
  return Object.fromEntries(Object.entries(place).filter(([, v]) => v !== undefined));
}
