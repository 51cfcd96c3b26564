// Workloads of the identity benchmarks (issue 3): Segment events pre-generated in full, then cut
// into /v1/batch requests, so a run sends a known set and can tell when every event is placed on
// a profile. Every messageId carries the run id, so repeated runs never collide with dedup.
import type { LoadRequest } from "./load-generator.ts";

export type IdentityWorkloadName = "all-distinct" | "hot-person" | "merge-heavy";

export interface IdentityWorkload {
  name: IdentityWorkloadName;
  description: string;
  events: Record<string, unknown>[];
  /** How many people the workload describes (profiles it should end with). */
  people: number;
}

/** Events per person in the merge-heavy workload (see `mergeHeavy`). */
export const MERGE_HEAVY_EVENTS_PER_PERSON = 10;
const PAGES_PER_SESSION = 2;
const LIBRARY = { name: "foyer-bench", version: "1" };

function base(runId: string, n: number, at: number): Record<string, unknown> {
  return {
    messageId: `bench-${runId}-${n}`,
    timestamp: new Date(at + n).toISOString(),
    context: { library: LIBRARY },
  };
}

/** (a) Every event a different person: its own userId and anonymousId. */
export function allDistinct(runId: string, count: number, at: number): IdentityWorkload {
  const events = Array.from({ length: count }, (_, n) => ({
    ...base(runId, n, at),
    type: "track",
    event: "Product Viewed",
    userId: `u-${runId}-${n}`,
    anonymousId: `a-${runId}-${n}`,
    properties: { product_id: `sku-${n % 97}` },
  }));
  return {
    name: "all-distinct",
    description: "track, each event its own userId + anonymousId",
    events,
    people: count,
  };
}

/** (b) One hot person: every event carries the same userId (one profile, one writer). */
export function hotPerson(runId: string, count: number, at: number): IdentityWorkload {
  const events = Array.from({ length: count }, (_, n) => ({
    ...base(runId, n, at),
    type: "track",
    event: "Product Viewed",
    userId: `hot-${runId}`,
    properties: { product_id: `sku-${n % 97}` },
  }));
  return {
    name: "hot-person",
    description: "track, every event the same userId",
    events,
    people: 1,
  };
}

/**
 * (c) Merge-heavy: each person browses anonymously on three devices (page events), later
 * identifies on each of them (identify linking that anonymousId to the userId, the first with an
 * email), then an email-only identify arrives from a fourth device. Phases are ordered across all
 * people — every anonymous session first — so the three sessions are separate profiles when the
 * identifies arrive and two of them must be folded into the first: two merges per person.
 */
export function mergeHeavy(runId: string, people: number, at: number): IdentityWorkload {
  const sessions: Record<string, unknown>[] = [];
  const identifies: Record<string, unknown>[] = [];
  const fourthDevice: Record<string, unknown>[] = [];
  let n = 0;
  for (let p = 0; p < people; p++) {
    const userId = `m-${runId}-${p}`;
    const email = `person${p}.${runId}@example.com`;
    const anon = (device: number) => `m-${runId}-${p}-d${device}`;
    for (let device = 1; device <= 3; device++) {
      for (let page = 0; page < PAGES_PER_SESSION; page++) {
        sessions.push({
          ...base(runId, n++, at),
          type: "page",
          name: "Menu",
          anonymousId: anon(device),
          properties: { path: `/menu/${page}` },
        });
      }
    }
    for (let device = 1; device <= 3; device++) {
      identifies.push({
        ...base(runId, n++, at),
        type: "identify",
        userId,
        anonymousId: anon(device),
        traits: device === 1 ? { email, plan: "free" } : { device_count: device },
      });
    }
    fourthDevice.push({
      ...base(runId, n++, at),
      type: "identify",
      anonymousId: anon(4),
      traits: { email },
    });
  }
  return {
    name: "merge-heavy",
    description:
      "per person: 3 anonymous sessions × 2 pages, 3 identifies (userId + each anonymousId), " +
      "an email identify from a 4th device",
    events: [...sessions, ...identifies, ...fourthDevice],
    people,
  };
}

/** Cuts `events` into `/v1/batch` requests of at most `size` events, in order. */
export function batchRequests(
  events: readonly Record<string, unknown>[],
  size: number,
  sentAt: Date,
): LoadRequest[] {
  const requests: LoadRequest[] = [];
  for (let i = 0; i < events.length; i += size) {
    const batch = events.slice(i, i + size);
    requests.push({
      path: "/v1/batch",
      body: JSON.stringify({ batch, sentAt: sentAt.toISOString() }),
      events: batch.length,
    });
  }
  return requests;
}
