// A profile's event history as activation reads it, plus the two building blocks every computed
// trait and audience condition shares: which events count (event filter) and when (time window).
// Window semantics, chosen so every boundary is an exact instant a Durable Object alarm can hit:
//   within D days:          counts while 0 ≤ now − t < D days   (enters at t, leaves at t + D)
//   between F and T days ago: counts while F ≤ now − t < T days (enters at t + F, leaves at t + T)
//   dates [start, end):     counts while start ≤ t < end and t ≤ now
//   no window:              counts once t ≤ now
import { z, MESSAGE_TYPES, type JsonObject, type MessageType } from "../message/index.ts";
import { propertyConditionSchema, propertyMatches } from "./conditions.ts";

/** One event in a profile's history (what the profile Durable Object keeps). */
export interface HistoryEvent {
  /** Track event name; page/screen calls use Segment's `Page Viewed` / `Screen Viewed` convention or their type. */
  event?: string;
  type: MessageType;
  properties: JsonObject;
  /** ISO-8601 UTC. */
  timestamp: string;
  /** The ids the event carried (activation messages name the profile by the latest ones). */
  messageId?: string;
  userId?: string;
  anonymousId?: string;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Longest window accepted (Segment's lookback windows are at most a few years). */
const MAX_DAYS = 3_650;

const isoInstant = z.iso.datetime({ offset: true });

export const windowSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("within"), days: z.number().int().min(1).max(MAX_DAYS) }),
  z
    .strictObject({
      type: z.literal("between"),
      fromDaysAgo: z.number().int().min(0).max(MAX_DAYS),
      toDaysAgo: z.number().int().min(1).max(MAX_DAYS),
    })
    .refine((w) => w.fromDaysAgo < w.toDaysAgo, {
      message: "fromDaysAgo must be less than toDaysAgo",
      path: ["toDaysAgo"],
    }),
  z
    .strictObject({ type: z.literal("dates"), start: isoInstant, end: isoInstant })
    .refine((w) => Date.parse(w.start) < Date.parse(w.end), {
      message: "start must be before end",
      path: ["end"],
    }),
]);
export type TimeWindow = z.infer<typeof windowSchema>;

export const eventFilterSchema = z
  .strictObject({
    /** Track event name, exact and case-sensitive as in Segment. */
    event: z.string().min(1).max(200).optional(),
    type: z.enum(MESSAGE_TYPES).optional(),
    /** All must hold (Segment's property refinements). */
    where: z.array(propertyConditionSchema).max(20).default([]),
  })
  .refine((f) => f.event !== undefined || f.type !== undefined, "name an event or a type");
export type EventFilter = z.infer<typeof eventFilterSchema>;

/** Whether a history event is one the filter selects (name/type and every property condition). */
export function eventMatches(filter: EventFilter, event: HistoryEvent): boolean {
  if (filter.type !== undefined && event.type !== filter.type) return false;
  if (filter.event !== undefined && event.event !== filter.event) return false;
  return filter.where.every((condition) => propertyMatches(condition, event.properties));
}

/** Whether an event at `t` counts at `now` under the window (see the header for semantics). */
export function windowIncludes(window: TimeWindow | undefined, t: number, now: number): boolean {
  if (t > now) return false;
  if (window === undefined) return true;
  const age = now - t;
  if (window.type === "within") return age < window.days * DAY_MS;
  if (window.type === "between")
    return age >= window.fromDaysAgo * DAY_MS && age < window.toDaysAgo * DAY_MS;
  return t >= Date.parse(window.start) && t < Date.parse(window.end);
}

/** The instants at which an event at `t` enters or leaves the window as the clock moves. */
export function windowBoundaries(window: TimeWindow | undefined, t: number): number[] {
  if (window === undefined || window.type === "dates") return [t];
  if (window.type === "within") return [t, t + window.days * DAY_MS];
  return [t + window.fromDaysAgo * DAY_MS, t + window.toDaysAgo * DAY_MS];
}

/** Whether an event at `t` can never count again after `now` (safe to forget in incremental state). */
export function windowExpired(window: TimeWindow | undefined, t: number, now: number): boolean {
  if (window === undefined) return false;
  if (window.type === "dates") return t < Date.parse(window.start) || t >= Date.parse(window.end);
  const extent = (window.type === "within" ? window.days : window.toDaysAgo) * DAY_MS;
  return now - t >= extent;
}
