// The isolation part of the activation bench: delivered throughput over a bounded window, long
// gaps between arrivals, and the verdict against issue 7's goal. Pure, unit-tested in
// activation.test.ts.
import { quantileWithTimeouts, ratio } from "./activation-arrivals.ts";
import type { SignatureTally } from "./webhook-signature-check.ts";

/** Issue 7's goal: A's delivered throughput with B failing ≥ 90% of all-healthy. */
export const ISOLATION_GOAL_RATIO = 0.9;
/** Gaps between consecutive arrivals at least this long are reported as stalls. */
export const STALL_GAP_MS = 2_000;

export interface Throughput {
  sent: number;
  /** Arrivals (first per event) no later than the deadline. */
  delivered: number;
  /** Every sent event arrived by the deadline. */
  complete: boolean;
  /** From the first send to the last arrival (complete) or to the deadline (incomplete). */
  windowMs: number;
  eventsPerSecond: number;
}

/**
 * Delivered throughput: events that arrived ÷ (last arrival − first send) when all arrived by
 * `deadlineAt`, else arrivals by the deadline ÷ (deadline − first send): the phase is not over
 * while events are still pending, so its window runs to the deadline.
 */
export function deliveredThroughput(
  sent: number,
  firstSendAt: number,
  arrivalTimes: readonly number[],
  deadlineAt: number,
): Throughput {
  const inTime = arrivalTimes.filter((t) => t <= deadlineAt);
  const complete = sent > 0 && inTime.length >= sent;
  const end = complete ? Math.max(...inTime) : deadlineAt;
  const windowMs = Math.max(1, end - firstSendAt);
  return {
    sent,
    delivered: inTime.length,
    complete,
    windowMs,
    eventsPerSecond: (inTime.length * 1_000) / windowMs,
  };
}

export interface Stalls {
  /** Gaps of at least STALL_GAP_MS between consecutive arrivals. */
  count: number;
  medianMs: number;
  maxMs: number;
}

/** Long gaps between consecutive arrivals: the sign of a consumer held up by something else. */
export function stalls(arrivalTimes: readonly number[], minGapMs = STALL_GAP_MS): Stalls {
  const sorted = [...arrivalTimes].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const gap = (sorted[i] ?? 0) - (sorted[i - 1] ?? 0);
    if (gap >= minGapMs) gaps.push(gap);
  }
  return {
    count: gaps.length,
    medianMs: quantileWithTimeouts(gaps, 0.5),
    maxMs: gaps.length === 0 ? Number.NaN : Math.max(...gaps),
  };
}

/** What the admin API's `GET /destinations/:id/overview` says, as far as the report uses it. */
export interface OverviewFigures {
  received: number;
  delivered: number;
  /** Accepted, not yet attempted or in flight (0 when the overview has no such field). */
  pending: number;
  retrying: number;
  retries: number;
  failed: number;
  filtered: number;
  filteredByReason: Record<string, number>;
}

export type IsolationPhaseName = "healthy" | "failing" | "hanging";

export interface IsolationPhase {
  phase: IsolationPhaseName;
  /** What destination B's receiver did in this phase. */
  bBehaviour: string;
  events: number;
  /** Events the edge answered 200. */
  acked: number;
  /** ms from the first to the last send's 200. */
  sendMs: number;
  a: Throughput;
  /** A's throughput ÷ the healthy phase's. */
  ratio: number;
  /** ms from each event's 200 to its arrival at A. */
  aLatencyP50Ms: number;
  aLatencyP95Ms: number;
  aStalls: Stalls;
  aDuplicates: number;
  /** Requests B's receiver got until the deadline (first attempts and retries). */
  bRequests: number;
  aOverview: OverviewFigures | null;
  bOverview: OverviewFigures | null;
  signatures: SignatureTally;
}

/** Fills each phase's `ratio` against the healthy phase and says whether every phase meets the goal. */
export function isolationVerdict(phases: readonly IsolationPhase[]): {
  phases: IsolationPhase[];
  baselineEventsPerSecond: number;
  worstRatio: number;
  goalRatio: number;
  goalMet: boolean;
} {
  const baseline = phases.find((p) => p.phase === "healthy")?.a.eventsPerSecond ?? Number.NaN;
  const withRatios = phases.map((p) => ({ ...p, ratio: ratio(p.a.eventsPerSecond, baseline) }));
  const others = withRatios.filter((p) => p.phase !== "healthy").map((p) => p.ratio);
  const worstRatio =
    others.length === 0 || others.some(Number.isNaN) ? Number.NaN : Math.min(...others);
  return {
    phases: withRatios,
    baselineEventsPerSecond: baseline,
    worstRatio,
    goalRatio: ISOLATION_GOAL_RATIO,
    goalMet: Number.isFinite(worstRatio) && worstRatio >= ISOLATION_GOAL_RATIO,
  };
}
