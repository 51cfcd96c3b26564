// The activation bench's settings and its tables and notes. Pure, unit-tested in
// activation.test.ts.
import type { LatencyFigure } from "./activation-arrivals.ts";
import type { isolationVerdict } from "./activation-isolation.ts";
import { type OverviewFigures } from "./activation-isolation.ts";
import { fixed, renderTable } from "./bench-report.ts";
import type { SignatureTally } from "./webhook-signature-check.ts";

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
