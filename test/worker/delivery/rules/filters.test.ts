import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  applyDestinationFilters,
  parseDestinationFilters,
  sampleBucket,
  type DestinationFilter,
} from "../../../../worker/delivery/rules/filters.ts";
import type { JsonObject } from "../../../../worker/message/message.ts";

function event(messageId = "m-1"): JsonObject {
  return {
    type: "track",
    event: "Order Completed",
    messageId,
    userId: "u-1",
    timestamp: "2026-01-15T10:00:00.000Z",
    properties: {
      total: 10,
      email: "guest@example.com",
      address: { city: "Lyon", street: "1 rue" },
    },
    context: { ip: "203.0.113.7", library: { name: "analytics.js" } },
  };
}

function filter(
  partial: Partial<DestinationFilter> & Pick<DestinationFilter, "actions">,
): DestinationFilter {
  return { id: "f1", title: "test", enabled: true, if: "all", ...partial };
}

describe("sampleBucket", () => {
  it("is deterministic and spreads messageIds evenly", () => {
    expect(sampleBucket("m-1")).toBe(sampleBucket("m-1"));
    const n = 10_000;
    let kept = 0;
    for (let i = 0; i < n; i += 1) if (sampleBucket(`msg-${i}`) < 0.3) kept += 1;
    expect(kept / n).toBeGreaterThan(0.28);
    expect(kept / n).toBeLessThan(0.32);
  });
});

describe("applyDestinationFilters", () => {
  it("passes the event unchanged (as a copy) with no filters", () => {
    const input = event();
    const out = applyDestinationFilters([], input);
    expect(out).toEqual({ kept: true, event: input });
    if (out.kept) expect(out.event).not.toBe(input);
  });

  it("drops events matching the condition and only those", () => {
    const filters = [filter({ if: 'event = "Order Completed"', actions: [{ type: "drop" }] })];
    expect(applyDestinationFilters(filters, event())).toEqual({
      kept: false,
      reason: "FILTERED_BY_RULES",
      filterId: "f1",
      detail: "dropped",
    });
    expect(applyDestinationFilters(filters, { ...event(), event: "Order Refunded" }).kept).toBe(
      true,
    );
  });

  it("ignores disabled filters", () => {
    const filters = [filter({ enabled: false, actions: [{ type: "drop" }] })];
    expect(applyDestinationFilters(filters, event()).kept).toBe(true);
  });

  it("samples by messageId: the same event always gets the same answer", () => {
    const filters = [filter({ actions: [{ type: "sample", percent: 0.5 }] })];
    const decisions = Array.from(
      { length: 2_000 },
      (_, i) => applyDestinationFilters(filters, event(`id-${i}`)).kept,
    );
    const kept = decisions.filter(Boolean).length;
    expect(kept).toBeGreaterThan(900);
    expect(kept).toBeLessThan(1_100);
    for (let i = 0; i < 50; i += 1) {
      expect(applyDestinationFilters(filters, event(`id-${i}`)).kept).toBe(decisions[i]);
    }
    expect(
      applyDestinationFilters([filter({ actions: [{ type: "sample", percent: 0 }] })], event()),
    ).toMatchObject({
      kept: false,
      detail: "sampled out",
    });
    expect(
      applyDestinationFilters([filter({ actions: [{ type: "sample", percent: 1 }] })], event())
        .kept,
    ).toBe(true);
  });

  it("samples by another path when given (all of a user's events together)", () => {
    const filters = [filter({ actions: [{ type: "sample", percent: 0.5, path: "userId" }] })];
    const first = applyDestinationFilters(filters, event("a")).kept;
    for (let i = 0; i < 20; i += 1)
      expect(applyDestinationFilters(filters, event(`b-${i}`)).kept).toBe(first);
  });

  it("samples before it drops (Segment's order)", () => {
    const sampledOut = Array.from({ length: 100 }, (_, i) => `s-${i}`).find(
      (id) => sampleBucket(id) >= 0.5,
    ) as string;
    const filters = [
      filter({ id: "drop", actions: [{ type: "drop" }] }),
      filter({ id: "sample", actions: [{ type: "sample", percent: 0.5 }] }),
    ];
    expect(applyDestinationFilters(filters, event(sampledOut))).toMatchObject({
      filterId: "sample",
      detail: "sampled out",
    });
  });

  it("drops properties, nested paths and top-level fields", () => {
    const filters = [
      filter({
        actions: [
          {
            type: "drop_properties",
            fields: { properties: ["email", "address.street"], context: ["ip"], "": ["userId"] },
          },
        ],
      }),
    ];
    const out = applyDestinationFilters(filters, event());
    expect(out.kept && out.event).toEqual({
      type: "track",
      event: "Order Completed",
      messageId: "m-1",
      timestamp: "2026-01-15T10:00:00.000Z",
      properties: { total: 10, address: { city: "Lyon" } },
      context: { library: { name: "analytics.js" } },
    });
  });

  it("allows only listed properties, after drops, leaving other containers alone", () => {
    const filters = [
      filter({
        id: "allow",
        actions: [
          { type: "allow_properties", fields: { properties: ["total", "address.city", "email"] } },
        ],
      }),
      filter({
        id: "drop",
        actions: [{ type: "drop_properties", fields: { properties: ["email"] } }],
      }),
    ];
    const out = applyDestinationFilters(filters, event());
    expect(out.kept && out.event.properties).toEqual({ total: 10, address: { city: "Lyon" } });
    expect(out.kept && out.event.context).toEqual(event().context);
  });

  it("allow on the top level always keeps type, messageId and timestamp", () => {
    const filters = [
      filter({ actions: [{ type: "allow_properties", fields: { "": ["event"] } }] }),
    ];
    const out = applyDestinationFilters(filters, event());
    expect(out.kept && out.event).toEqual({
      type: "track",
      event: "Order Completed",
      messageId: "m-1",
      timestamp: "2026-01-15T10:00:00.000Z",
    });
  });

  it("never mutates the input event", () => {
    const input = event();
    const snapshot = structuredClone(input);
    applyDestinationFilters(
      [filter({ actions: [{ type: "drop_properties", fields: { properties: ["email"] } }] })],
      input,
    );
    expect(input).toEqual(snapshot);
  });

  it("fails closed: a stored filter with invalid FQL drops the event", () => {
    const filters = [
      filter({
        if: 'type = "track" and',
        actions: [{ type: "drop_properties", fields: { properties: ["email"] } }],
      }),
    ];
    expect(applyDestinationFilters(filters, event())).toMatchObject({
      kept: false,
      detail: "invalid filter",
    });
  });
});

describe("parseDestinationFilters", () => {
  const valid = {
    id: "f1",
    title: "No refunds",
    enabled: true,
    if: 'event = "Order Refunded"',
    actions: [{ type: "drop" }],
  };

  it("accepts Segment-shaped definitions", () => {
    expect(parseDestinationFilters([valid])).toEqual([valid]);
  });

  const bad: Array<[string, unknown, string]> = [
    ["not an array", { ...valid }, ""],
    ["invalid FQL with its position", [{ ...valid, if: "event = " }], "0.if"],
    ["unknown action type", [{ ...valid, actions: [{ type: "explode" }] }], "0.actions.0.type"],
    [
      "percent above 1",
      [{ ...valid, actions: [{ type: "sample", percent: 1.5 }] }],
      "0.actions.0.percent",
    ],
    [
      "negative percent",
      [{ ...valid, actions: [{ type: "sample", percent: -0.1 }] }],
      "0.actions.0.percent",
    ],
    ["no actions", [{ ...valid, actions: [] }], "0.actions"],
    [
      "empty field list",
      [{ ...valid, actions: [{ type: "drop_properties", fields: {} }] }],
      "0.actions.0.fields",
    ],
    [
      "unknown prefix",
      [{ ...valid, actions: [{ type: "drop_properties", fields: { integrations: ["x"] } }] }],
      "0.actions.0.fields",
    ],
    [
      "dropping messageId",
      [{ ...valid, actions: [{ type: "drop_properties", fields: { "": ["messageId"] } }] }],
      "0.actions.0.fields",
    ],
    ["title over 64", [{ ...valid, title: "x".repeat(65) }], "0.title"],
    ["extra key", [{ ...valid, extra: 1 }], "0"],
    ["eleven filters", Array.from({ length: 11 }, (_, i) => ({ ...valid, id: `f${i}` })), ""],
  ];
  it.each(bad)("rejects %s", (_name, input, path) => {
    try {
      parseDestinationFilters(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues.map((issue) => issue.path.join("."))).toContain(path);
    }
  });

  it("carries the FQL position in the message", () => {
    try {
      parseDestinationFilters([{ ...valid, if: 'event = "x" or' }]);
      expect.unreachable();
    } catch (error) {
      expect((error as ZodError).issues[0]?.message).toContain("position 14");
    }
  });
});
