import { describe, expect, it } from "vitest";
import {
  evaluateFql,
  FqlError,
  MAX_FQL_LENGTH,
  parseFql,
  subscriptionMatches,
} from "../../../worker/destinations/fql.ts";

// Shapes from Segment's docs (track spec example, ecommerce v2 Order Completed).
const order = {
  type: "track",
  event: "Order Completed",
  userId: "u-1",
  messageId: "m-1",
  properties: { total: 42.5, currency: "EUR", coupon: null, vip: true, tags: ["a"] },
  context: { library: { name: "analytics.js" }, page: { url: "https://foyer.example/checkout" } },
  traits: { plan: "gold" },
};
const page = { type: "page", name: "Home", properties: { name: "Home" }, context: {} };
const identify = {
  type: "identify",
  userId: "u-1",
  traits: { email: "x@example.com" },
  context: {},
};

describe("parseFql + evaluateFql: Segment's preset subscriptions", () => {
  const table: Array<[string, object, boolean]> = [
    ['type = "track"', order, true],
    ['type = "track"', page, false],
    ['type = "track" and event = "Order Completed"', order, true],
    ['type = "track" and event = "Order Refunded"', order, false],
    ['type = "identify" or type = "group"', identify, true],
    ['type = "identify" or type = "group"', order, false],
    ['type = "track" and event != "Order Completed"', order, false],
    ['type = "page" and properties.name != "Home"', page, false],
    ['type = "page" and properties.name != "About"', page, true],
    ["properties.total > 40", order, true],
    ["properties.total >= 42.5", order, true],
    ["properties.total < 42.5", order, false],
    ["properties.total <= 42.5", order, true],
    ["properties.total = 42.5", order, true],
    ["properties.total > -1", order, true],
    ['properties.currency = "EUR"', order, true],
    ["properties.vip = true", order, true],
    ["properties.vip = false", order, false],
    ["properties.coupon = null", order, true],
    ["properties.missing = null", order, true],
    ["properties.currency != null", order, true],
    ["properties.coupon != null", order, false],
    ['contains(event, "Order")', order, true],
    ['contains(event, "order")', order, false],
    ['contains(properties.missing, "x")', order, false],
    ['match(event, "Order*")', order, true],
    ['match(event, "*Completed")', order, true],
    ['match(event, "*Refunded")', order, false],
    ['match(context.page.url, "https://*.example/*")', order, true],
    ['match(event, "Order Complete?")', order, true],
    ['match(event, "[NO]rder*")', order, true],
    ['match(event, "[!O]rder*")', order, false],
    ['match(event, "[a-z]rder*")', order, false],
    ['match(event, "\\\\*")', { event: "*" }, true],
    ['match(event, "\\\\*")', order, false],
    ['!(type = "track")', order, false],
    ['!contains(event, "Refund")', order, true],
    ['!!(type = "track")', order, true],
    ['context.library.name = "analytics.js"', order, true],
    ['traits.plan = "gold"', order, true],
    ['traits.email = "x@example.com" and type = "identify"', identify, true],
    ['userId = "u-1" and messageId = "m-1"', order, true],
    // `and` binds tighter than `or`.
    ['type = "page" or type = "track" and event = "Nope"', order, false],
    ['(type = "page" or type = "track") and event = "Order Completed"', order, true],
    // A string "42.5" is not the number 42.5: no implicit coercion.
    ['properties.total = "42.5"', order, false],
    ["properties.currency > 1", order, false],
    ['event = "Order \\"Quoted\\""', { event: 'Order "Quoted"' }, true],
  ];
  it.each(table)("%s", (source, event, expected) => {
    expect(evaluateFql(parseFql(source), event as never)).toBe(expected);
  });

  it("builds the AST with and/or groups", () => {
    expect(parseFql('type = "track" and (event = "A" or !contains(event, "B"))')).toEqual({
      kind: "and",
      children: [
        { kind: "compare", field: "type", operator: "=", value: "track" },
        {
          kind: "or",
          children: [
            { kind: "compare", field: "event", operator: "=", value: "A" },
            { kind: "not", child: { kind: "contains", field: "event", value: "B" } },
          ],
        },
      ],
    });
  });
});

describe("parseFql: precise errors", () => {
  // [source, position, expected-fragment] — the reference notes Segment's parser accepts the first
  // two silently; Foyer must not.
  const bad: Array<[string, number, string]> = [
    ["type = ", 7, "expected string or number or true or false or null"],
    ['type ==== "track"', 6, "expected string"],
    ["", 0, "expected field"],
    ["foo bar baz", 0, "expected field"],
    ['type = "track', 13, 'expected closing "'],
    ["type = 'track'", 7, "strings use double quotes"],
    ['type = "track" and', 18, "expected field"],
    ['type = "track" event = "x"', 15, "expected 'and' or 'or' or end of input"],
    ['(type = "track"', 15, "expected ')'"],
    ['type = "track")', 14, "expected 'and' or 'or' or end of input"],
    ['properties.total > "1"', 19, "expected number"],
    ["properties.total < true", 19, "expected number"],
    ['lowercase(event) = "x"', 0, "unknown function lowercase"],
    ['contains(event "x")', 15, "expected ','"],
    ["contains(event, 1)", 16, "expected string"],
    ['contains("x", event)', 9, "expected field"],
    ['colour = "red"', 0, "expected field"],
    ['properties. = "x"', 0, "expected field"],
    ['properties..x = "x"', 0, "expected field"],
    ['properties = "x"', 0, "expected field"],
    ['and = "x"', 0, "expected field"],
    ['event # "x"', 6, "unexpected character"],
    ['event "x"', 6, "expected '='"],
    ['!event = "x" !', 13, "expected 'and'"],
    ['match(event, "[abc")', 14, "unclosed character class"],
    ['match(event, "[z-a]")', 14, "reversed range"],
    ['match(event, "abc\\\\")', 17, "dangling escape"],
  ];
  it.each(bad)("%j fails at %i", (source, position, message) => {
    let caught: unknown;
    try {
      parseFql(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FqlError);
    const error = caught as FqlError;
    expect(error.message).toContain(message);
    expect(error.position).toBe(position);
  });

  it("reports expected tokens as data as well as text", () => {
    try {
      parseFql("type = ");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FqlError);
      expect((error as FqlError).expected).toEqual(["string", "number", "true", "false", "null"]);
      expect((error as FqlError).found).toBe("end of input");
    }
  });

  it("refuses statements over the 5 KB limit and runaway nesting", () => {
    const long = `event = "${"x".repeat(MAX_FQL_LENGTH)}"`;
    expect(() => parseFql(long)).toThrow(/limited to 5120 characters/);
    const deep = `${"(".repeat(40)}type = "track"${")".repeat(40)}`;
    expect(() => parseFql(deep)).toThrow(/nesting deeper than 32/);
    const negations = `${"!".repeat(40)}type = "track"`;
    expect(() => parseFql(negations)).toThrow(/nesting deeper than 32/);
    expect(parseFql(`${"(".repeat(30)}type = "track"${")".repeat(30)}`)).toEqual({
      kind: "compare",
      field: "type",
      operator: "=",
      value: "track",
    });
  });
});

describe("subscriptionMatches", () => {
  it("matches valid statements", () => {
    expect(subscriptionMatches('type = "track"', order)).toBe(true);
  });

  it("fails closed on invalid FQL, even when the broken part would match", () => {
    expect(subscriptionMatches('type = "track" and', order)).toBe(false);
    expect(subscriptionMatches("type ==== track", order)).toBe(false);
    expect(subscriptionMatches('!(type = "page"', order)).toBe(false);
  });

  it("match() stays linear on adversarial globs", () => {
    const text = "a".repeat(5_000);
    expect(subscriptionMatches(`match(event, "${"*a".repeat(50)}b")`, { event: text })).toBe(false);
  });
});
