// Section 6 of `npm run bench`: activation (issue 7). Webhook destinations created through the
// admin API point at the vendor receiver (test/receiver/vendor-receiver.ts), a real HTTP server on
// 127.0.0.1 in this process; what arrives there is matched to what was sent:
//   a. edge 200 → destination: steady track probes, time from each 200 to its arrival;
//   b. audience change → destination: time from a qualifying event's 200 to `Audience Entered`;
//   c. isolation: A's delivered throughput with B healthy (baseline), failing, hanging.
// The measuring and rendering logic is pure, in test/bench/activation-*.ts.
import { Agent } from "node:http";
import {
  audienceEnteredBy,
  byMessageId,
  latencyFigure,
  matchArrivals,
  quantileWithTimeouts,
  type ProbeSend,
} from "../test/bench/activation-arrivals.ts";
import {
  deliveredThroughput,
  isolationVerdict,
  stalls,
  type IsolationPhase,
  type IsolationPhaseName,
} from "../test/bench/activation-isolation.ts";
import {
  envNumber,
  renderActivationReport,
  type ActivationSection,
  type ActivationSettings,
} from "../test/bench/activation-report.ts";
import { tallySignatures } from "../test/bench/webhook-signature-check.ts";
import { assertLoopback, post } from "../test/bench/load-generator.ts";
import { startVendorReceiver, type VendorReceiver } from "../test/receiver/vendor-receiver.ts";
import {
  admin,
  arrivals,
  control,
  overview,
  REQUEST_TIMEOUT_MS,
  sendSteady,
  sleep,
  waitFor,
  waitIdle,
  webhook,
} from "./bench-activation-io.ts";
import { provisionSource } from "./bench-targets.ts";
import type { LocalEdge } from "./local-edge.ts";

const env = process.env;
const SETTINGS: ActivationSettings = {
  probes: envNumber(env, "FOYER_BENCH_ACTIVATION_PROBES", 60),
  probesPerSecond: envNumber(env, "FOYER_BENCH_ACTIVATION_PROBES_PER_SECOND", 5),
  probeUsers: 8,
  audienceProbes: envNumber(env, "FOYER_BENCH_ACTIVATION_AUDIENCE_PROBES", 24),
  audienceControls: 4,
  isolationEvents: envNumber(env, "FOYER_BENCH_ACTIVATION_EVENTS", 400),
  // Faster than the local pipeline drains (~100 events/s here), so A's rate is the pipeline's
  // capacity, not the offered load: a shared resource B exhausted would show as a lower ratio.
  isolationEventsPerSecond: envNumber(env, "FOYER_BENCH_ACTIVATION_EVENTS_PER_SECOND", 400),
  isolationBatch: 10,
  isolationUsers: 20,
  drainMs: envNumber(env, "FOYER_BENCH_ACTIVATION_DRAIN_MS", 15_000),
  hangMs: envNumber(env, "FOYER_BENCH_ACTIVATION_HANG_MS", 15_000),
  arrivalTimeoutMs: envNumber(env, "FOYER_BENCH_ACTIVATION_TIMEOUT_MS", 20_000),
};
const AUDIENCE_KEY = "bench_purchasers";
const SETUP_DEADLINE_MS = 60_000;
const CONSENT_CATEGORY = "Analytics";
/** a. Track probes to one destination; time from each 200 to its arrival. */
async function measureLatency(edge: LocalEdge, receiver: VendorReceiver, runId: string) {
  const source = await provisionSource(edge, "Benchmark activation latency");
  const destination = await webhook(
    edge,
    receiver,
    source.spaceId,
    "Bench Latency",
    `${runId}-lat`,
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const items = Array.from({ length: SETTINGS.probes }, (_, i) => {
    const messageId = `act-lat-${runId}-${i}`;
    return {
      key: messageId,
      body: JSON.stringify({
        messageId,
        userId: `act-lat-${runId}-u${i % SETTINGS.probeUsers}`,
        event: "Bench Probe",
        properties: { i },
      }),
    };
  });
  const sends = await sendSteady(edge, agent, source, "/v1/track", items, SETTINGS.probesPerSecond);
  agent.destroy();
  const wanted = new Set(sends.filter((s) => s.ackedAt !== undefined).map((s) => s.key));
  const lastAck = Math.max(...sends.map((s) => s.ackedAt ?? s.sentAt));
  await waitFor(() => {
    const seen = matchArrivals(arrivals(receiver, destination.session), byMessageId).first;
    return [...wanted].every((k) => seen.has(k));
  }, lastAck + SETTINGS.arrivalTimeoutMs);
  const got = arrivals(receiver, destination.session);
  return {
    ...latencyFigure(sends, matchArrivals(got, byMessageId), SETTINGS.arrivalTimeoutMs),
    signatures: tallySignatures(destination.secret, got),
  };
}

/** b. Audience entry: consent first (setup), then one timed qualifying event per user. */
async function measureAudience(edge: LocalEdge, receiver: VendorReceiver, runId: string) {
  const source = await provisionSource(edge, "Benchmark activation audience");
  const spaceId = encodeURIComponent(source.spaceId);
  await admin(edge, "PUT", `/admin/v1/spaces/${spaceId}/audiences/${AUDIENCE_KEY}`, {
    name: "Bench purchasers",
    condition: {
      kind: "event",
      event: { event: "Bench Purchase" },
      count: { operator: "at_least", value: 1 },
      window: { type: "within", days: 30 },
    },
    mode: "track",
  });
  const destination = await webhook(
    edge,
    receiver,
    source.spaceId,
    "Bench Audience",
    `${runId}-aud`,
    {
      subscription: 'type = "track" and event = "Audience Entered"',
      consentCategories: [CONSENT_CATEGORY],
    },
  );
  const users = Array.from(
    { length: SETTINGS.audienceProbes + SETTINGS.audienceControls },
    (_, i) => ({
      userId: `act-aud-${runId}-u${i}`,
      consented: i < SETTINGS.audienceProbes,
    }),
  );
  const consent = (granted: boolean) => ({
    consent: { categoryPreferences: { [CONSENT_CATEGORY]: granted } },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const headers = { "content-type": "application/json", ...source.headers };
  // Setup (not timed): every user's consent, then wait until the destination has seen them all,
  // which happens after identity has placed them on the profiles.
  const setupStatus = await post(
    agent,
    new URL("/v1/batch", edge.directUrl),
    headers,
    JSON.stringify({
      batch: users.map((u) => ({
        type: "track",
        messageId: `act-aud-consent-${runId}-${u.userId}`,
        userId: u.userId,
        event: "Segment Consent Preference Updated",
        context: consent(u.consented),
      })),
    }),
    REQUEST_TIMEOUT_MS,
  );
  if (setupStatus !== 200) throw new Error(`audience consent batch answered ${setupStatus}`);
  const setupDeadline = Date.now() + SETUP_DEADLINE_MS;
  let seen = 0;
  while (seen < users.length && Date.now() < setupDeadline) {
    seen = (await overview(edge, spaceId, destination.id))?.received ?? 0;
    if (seen < users.length) await sleep(200);
  }
  if (seen < users.length) throw new Error(`consent events not processed: ${seen}/${users.length}`);
  const items = users.map((u, i) => ({
    key: u.userId,
    body: JSON.stringify({
      messageId: `act-aud-buy-${runId}-${i}`,
      userId: u.userId,
      event: "Bench Purchase",
      properties: { revenue: 10 + i },
      context: consent(u.consented),
    }),
  }));
  const sends = await sendSteady(edge, agent, source, "/v1/track", items, SETTINGS.probesPerSecond);
  agent.destroy();
  const keyOf = audienceEnteredBy(AUDIENCE_KEY);
  const probeSends = sends.filter((_, i) => users[i]?.consented);
  const wanted = new Set(probeSends.filter((s) => s.ackedAt !== undefined).map((s) => s.key));
  const lastAck = Math.max(...sends.map((s) => s.ackedAt ?? s.sentAt));
  await waitFor(() => {
    const got = matchArrivals(arrivals(receiver, destination.session), keyOf).first;
    return [...wanted].every((k) => got.has(k));
  }, lastAck + SETTINGS.arrivalTimeoutMs);
  // The controls' changes go through the same queue; give the last one a moment to be judged.
  await sleep(1_000);
  const got = arrivals(receiver, destination.session);
  const matched = matchArrivals(got, keyOf);
  const controls = users.filter((u) => !u.consented).map((u) => u.userId);
  const o = await overview(edge, spaceId, destination.id);
  return {
    ...latencyFigure(probeSends, matched, SETTINGS.arrivalTimeoutMs),
    controls: controls.length,
    controlsDelivered: controls.filter((c) => matched.first.has(c)).length,
    consentFiltered: o?.filteredByReason.FILTERED_BY_END_USER_CONSENT ?? Number.NaN,
    signatures: tallySignatures(destination.secret, got),
  };
}

const B_BEHAVIOUR: Record<IsolationPhaseName, string> = {
  healthy: "200",
  failing: "503 always",
  hanging: `200 after ${SETTINGS.hangMs} ms`,
};

/** c. One isolation phase in a fresh space: A healthy, B as `phase` says. */
async function isolationPhase(
  edge: LocalEdge,
  receiver: VendorReceiver,
  runId: string,
  phase: IsolationPhaseName,
): Promise<IsolationPhase> {
  const source = await provisionSource(edge, `Benchmark activation isolation ${phase}`);
  const spaceId = encodeURIComponent(source.spaceId);
  const a = await webhook(edge, receiver, source.spaceId, "Bench A", `${runId}-iso-${phase}-a`);
  const b = await webhook(edge, receiver, source.spaceId, "Bench B", `${runId}-iso-${phase}-b`);
  const events = SETTINGS.isolationEvents;
  if (phase === "failing")
    await control(receiver, b.session, "failures", { path: "/hook", count: null, status: 503 });
  if (phase === "hanging") {
    // One scripted answer per request B can get in the phase: every event once, plus retries.
    for (let i = 0; i < events * 2; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, () =>
          control(receiver, b.session, "answers", { status: 200, delayMs: SETTINGS.hangMs }),
        ),
      );
  }
  await waitIdle(edge, 20_000);
  const batches = Math.ceil(events / SETTINGS.isolationBatch);
  const items = Array.from({ length: batches }, (_, n) => {
    const batch = Array.from(
      { length: Math.min(SETTINGS.isolationBatch, events - n * SETTINGS.isolationBatch) },
      (_, j) => {
        const i = n * SETTINGS.isolationBatch + j;
        return {
          type: "track",
          messageId: `act-iso-${runId}-${phase}-${i}`,
          userId: `act-iso-${runId}-${phase}-u${i % SETTINGS.isolationUsers}`,
          event: "Bench Isolation",
          properties: { i },
        };
      },
    );
    return { key: String(n), body: JSON.stringify({ batch }) };
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const sends = await sendSteady(
    edge,
    agent,
    source,
    "/v1/batch",
    items,
    SETTINGS.isolationEventsPerSecond / SETTINGS.isolationBatch,
  );
  agent.destroy();
  // Each event's 200 is its batch's.
  const eventSends: ProbeSend[] = sends.flatMap((s, n) =>
    Array.from(
      { length: Math.min(SETTINGS.isolationBatch, events - n * SETTINGS.isolationBatch) },
      (_, j) => ({
        key: `act-iso-${runId}-${phase}-${n * SETTINGS.isolationBatch + j}`,
        sentAt: s.sentAt,
        ackedAt: s.ackedAt,
      }),
    ),
  );
  const acked = eventSends.filter((s) => s.ackedAt !== undefined);
  const lastAck = Math.max(...sends.map((s) => s.ackedAt ?? s.sentAt));
  const deadline = lastAck + SETTINGS.drainMs;
  await waitFor(
    () => matchArrivals(arrivals(receiver, a.session), byMessageId).first.size >= acked.length,
    deadline,
  );
  const firstSendAt = Math.min(...sends.map((s) => s.sentAt));
  const aArrivals = arrivals(receiver, a.session).filter((r) => r.receivedAt <= deadline);
  const matched = matchArrivals(aArrivals, byMessageId);
  const times = [...matched.first.values()];
  const aLatencies = acked.map((s) => {
    const at = matched.first.get(s.key);
    return at === undefined ? Number.POSITIVE_INFINITY : at - (s.ackedAt ?? s.sentAt);
  });
  const [aOverview, bOverview] = await Promise.all([
    overview(edge, spaceId, a.id),
    overview(edge, spaceId, b.id),
  ]);
  // B's retries would otherwise load the next phase: forget B (queued retries are then acked).
  if (phase !== "healthy")
    await admin(edge, "DELETE", `/admin/v1/spaces/${spaceId}/destinations/${b.id}`);
  return {
    phase,
    bBehaviour: B_BEHAVIOUR[phase],
    events,
    acked: acked.length,
    sendMs: lastAck - firstSendAt,
    a: deliveredThroughput(acked.length, firstSendAt, times, deadline),
    ratio: Number.NaN,
    aLatencyP50Ms: quantileWithTimeouts(aLatencies, 0.5),
    aLatencyP95Ms: quantileWithTimeouts(aLatencies, 0.95),
    aStalls: stalls(times),
    aDuplicates: matched.duplicates,
    bRequests: arrivals(receiver, b.session).filter((r) => r.receivedAt <= deadline).length,
    aOverview,
    bOverview,
    signatures: tallySignatures(a.secret, aArrivals),
  };
}

/** Runs the three measurements against `edge` (Foyer with its full configuration). */
export async function benchActivation(edge: LocalEdge): Promise<ActivationSection> {
  assertLoopback(edge.directUrl);
  const startedAt = Date.now();
  const runId = Date.now().toString(36);
  const receiver = await startVendorReceiver();
  try {
    assertLoopback(new URL(receiver.origin));
    // Start from an idle consumer: earlier sections' backlog is not this section's load.
    const startedIdle = await waitIdle(edge, 60_000);
    process.stdout.write(`  edge 200 → destination: ${SETTINGS.probes} probes … `);
    const latency = await measureLatency(edge, receiver, runId);
    console.log(`p50 ${latency.p50Ms.toFixed(0)} ms, p95 ${latency.p95Ms.toFixed(0)} ms`);
    process.stdout.write(`  audience change → destination: ${SETTINGS.audienceProbes} users … `);
    const audience = await measureAudience(edge, receiver, runId);
    console.log(`p50 ${audience.p50Ms.toFixed(0)} ms, p95 ${audience.p95Ms.toFixed(0)} ms`);
    const phases: IsolationPhase[] = [];
    for (const phase of ["healthy", "failing", "hanging"] as const) {
      process.stdout.write(
        `  isolation, B ${B_BEHAVIOUR[phase]}: ${SETTINGS.isolationEvents} events … `,
      );
      const result = await isolationPhase(edge, receiver, runId, phase);
      phases.push(result);
      console.log(
        `A ${result.a.delivered}/${result.acked} arrived, ${result.a.eventsPerSecond.toFixed(1)} events/s`,
      );
    }
    return {
      settings: SETTINGS,
      latency,
      audience,
      isolation: isolationVerdict(phases),
      startedIdle,
      totalMs: Date.now() - startedAt,
    };
  } finally {
    await receiver.close();
  }
}

/** The section's tables and notes. */
export function activationReport(section: ActivationSection): string {
  return renderActivationReport(section);
}
