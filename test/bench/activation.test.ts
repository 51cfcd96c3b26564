import { describe, expect, it } from "vitest";
import {
  audienceEnteredBy,
  byMessageId,
  latencyFigure,
  matchArrivals,
  quantileWithTimeouts,
  type Arrival,
  type ProbeSend,
  arrivalEvents,
} from "./activation-arrivals.ts";
import {
  deliveredThroughput,
  isolationVerdict,
  stalls,
  type IsolationPhase,
} from "./activation-isolation.ts";
import { envNumber, renderActivationReport, type ActivationSection } from "./activation-report.ts";
import { checkSignature, tallySignatures } from "./webhook-signature-check.ts";

const arrival = (receivedAt: number, body: unknown, headers: Record<string, string> = {}) => ({
  receivedAt,
  body: typeof body === "string" ? body : JSON.stringify(body),
  headers,
});

describe("matching arrivals to sends", () => {
  it("keeps each key's earliest arrival and counts repeats and strangers", () => {
    const matched = matchArrivals(
      [
        arrival(120, { messageId: "m1" }),
        arrival(100, { messageId: "m1" }),
        arrival(130, { messageId: "m2" }),
        arrival(140, "not json"),
        arrival(150, { type: "identify" }),
      ],
      byMessageId,
    );
    expect(matched.first).toEqual(
      new Map([
        ["m1", 100],
        ["m2", 130],
      ]),
    );
    expect(matched.duplicates).toBe(1);
    expect(matched.unmatched).toBe(2);
  });

  it("recognizes only Audience Entered tracks of the audience, by userId", () => {
    const keyOf = audienceEnteredBy("buyers");
    const entered = { type: "track", event: "Audience Entered", userId: "u1" };
    expect(keyOf({ ...entered, properties: { audience_key: "buyers", buyers: true } })).toBe("u1");
    expect(keyOf({ ...entered, properties: { audience_key: "other" } })).toBeUndefined();
    expect(
      keyOf({ ...entered, event: "Audience Exited", properties: { audience_key: "buyers" } }),
    ).toBeUndefined();
    expect(keyOf({ type: "identify", userId: "u1", traits: { buyers: true } })).toBeUndefined();
  });
});

describe("latency", () => {
  it("takes nearest-rank quantiles with timeouts as infinity", () => {
    expect(quantileWithTimeouts([30, 10, 20, 40], 0.5)).toBe(20);
    expect(quantileWithTimeouts([30, 10, 20, 40], 0.95)).toBe(40);
    const twentyWithOneTimeout = [...Array.from({ length: 19 }, (_, i) => i + 1), Infinity];
    expect(quantileWithTimeouts(twentyWithOneTimeout, 0.95)).toBe(19);
    expect(quantileWithTimeouts([1, Infinity, Infinity], 0.5)).toBe(Infinity);
    expect(quantileWithTimeouts([], 0.5)).toBeNaN();
  });

  it("times each acked probe from its 200, against the ack baseline", () => {
    const sends: ProbeSend[] = [
      { key: "a", sentAt: 1_000, ackedAt: 1_040 },
      { key: "b", sentAt: 2_000, ackedAt: 2_020 },
      { key: "c", sentAt: 3_000, ackedAt: 3_030 },
      { key: "d", sentAt: 4_000, ackedAt: undefined },
      { key: "e", sentAt: 5_000, ackedAt: 5_010 },
    ];
    const matched = matchArrivals(
      [
        arrival(1_050, { messageId: "a" }), // 10 ms after its 200
        arrival(2_015, { messageId: "b" }), // before its 200 was read
        arrival(3_100, { messageId: "c" }), // 70 ms
        arrival(4_100, { messageId: "d" }), // not acked: not timed
        arrival(5_010 + 20_001, { messageId: "e" }), // past the timeout
      ],
      byMessageId,
    );
    const f = latencyFigure(sends, matched, 20_000);
    expect(f).toMatchObject({ probes: 5, acked: 4, notAcked: 1, delivered: 3, timedOut: 1 });
    expect(f.latenciesMs).toEqual([10, -5, 70]);
    expect(f.beforeAck).toBe(1);
    expect(f.p50Ms).toBe(10);
    expect(f.p95Ms).toBe(Infinity);
    expect(f.maxMs).toBe(Infinity);
    // send → dest: 50, 15, 100, ∞; send → 200: 40, 20, 30, 10
    expect(f.e2eP50Ms).toBe(50);
    expect(f.ackP50Ms).toBe(20);
    expect(f.ratioP50).toBe(2.5);
    expect(f.ratioP95).toBe(Infinity);
  });
});

describe("throughput", () => {
  it("runs to the last arrival when every event arrived by the deadline", () => {
    const t = deliveredThroughput(4, 1_000, [1_500, 2_000, 2_500, 3_000], 10_000);
    expect(t).toEqual({
      sent: 4,
      delivered: 4,
      complete: true,
      windowMs: 2_000,
      eventsPerSecond: 2,
    });
  });

  it("runs to the deadline when events are still missing, ignoring later arrivals", () => {
    const t = deliveredThroughput(4, 1_000, [1_500, 2_000, 12_000], 5_000);
    expect(t.complete).toBe(false);
    expect(t.delivered).toBe(2);
    expect(t.windowMs).toBe(4_000);
    expect(t.eventsPerSecond).toBe(0.5);
  });

  it("reports long gaps between arrivals as stalls", () => {
    expect(stalls([0, 100, 200]).count).toBe(0);
    const s = stalls([25_000, 0, 100, 10_100, 10_200, 20_300]);
    expect(s).toEqual({ count: 3, medianMs: 10_000, maxMs: 10_100 });
  });
});

function phase(name: IsolationPhase["phase"], eventsPerSecond: number): IsolationPhase {
  return {
    phase: name,
    bBehaviour: name,
    events: 100,
    acked: 100,
    sendMs: 5_000,
    a: { sent: 100, delivered: 100, complete: true, windowMs: 5_000, eventsPerSecond },
    ratio: Number.NaN,
    aLatencyP50Ms: 5,
    aLatencyP95Ms: 9,
    aStalls: { count: 0, medianMs: Number.NaN, maxMs: Number.NaN },
    aDuplicates: 0,
    bRequests: 100,
    aOverview: null,
    bOverview: {
      received: 100,
      delivered: 0,
      pending: 0,
      retrying: 100,
      retries: 0,
      failed: 0,
      filtered: 0,
      filteredByReason: {},
    },
    signatures: { checked: 100, ok: 100, bad: {} },
  };
}

describe("isolation verdict", () => {
  it("divides each phase by the healthy one and judges the worst against 0.9", () => {
    const met = isolationVerdict([
      phase("healthy", 20),
      phase("failing", 19),
      phase("hanging", 18),
    ]);
    expect(met.phases.map((p) => p.ratio)).toEqual([1, 0.95, 0.9]);
    expect(met.worstRatio).toBe(0.9);
    expect(met.goalMet).toBe(true);
    const missed = isolationVerdict([
      phase("healthy", 20),
      phase("failing", 20),
      phase("hanging", 2),
    ]);
    expect(missed.worstRatio).toBe(0.1);
    expect(missed.goalMet).toBe(false);
  });

  it("is not met without a healthy baseline", () => {
    const v = isolationVerdict([phase("failing", 20)]);
    expect(v.baselineEventsPerSecond).toBeNaN();
    expect(v.goalMet).toBe(false);
  });
});

describe("webhook signature", () => {
  // Reference value computed outside this code: Python's hmac.new(secret, "1700000000.{\"a\":1}", sha256).
  const secret = "bench-secret-0123456789";
  const body = '{"a":1}';
  const mac = "4ce0894270d1a87418152848c8b96fa65a957762f6e912d5e0d69a932b092eae";
  const now = 1_700_000_010_000;

  it("accepts the documented scheme and refuses anything else", () => {
    expect(checkSignature(secret, `t=1700000000,v1=${mac}`, body, now)).toBe("ok");
    expect(checkSignature(secret, `t=1700000000,v1=${mac}`, '{"a":2}', now)).toBe("mismatch");
    expect(checkSignature("another-secret-0123", `t=1700000000,v1=${mac}`, body, now)).toBe(
      "mismatch",
    );
    expect(checkSignature(secret, `t=1700000000,v1=${mac}`, body, now + 600_000)).toBe("stale");
    expect(checkSignature(secret, "v1=abc", body, now)).toBe("malformed");
    expect(checkSignature(secret, undefined, body, now)).toBe("missing");
  });

  it("tallies arrivals by outcome", () => {
    const arrivals: Arrival[] = [
      arrival(now, body, { "x-foyer-signature": `t=1700000000,v1=${mac}` }),
      arrival(now, body),
    ];
    expect(tallySignatures(secret, arrivals)).toEqual({ checked: 2, ok: 1, bad: { missing: 1 } });
  });
});

describe("settings and report", () => {
  it("reads positive numbers from the environment", () => {
    expect(envNumber({}, "X", 5)).toBe(5);
    expect(envNumber({ X: "12" }, "X", 5)).toBe(12);
    expect(() => envNumber({ X: "-1" }, "X", 5)).toThrow(/X/);
    expect(() => envNumber({ X: "many" }, "X", 5)).toThrow(/X/);
  });

  it("renders both tables, timeouts as > timeout and the verdict", () => {
    const figure = latencyFigure(
      [{ key: "a", sentAt: 0, ackedAt: 10 }],
      matchArrivals([arrival(25, { messageId: "a" })], byMessageId),
      20_000,
    );
    const section: ActivationSection = {
      settings: {
        probes: 1,
        probesPerSecond: 5,
        probeUsers: 1,
        audienceProbes: 1,
        audienceControls: 1,
        isolationEvents: 100,
        isolationEventsPerSecond: 20,
        isolationBatch: 10,
        isolationUsers: 20,
        drainMs: 15_000,
        hangMs: 15_000,
        arrivalTimeoutMs: 20_000,
      },
      latency: { ...figure, signatures: { checked: 1, ok: 1, bad: {} } },
      audience: {
        ...figure,
        p95Ms: Infinity,
        controls: 1,
        controlsDelivered: 0,
        consentFiltered: 3,
        signatures: { checked: 1, ok: 1, bad: {} },
      },
      isolation: isolationVerdict([phase("healthy", 20), phase("hanging", 2)]),
      startedIdle: true,
      totalMs: 1,
    };
    const report = renderActivationReport(section);
    expect(report).toContain("| edge 200 → destination (track) | 1/1 ");
    expect(report).toContain("> 20000");
    expect(report).toContain("| hanging ");
    expect(report).toContain("| 0.10 ");
    expect(report).toContain("NOT met");
    expect(report).not.toContain("still busy");
  });
});

describe("the events in an arrival", () => {
  it("reads a JSON object as one event and a batched webhook's array as its events", () => {
    expect(arrivalEvents(arrival(1, { messageId: "m1" }))).toEqual([{ messageId: "m1" }]);
    expect(
      arrivalEvents(arrival(1, [{ messageId: "a" }, 7, null, [1], { messageId: "b" }])),
    ).toEqual([{ messageId: "a" }, { messageId: "b" }]);
    expect(arrivalEvents({ receivedAt: 1, body: "not json", headers: {} })).toEqual([]);
  });
});
