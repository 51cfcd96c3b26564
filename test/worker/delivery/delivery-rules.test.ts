// The pure parts of delivery: queue item decoding, destination judging, overview arithmetic.
import { describe, expect, it } from "vitest";
import {
  decodeDelivery,
  encodeDeliveryBundle,
  type DeliveryBundle,
  type DeliveryItem,
} from "../../../worker/delivery/delivery-item.ts";
import { bundleEvents } from "../../../worker/delivery/fan-out.ts";
import { parseDestinationConfig } from "../../../worker/delivery/destination-config.ts";
import { judgeEvent, refusalReason } from "../../../worker/delivery/destination-judge.ts";
import { buildOverview, percentile } from "../../../worker/delivery/lineage/overview.ts";
import { identifyCall, orderCompleted } from "../destinations/recording-fetch.ts";

const identity = {
  id: "dst_1",
  spaceId: "sp_1",
  version: 1,
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const webhook = (extra: Record<string, unknown> = {}) =>
  parseDestinationConfig(
    {
      slug: "webhook",
      name: "Webhook",
      settings: { url: "https://hooks.example.com/x", secret: "0123456789abcdef" },
      ...extra,
    },
    identity,
  );

describe("delivery items", () => {
  it("round-trips a bundle of events for one destination", () => {
    const bundle: DeliveryBundle = {
      v: 2,
      kind: "events",
      spaceId: "s",
      destinationId: "d",
      events: [
        { sourceId: "src", message: orderCompleted() },
        { sourceId: "src2", message: orderCompleted({ messageId: "m-2" }) },
      ],
    };
    expect(decodeDelivery(encodeDeliveryBundle(bundle))).toEqual(bundle);
  });

  it("reads a v1 message (one event, still queued during a deploy) as a bundle of one", () => {
    const message = orderCompleted();
    const v1: DeliveryItem = {
      v: 1,
      kind: "event",
      spaceId: "s",
      destinationId: "d",
      sourceId: "src",
      message,
    };
    expect(decodeDelivery(JSON.stringify(v1))).toEqual({
      v: 2,
      kind: "events",
      spaceId: "s",
      destinationId: "d",
      events: [{ sourceId: "src", message }],
    });
  });

  it.each([
    ["{", "not JSON"],
    ["null", "not an object"],
    ['{"v":3}', "unknown version"],
    ['{"v":1,"spaceId":"s"}', "destinationId is missing"],
    ['{"v":1,"spaceId":"s","destinationId":"d","kind":"other"}', "unknown kind"],
    [
      '{"v":1,"spaceId":"s","destinationId":"d","kind":"event","sourceId":"x","message":{"messageId":"m","timestamp":"t","type":"fax"}}',
      "message.type is not a Segment type",
    ],
    ['{"v":2,"spaceId":"s","destinationId":"d","kind":"event"}', "unknown kind"],
    ['{"v":2,"spaceId":"s","destinationId":"d","kind":"events","events":[]}', "events is missing"],
    [
      '{"v":2,"spaceId":"s","destinationId":"d","kind":"events","events":[{"message":{}}]}',
      "events.0.sourceId is missing",
    ],
    [
      '{"v":2,"spaceId":"s","destinationId":"d","kind":"events","events":[{"sourceId":"x","message":{"messageId":"m","timestamp":"t","type":"track"}},{"sourceId":"x"}]}',
      "events.1.message is missing",
    ],
  ])("refuses %s: %s", (body, message) => {
    expect(() => decodeDelivery(body)).toThrow(message);
  });
});

describe("judging one event for one destination", () => {
  it("requireConsent without a consent object keeps only strictly necessary destinations", async () => {
    const config = webhook({ consentCategories: ["analytics"], requireConsent: true });
    expect(await judgeEvent(config, orderCompleted())).toMatchObject({
      deliver: false,
      reason: "FILTERED_BY_END_USER_CONSENT",
    });
    const necessary = webhook({
      consentCategories: ["analytics"],
      requireConsent: true,
      strictlyNecessary: ["analytics"],
    });
    expect((await judgeEvent(necessary, orderCompleted())).deliver).toBe(true);
  });

  it("honours the integrations object by the destination's name", async () => {
    const judged = await judgeEvent(webhook(), orderCompleted({ integrations: { All: false } }));
    expect(judged).toMatchObject({ deliver: false, reason: "FILTERED_BY_INTEGRATIONS_OBJECT" });
  });

  it("drops PII the policy drops and reports which fields", async () => {
    const judged = await judgeEvent(
      webhook({ pii: { classes: { email: "dropped", phone: "dropped" } } }),
      identifyCall(),
    );
    expect(judged.deliver).toBe(true);
    if (!judged.deliver) return;
    expect(judged.event.traits?.email).toBeUndefined();
    expect(judged.droppedFields).toContain("traits.email");
    expect(judged.event.traits?.plan).toBe("gold");
  });

  it("refuses strictlyNecessary categories the destination is not mapped to", () => {
    expect(() => webhook({ consentCategories: ["a"], strictlyNecessary: ["b"] })).toThrow(
      "strictlyNecessary",
    );
  });

  it.each([
    ["MISSING_IDENTIFIER: needs email", ["traits.email"], "FILTERED_BY_PII_POLICY"],
    ["MISSING_IDENTIFIER: needs email", [], "UNSUPPORTED_EVENT_TYPE"],
    ["UNSUPPORTED_EVENT_TYPE: alias", ["traits.email"], "UNSUPPORTED_EVENT_TYPE"],
    ["HTTP 400: bad", [], undefined],
    [undefined, [], undefined],
  ])("an adapter refusal %s with dropped %j is %s", (error, dropped, reason) => {
    expect(refusalReason(error, dropped)).toBe(reason);
  });
});

describe("delivery overview", () => {
  it.each([
    [[], 95, null],
    [[7], 95, 7],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95, 19],
    [[5, 1, 3], 50, 3],
    [[10, 20], 100, 20],
  ])("percentile(%j, %d) = %s (nearest rank)", (samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it("folds ledger counts into received, filtered by reason and group, delivered, pending, retrying, failed", () => {
    const overview = buildOverview(
      [
        { status: "delivered", reason: null, n: 5 },
        { status: "filtered", reason: "FILTERED_BY_END_USER_CONSENT", n: 2 },
        { status: "filtered", reason: "FILTERED_BY_PII_POLICY", n: 1 },
        { status: "retrying", reason: null, n: 3 },
        { status: "pending", reason: null, n: 1 },
        { status: "failed", reason: "permanent failure", n: 4 },
      ],
      6,
      [100, 200],
    );
    expect(overview).toEqual({
      received: 16,
      filtered: {
        total: 3,
        byReason: { FILTERED_BY_END_USER_CONSENT: 2, FILTERED_BY_PII_POLICY: 1 },
        byGroup: { consent: 2, pii: 1 },
      },
      delivered: 5,
      pending: 1,
      retrying: 3,
      retries: 6,
      failed: 4,
      latencyMs: { p50: 100, p95: 200, samples: 2 },
    });
  });
});

describe("bundling events for the delivery Queue", () => {
  it("keeps order and cuts bundles that fit a Queue message (128 KB)", () => {
    const big = "x".repeat(30_000);
    const events = Array.from({ length: 10 }, (_, i) => ({
      sourceId: "src",
      message: orderCompleted({ messageId: `m-${i}`, properties: { blob: big } }),
    }));
    const parts = bundleEvents(events);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flat()).toEqual(events);
    for (const part of parts) expect(JSON.stringify(part).length).toBeLessThan(128_000);
    expect(bundleEvents(events.slice(0, 2))).toEqual([events.slice(0, 2)]);
  });
});
