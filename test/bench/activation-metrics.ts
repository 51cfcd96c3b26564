// Pure logic of the activation section of `npm run bench` (scripts/bench-activation.ts): matching
// what arrived at the vendor receiver to what was sent, latency quantiles with timeouts counted,
// delivered throughput over a bounded window, ratios against the same run's baselines, the
// webhook signature check and the section's tables. No I/O here, so it is unit-tested
// (activation-metrics.test.ts).
import { createHmac, timingSafeEqual } from "node:crypto";
import { fixed, renderTable } from "./bench-report.ts";

/** Issue 7's goal: A's delivered throughput with B failing ≥ 90% of all-healthy. */
export const ISOLATION_GOAL_RATIO = 0.9;
/** Gaps between consecutive arrivals at least this long are reported as stalls. */
export const STALL_GAP_MS = 2_000;

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

export type SignatureCheck = "ok" | "missing" | "malformed" | "stale" | "mismatch";

/**
 * Checks `x-foyer-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (the scheme
 * worker/destinations/webhook.ts documents) with a tolerance on the timestamp.
 */
export function checkSignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowMs: number,
  toleranceSeconds = 300,
): SignatureCheck {
  if (header === undefined) return "missing";
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return "malformed";
  const t = Number(match[1]);
  if (Math.abs(nowMs / 1_000 - t) > toleranceSeconds) return "stale";
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(match[2] ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected) ? "ok" : "mismatch";
}

export interface SignatureTally {
  checked: number;
  ok: number;
  /** Requests without a valid signature, by reason. */
  bad: Partial<Record<Exclude<SignatureCheck, "ok">, number>>;
}

/** Checks every arrival's signature (each against its own receivedAt). */
export function tallySignatures(
  secret: string,
  arrivals: readonly Arrival[],
  header = "x-foyer-signature",
): SignatureTally {
  const tally: SignatureTally = { checked: 0, ok: 0, bad: {} };
  for (const arrival of arrivals) {
    const result = checkSignature(
      secret,
      arrival.headers[header],
      arrival.body,
      arrival.receivedAt,
    );
    tally.checked++;
    if (result === "ok") tally.ok++;
    else tally.bad[result] = (tally.bad[result] ?? 0) + 1;
  }
  return tally;
}

/** A positive number from the environment, `fallback` when unset; throws on anything else. */
export function envNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
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

export interface AudienceFigure extends LatencyFigure {
  /** Users who refused the destination's consent category and also qualified. */
  controls: number;
  /** `Audience Entered` arrivals for those users (must be 0). */
  controlsDelivered: number;
  /** The destination overview's FILTERED_BY_END_USER_CONSENT count. */
  consentFiltered: number;
}

export interface ActivationSettings {
  probes: number;
  probesPerSecond: number;
  probeUsers: number;
  audienceProbes: number;
  audienceControls: number;
  isolationEvents: number;
  isolationEventsPerSecond: number;
  isolationBatch: number;
  isolationUsers: number;
  drainMs: number;
  hangMs: number;
  arrivalTimeoutMs: number;
}

export interface ActivationSection {
  settings: ActivationSettings;
  latency: LatencyFigure & { signatures: SignatureTally };
  audience: AudienceFigure & { signatures: SignatureTally };
  isolation: ReturnType<typeof isolationVerdict>;
  /** false: workerd was still busy with earlier sections' work at the start. */
  startedIdle: boolean;
  totalMs: number;
}

/** A latency cell: the number, or "> timeout" when more probes timed out than the quantile allows. */
export const latencyCell = (ms: number, timeoutMs: number): string =>
  ms === Number.POSITIVE_INFINITY ? `> ${timeoutMs}` : fixed(ms, 0);

const signatureCell = (s: SignatureTally): string =>
  `${s.ok}/${s.checked}${s.ok === s.checked ? "" : ` (${JSON.stringify(s.bad)})`}`;

const overviewCell = (o: OverviewFigures | null): string =>
  o === null
    ? "n/a"
    : `recv ${o.received}, dlv ${o.delivered}, pending ${o.pending}, retrying ${o.retrying}, ` +
      `retries ${o.retries}, failed ${o.failed}`;

/** The section's tables and notes. */
export function renderActivationReport(s: ActivationSection): string {
  const t = s.settings.arrivalTimeoutMs;
  const latencyRow = (name: string, f: LatencyFigure & { signatures: SignatureTally }) => [
    name,
    `${f.delivered}/${f.acked}`,
    String(f.timedOut),
    latencyCell(f.p50Ms, t),
    latencyCell(f.p95Ms, t),
    latencyCell(f.maxMs, t),
    String(f.beforeAck),
    `${latencyCell(f.e2eP50Ms, t)} / ${latencyCell(f.e2eP95Ms, t)}`,
    `${fixed(f.ackP50Ms, 0)} / ${fixed(f.ackP95Ms, 0)}`,
    `${fixed(f.ratioP50, 2)} / ${fixed(f.ratioP95, 2)}`,
    String(f.notAcked),
    String(f.duplicates),
    signatureCell(f.signatures),
  ];
  const latencyTable = renderTable(
    [
      "path",
      "arrived",
      "timed out",
      "200→dest p50 ms",
      "p95 ms",
      "max ms",
      "before 200",
      "send→dest p50 / p95 ms",
      "baseline send→200 p50 / p95 ms",
      "ratio send→dest ÷ send→200 p50 / p95",
      "not 200",
      "dupes",
      "signature ok",
    ],
    [
      latencyRow("edge 200 → destination (track)", s.latency),
      latencyRow("edge 200 → Audience Entered", s.audience),
    ],
  );
  const iso = s.isolation;
  const isolationTable = renderTable(
    [
      "phase",
      "B answers",
      "A arrived",
      "A window ms",
      "A events/s",
      "ratio to healthy",
      "A 200→arrival p50 / p95 ms",
      "A stalls ≥ 2 s (median / max ms)",
      "B requests",
      "B overview (admin API)",
    ],
    iso.phases.map((p) => [
      p.phase,
      p.bBehaviour,
      `${p.a.delivered}/${p.events}`,
      fixed(p.a.windowMs, 0),
      fixed(p.a.eventsPerSecond, 1),
      fixed(p.ratio, 2),
      `${latencyCell(p.aLatencyP50Ms, s.settings.drainMs)} / ${latencyCell(p.aLatencyP95Ms, s.settings.drainMs)}`,
      p.aStalls.count === 0
        ? "0"
        : `${p.aStalls.count} (${fixed(p.aStalls.medianMs, 0)} / ${fixed(p.aStalls.maxMs, 0)})`,
      String(p.bRequests),
      overviewCell(p.bOverview),
    ]),
  );
  const set = s.settings;
  const notes = [
    `Latency: ${s.latency.probes} track probes at ${set.probesPerSecond}/s through POST /v1/track ` +
      `(unique messageId, ${set.probeUsers} users) to ` +
      "a space with one Webhook destination pointing at the vendor " +
      "receiver on 127.0.0.1. 200→dest = receiver's receivedAt (body fully read) − the moment the " +
      "client had read the edge's 200, matched on the body's messageId (negative, counted in " +
      '"before 200", when the event was delivered before the client had its answer: the pipeline ' +
      "runs while the edge's answer is still on its way). send→dest = receivedAt − the moment the " +
      "request was sent. Baseline (ratio denominator) = the same requests' send→200 time (the " +
      "synchronous ingest path); ratio = send→dest ÷ send→200 at p50 and at p95. A probe not at " +
      `the receiver ${t} ms after its 200 is timed out and counts as ∞ in the quantiles.`,
    `Audience: audience bench_purchasers = performed "Bench Purchase" at least once within 30 ` +
      'days, mode track, a Webhook destination subscribed to event = "Audience Entered" and ' +
      "mapped to consent category Analytics. Each of the " +
      `${s.audience.probes} probe users first sent "Segment Consent Preference Updated" granting ` +
      "Analytics (profile consent is what activation messages carry), then, timed, one Bench " +
      `Purchase. ${s.audience.controls} control users refused Analytics and purchased too: ` +
      `${s.audience.controlsDelivered} of their Audience Entered reached the receiver, ` +
      `${s.audience.consentFiltered} events were FILTERED_BY_END_USER_CONSENT at the destination.`,
    `Isolation: per phase a fresh space with Webhook destinations A and B (own receiver sessions); ` +
      `${set.isolationEvents} track events (${set.isolationUsers} users) as /v1/batch of ${set.isolationBatch} at ` +
      `${set.isolationEventsPerSecond} events/s. A events/s = A's arrivals ÷ (last arrival − first ` +
      `send), or, if not all arrived within ${set.drainMs} ms of the last 200, arrivals by then ÷ ` +
      "(that deadline − first send). B failing: 503 on every request; B hanging: every answer " +
      `delayed ${set.hangMs} ms (past the adapter's 10 s timeout). B is deleted after its phase so ` +
      "its retries do not load the next one.",
    `Goal: A's throughput with B failing or hanging ≥ ${iso.goalRatio} × all-healthy ` +
      `(worst now ${fixed(iso.worstRatio, 2)}: ${iso.goalMet ? "met" : "NOT met"}).`,
    ...(s.startedIdle
      ? []
      : ["NOTE: workerd was still busy with earlier sections' work at the start."]),
  ];
  return `${latencyTable}\n\n${isolationTable}\n${notes.map((n) => `  note: ${n}`).join("\n")}`;
}
