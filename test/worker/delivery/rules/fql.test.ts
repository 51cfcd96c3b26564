import { describe, expect, it } from "vitest";
import {
  evaluateFql,
  FqlError,
  MAX_FQL_LENGTH,
  parseFql,
  subscriptionMatches,
} from "../../../../worker/delivery/rules/fql.ts";
import { globMatches, parseGlob } from "../../../../worker/delivery/rules/glob.ts";

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
        {
          kind: "compare",
          operator: "=",
          left: { kind: "field", path: ["type"] },
          right: { kind: "literal", value: "track" },
        },
        {
          kind: "or",
          children: [
            {
              kind: "compare",
              operator: "=",
              left: { kind: "field", path: ["event"] },
              right: { kind: "literal", value: "A" },
            },
            {
              kind: "not",
              child: {
                kind: "call",
                name: "contains",
                args: [
                  { kind: "field", path: ["event"] },
                  { kind: "literal", value: "B" },
                ],
              },
            },
          ],
        },
      ],
    });
  });
});

describe("parseFql: precise errors", () => {
  // [source, position, expected-fragment] — the reference notes Segment's parser accepts the first
  // two silently; Foyer must not.
  const bad: Array<[string, number, string, "fql_syntax" | "fql_unsupported"]> = [
    ["type = ", 7, "expected field or string", "fql_syntax"],
    ['type ==== "track"', 5, "FQL compares with =", "fql_unsupported"],
    ['type == "track"', 5, "FQL compares with =", "fql_unsupported"],
    ['type = "a" && event = "b"', 11, "FQL uses and", "fql_unsupported"],
    ['type = "a" || event = "b"', 11, "FQL uses or", "fql_unsupported"],
    ['event =~ "Order.*"', 6, "use match() with a glob", "fql_unsupported"],
    ["properties.total + 1 > 2", 17, "FQL has no arithmetic", "fql_unsupported"],
    ['regex(event, "a")', 0, "unknown function regex", "fql_unsupported"],
    ['startsWith(event, "a")', 0, "unknown function startsWith", "fql_unsupported"],
    ["", 0, "expected field", "fql_syntax"],
    ["foo bar baz", 4, "expected 'and' or 'or' or end of input", "fql_syntax"],
    ['type = "track', 13, 'expected closing "', "fql_syntax"],
    ["type = 'track", 13, "expected closing '", "fql_syntax"],
    ["type = 'tr\\qack'", 10, "unknown escape in string", "fql_syntax"],
    ['type = "track" and', 18, "expected field", "fql_syntax"],
    ['type = "track" event = "x"', 15, "expected 'and' or 'or' or end of input", "fql_syntax"],
    ['(type = "track"', 15, "expected ')'", "fql_syntax"],
    ['type = "track")', 14, "expected 'and' or 'or' or end of input", "fql_syntax"],
    ['properties.total > "1"', 19, "expected number", "fql_syntax"],
    ["properties.total < true", 19, "expected number", "fql_syntax"],
    ["properties.total >= [1]", 20, "expected number", "fql_syntax"],
    ['event in "abc"', 9, "in needs a list", "fql_syntax"],
    ['contains(event "x")', 15, "expected ','", "fql_syntax"],
    ["contains(event, 1)", 16, "expected string or null", "fql_syntax"],
    ['contains(event) = "x"', 0, "contains takes 2 arguments", "fql_syntax"],
    ["lowercase(event, event)", 0, "lowercase takes 1 argument", "fql_syntax"],
    ["['a', 'b'", 9, "expected ']'", "fql_syntax"],
    ['properties. = "x"', 0, "empty segment", "fql_syntax"],
    ['properties..x = "x"', 0, "empty segment", "fql_syntax"],
    ['and = "x"', 0, "expected field", "fql_syntax"],
    ['event # "x"', 6, "unexpected character", "fql_syntax"],
    ['event "x"', 6, "expected 'and' or 'or' or end of input", "fql_syntax"],
    ['!event = "x" !', 13, "expected 'and'", "fql_syntax"],
    ['match(event, "[abc")', 14, "unclosed character class", "fql_syntax"],
    ['match(event, "[z-a]")', 14, "reversed range", "fql_syntax"],
    ['match(event, "abc\\\\")', 17, "dangling escape", "fql_syntax"],
  ];
  it.each(bad)("%j fails at %i", (source, position, message, code) => {
    let caught: unknown;
    try {
      parseFql(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FqlError);
    const error = caught as FqlError;
    expect(error.message).toContain(message);
    expect(error.message).toContain(`at position ${position}`);
    expect(error.position).toBe(position);
    expect(error.code).toBe(code);
  });

  it("reports expected tokens as data as well as text", () => {
    try {
      parseFql("type = ");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FqlError);
      expect((error as FqlError).expected).toContain("string");
      expect((error as FqlError).expected).toContain("field");
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
      operator: "=",
      left: { kind: "field", path: ["type"] },
      right: { kind: "literal", value: "track" },
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

// Every example of https://segment.com/docs/api/public-api/fql/ (segmentio/segment-docs
// src/api/public-api/fql.md), evaluated against that page's sample object.
describe("Segment's FQL reference examples", () => {
  const buttonClicked = {
    event: "Button Clicked",
    type: "track",
    context: { library: { name: "analytics.js", version: "1.0" } },
    properties: { features: ["discounts", "dark-mode"] },
  };
  const examples: Array<[string, boolean]> = [
    ["event = 'Button Clicked'", true],
    ["event = 'Screen Tapped'", false],
    ["context.path.path = '/login'", false],
    ["type = 'identify' or type = 'track'", true],
    ["event = 'Button Clicked' and type = 'track'", true],
    ["match( context.library.version, '1.*' )", true],
    ["match( context.library.version, '2.*' )", false],
    ["type = 'track' and ( event = 'Click' or match( event, 'Button *' ) )", true],
    ["!contains( context.library.name, 'js' )", false],
    ["'dark-mode' in properties.features", true],
    ["'blink' in properties.features", false],
    // Subexpressions section (its `match( 'Button *', event )` swaps the arguments: false here).
    ["type = 'track' and ( event = 'Click' or match( 'Button *', event ) )", false],
    ["!( type in ['track', 'identify'] )", false],
    ["!( type in ['page', 'identify'] )", true],
  ];
  it.each(examples)("%s", (source, expected) => {
    expect(evaluateFql(parseFql(source), buttonClicked)).toBe(expected);
  });

  it("evaluates the second subexpression example against a bool field and an email", () => {
    const source =
      "( type = 'track' or type = 'identify' ) and ( properties.enabled or match( traits.email, '*@company.com' ) )";
    const ast = parseFql(source);
    expect(evaluateFql(ast, { type: "identify", traits: { email: "a@company.com" } })).toBe(true);
    expect(evaluateFql(ast, { type: "track", properties: { enabled: true } })).toBe(true);
    expect(evaluateFql(ast, { type: "track", properties: { enabled: "yes" } })).toBe(false);
    expect(evaluateFql(ast, { type: "page", properties: { enabled: true } })).toBe(false);
  });

  it("follows the escaping rule for field paths", () => {
    const event = { properties: { "product 1": { price: "19.99" }, "a.b": 1 } };
    expect(evaluateFql(parseFql("properties.product\\ 1.price = '19.99'"), event)).toBe(true);
    expect(evaluateFql(parseFql("properties.a\\.b = 1"), event)).toBe(true);
    expect(evaluateFql(parseFql("properties.a.b = 1"), event)).toBe(false);
  });

  const glob: Array<[string, boolean]> = [
    ["match( 'abcd', 'a*d' )", true],
    ["match( '', '*' )", true],
    ["match( 'abc', 'ab' )", false],
    ["match( 'abcd', 'a??d' )", true],
    ["match( 'abcd', '*d' )", true],
    ["match( 'ab*d', 'ab\\\\*d' )", true],
    ["match( 'abCd', 'ab[cC]d' )", true],
    ["match( 'abcd', 'ab[a-z]d' )", true],
    ["match( 'abcd', 'ab[A-Z]d' )", false],
  ];
  it.each(glob)("glob table: %s", (source, expected) => {
    expect(evaluateFql(parseFql(source), {})).toBe(expected);
  });

  const functions: Array<[string, object, boolean]> = [
    ["length( userId ) > 0", { userId: "u" }, true],
    ["length( userId ) > 0", {}, false],
    ["typeof( userId ) = 'string' and length( userId ) > 0", { userId: "u" }, true],
    ["contains( properties.none, 'x' )", {}, false],
    ["length( properties.none ) = 0", {}, true],
    ["lowercase( properties.none ) = null", {}, true],
    ["typeof( properties.none ) = 'null'", {}, true],
    ["match( properties.none, '*' )", {}, false],
    ["length( 'a' ) = 1 and length( 'ア' ) = 3", {}, true],
    ["length( properties.tags ) = 2", { properties: { tags: ["a", "b"] } }, true],
    ["lowercase( event ) = 'order completed'", { event: "Order Completed" }, true],
    ["uppercase( event ) = 'ORDER COMPLETED'", { event: "Order Completed" }, true],
    ["snakecase( 'test string' ) = 'test_string'", {}, true],
    ["kebabcase( 'test string' ) = 'test-string'", {}, true],
    ["titlecase( 'test string' ) = 'Test String'", {}, true],
    ["typeof( 1 ) = 'number' and typeof( [1] ) = 'list' and typeof( true ) = 'bool'", {}, true],
    ["typeof( properties ) = 'object'", { properties: {} }, true],
    ["bool( properties.vip )", { properties: { vip: "true" } }, true],
    ["bool( properties.vip )", { properties: { vip: "false" } }, false],
    [
      "bool( properties.n ) and !bool( 0 ) and !bool( [] ) and !bool( null )",
      { properties: { n: 2 } },
      true,
    ],
    ["string( properties.total ) = '42.5'", { properties: { total: 42.5 } }, true],
    ["number( properties.total ) > 40", { properties: { total: "42.5" } }, true],
    ["number( properties.total ) > 40", { properties: { total: "lots" } }, false],
    ["properties.tags = ['a', 'b']", { properties: { tags: ["a", "b"] } }, true],
    ["properties.tags != ['b', 'a']", { properties: { tags: ["a", "b"] } }, true],
    ["properties.n in [1, 2, null]", { properties: { n: 2 } }, true],
    ["properties.n in [1, 2, null]", {}, true],
    ["properties.n in [1, 2]", { properties: { n: "2" } }, false],
    ["event = \"it's\" and event = 'it\\'s' and event = 'it\\u0027s'", { event: "it's" }, true],
  ];
  it.each(functions)("%s on %j", (source, event, expected) => {
    expect(evaluateFql(parseFql(source), event as never)).toBe(expected);
  });
});

describe("match() with both sides from the event", () => {
  it("stays bounded on a hostile pattern and text (answers false past the step budget)", () => {
    const ast = parseFql("match(properties.text, properties.pattern)");
    const event = {
      type: "track",
      properties: { text: "a".repeat(30_000), pattern: `${"*a".repeat(10_000)}b` },
    };
    expect(evaluateFql(ast, event)).toBe(false);
    const small = { type: "track", properties: { text: "abc", pattern: "a*c" } };
    expect(evaluateFql(ast, small)).toBe(true);
  });

  it("counts steps: a match needing more than the budget is false", () => {
    const tokens = parseGlob("*b");
    if (!Array.isArray(tokens)) throw new Error("glob");
    expect(globMatches(tokens, `${"a".repeat(50)}b`)).toBe(true);
    expect(globMatches(tokens, `${"a".repeat(50)}b`, 10)).toBe(false);
  });
});
