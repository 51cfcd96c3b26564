// Matching what arrived at the vendor receiver to what the activation bench sent, and the latency
// figures built from it (quantiles with timeouts counted as infinite). Pure, unit-tested in
// activation.test.ts.

/** One probe request as the bench saw it: when it went out and when the edge answered 200. */
export interface ProbeSend {
  /** What identifies the probe at the receiver (its messageId, or the probe user's id). */
  key: string;
  /** Epoch ms (Date.now()) just before the request was written. */
  sentAt: number;
  /** Epoch ms when the whole 200 answer was read; undefined when the edge did not answer 200. */
  ackedAt: number | undefined;
}

/** One request at the vendor receiver (the fields of test/receiver/protocol.ts we read). */
export interface Arrival {
  receivedAt: number;
  body: string;
  headers: Record<string, string>;
}

/** The JSON body of an arrival, or undefined when it is not a JSON object. */
export function arrivalJson(arrival: Arrival): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(arrival.body) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The events in an arrival: the JSON object, or each object of a JSON array (a batched webhook
 * sends its events as an array).
 */
export function arrivalEvents(arrival: Arrival): Record<string, unknown>[] {
  try {
    const parsed = JSON.parse(arrival.body) as unknown;
    const items = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
    return items.filter(
      (item): item is Record<string, unknown> =>
        typeof item === "object" && item !== null && !Array.isArray(item),
    );
  } catch {
    return [];
  }
}

/** Key of a delivered event: its messageId. */
export const byMessageId = (body: Record<string, unknown>): string | undefined =>
  typeof body.messageId === "string" ? body.messageId : undefined;

/** Key of an `Audience Entered` track for `audienceKey`: the person's userId. */
export const audienceEnteredBy =
  (audienceKey: string) =>
  (body: Record<string, unknown>): string | undefined => {
    const properties = body.properties as Record<string, unknown> | undefined;
    if (body.type !== "track" || body.event !== "Audience Entered") return undefined;
    if (properties?.audience_key !== audienceKey) return undefined;
    return typeof body.userId === "string" ? body.userId : undefined;
  };

export interface Matched {
  /** key → receivedAt of its first arrival. */
  first: Map<string, number>;
  /** Arrivals of an already-seen key (a redelivery; the ledger should make this 0). */
  duplicates: number;
  /** Arrivals that map to no key (other events, unparseable bodies). */
  unmatched: number;
}

/** Groups arrivals by key, keeping each key's earliest arrival. */
export function matchArrivals(
  arrivals: readonly Arrival[],
  keyOf: (body: Record<string, unknown>) => string | undefined,
): Matched {
  const first = new Map<string, number>();
  let duplicates = 0;
  let unmatched = 0;
  for (const arrival of arrivals) {
    const body = arrivalJson(arrival);
    const key = body === undefined ? undefined : keyOf(body);
    if (key === undefined) {
      unmatched++;
      continue;
    }
    const seen = first.get(key);
    if (seen === undefined) first.set(key, arrival.receivedAt);
    else {
      duplicates++;
      if (arrival.receivedAt < seen) first.set(key, arrival.receivedAt);
    }
  }
  return { first, duplicates, unmatched };
}

/**
 * The q-quantile (0..1) by nearest rank. Values may be +Infinity (a probe that never arrived), so
 * the quantile is finite only while fewer than (1 − q) of the probes timed out. NaN when empty.
 */
export function quantileWithTimeouts(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => (a === b ? 0 : a < b ? -1 : 1));
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface LatencyFigure {
  probes: number;
  /** Probes the edge answered 200 (only those are timed). */
  acked: number;
  notAcked: number;
  /** Acked probes that arrived at the receiver before the timeout. */
  delivered: number;
  timedOut: number;
  duplicates: number;
  /**
   * ms from the moment the edge's 200 was read to the receiver having the whole request; timeouts
   * count as ∞. Negative when the event reached the destination before the client had its 200.
   */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Probes that reached the destination before their 200 was read (latency < 0). */
  beforeAck: number;
  /** ms from sending the request to the receiver having it: the whole trip. */
  e2eP50Ms: number;
  e2eP95Ms: number;
  /** The baseline: ms from sending each probe to the edge's 200 (the same requests). */
  ackP50Ms: number;
  ackP95Ms: number;
  /** Whole trip ÷ ack, at p50 and at p95: how much longer than the 200 delivery takes. */
  ratioP50: number;
  ratioP95: number;
  /** Finite 200 → receiver latencies, in probe order (for the JSON). */
  latenciesMs: number[];
}

/** Latency of each acked probe to its first arrival (∞ when none), and the ack baseline. */
export function latencyFigure(
  sends: readonly ProbeSend[],
  matched: Matched,
  timeoutMs: number,
): LatencyFigure {
  const acked = sends.filter((s) => s.ackedAt !== undefined);
  const trips = acked.map((s) => {
    const at = matched.first.get(s.key);
    const ackedAt = s.ackedAt ?? s.sentAt;
    if (at === undefined || at - ackedAt > timeoutMs)
      return { afterAck: Number.POSITIVE_INFINITY, fromSend: Number.POSITIVE_INFINITY };
    return { afterAck: at - ackedAt, fromSend: at - s.sentAt };
  });
  const latencies = trips.map((t) => t.afterAck);
  const fromSend = trips.map((t) => t.fromSend);
  const acks = acked.map((s) => (s.ackedAt ?? s.sentAt) - s.sentAt);
  const finite = latencies.filter(Number.isFinite);
  const e2eP50Ms = quantileWithTimeouts(fromSend, 0.5);
  const e2eP95Ms = quantileWithTimeouts(fromSend, 0.95);
  const ackP50Ms = quantileWithTimeouts(acks, 0.5);
  const ackP95Ms = quantileWithTimeouts(acks, 0.95);
  return {
    probes: sends.length,
    acked: acked.length,
    notAcked: sends.length - acked.length,
    delivered: finite.length,
    timedOut: latencies.length - finite.length,
    duplicates: matched.duplicates,
    p50Ms: quantileWithTimeouts(latencies, 0.5),
    p95Ms: quantileWithTimeouts(latencies, 0.95),
    maxMs: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
    beforeAck: finite.filter((ms) => ms < 0).length,
    e2eP50Ms,
    e2eP95Ms,
    ackP50Ms,
    ackP95Ms,
    ratioP50: ratio(e2eP50Ms, ackP50Ms),
    ratioP95: ratio(e2eP95Ms, ackP95Ms),
    latenciesMs: finite,
  };
}

/** a ÷ b, NaN when b is not a positive finite number or a is NaN. */
export function ratio(a: number, b: number): number {
  if (Number.isNaN(a) || !Number.isFinite(b) || b <= 0) return Number.NaN;
  return a / b;
}
