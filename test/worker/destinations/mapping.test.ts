import { describe, expect, it } from "vitest";
import {
  assertMapping,
  MappingError,
  resolveMapping,
  type Mapping,
} from "../../../worker/destinations/mapping.ts";
import type { JsonObject } from "../../../worker/message/message.ts";

// Payload and expectations follow mapping-kit's README examples.
const payload: JsonObject = {
  type: "track",
  event: "Order Completed",
  userId: "u-1",
  properties: { total: 42, coupon: null, products: [{ sku: "A-1" }, { sku: "B-2" }] },
  traits: { name: "Ada", email: "" },
  context: { page: { url: "https://foyer.example/" } },
};

describe("resolveMapping", () => {
  const table: Array<[string, Mapping, unknown]> = [
    ["@path", { "@path": "$.properties.total" }, 42],
    ["@path to an array element", { "@path": "$.properties.products[1].sku" }, "B-2"],
    ["@path to the root", { "@path": "$" }, payload],
    ["@path keeps null", { "@path": "$.properties.coupon" }, null],
    ["@path missing is undefined", { "@path": "$.properties.nope" }, undefined],
    ["@template", { "@template": "Hi {{traits.name}}!" }, "Hi Ada!"],
    ["@template missing renders empty", { "@template": "[{{traits.nope}}]" }, "[]"],
    [
      "@template numbers and objects",
      { "@template": "{{properties.total}} {{context.page}}" },
      '42 {"url":"https://foyer.example/"}',
    ],
    ["@literal is not resolved", { "@literal": { "@path": "$.userId" } }, { "@path": "$.userId" }],
    [
      "@if exists then",
      { "@if": { exists: { "@path": "$.userId" }, then: "known", else: "anon" } },
      "known",
    ],
    [
      "@if exists else (null does not exist)",
      { "@if": { exists: { "@path": "$.properties.coupon" }, then: "c", else: "none" } },
      "none",
    ],
    [
      "@if blank on empty string",
      { "@if": { blank: { "@path": "$.traits.email" }, then: "blank", else: "set" } },
      "blank",
    ],
    [
      "@if with no else drops",
      { "@if": { exists: { "@path": "$.anonymousId" }, then: 1 } },
      undefined,
    ],
    ["plain values pass through", 7, 7],
  ];
  it.each(table)("%s", (_name, mapping, expected) => {
    expect(resolveMapping(mapping, payload)).toEqual(expected);
  });

  it("drops undefined keys, keeps nulls, and recurses into objects and arrays", () => {
    const mapping: Mapping = {
      user_id: { "@path": "$.userId" },
      device_id: { "@path": "$.anonymousId" },
      coupon: { "@path": "$.properties.coupon" },
      skus: [
        { "@path": "$.properties.products[0].sku" },
        { "@path": "$.properties.products[9].sku" },
      ],
      nested: { url: { "@path": "$.context.page.url" }, fixed: "x" },
    };
    expect(resolveMapping(mapping, payload)).toEqual({
      user_id: "u-1",
      coupon: null,
      skus: ["A-1", null],
      nested: { url: "https://foyer.example/", fixed: "x" },
    });
  });
});

describe("assertMapping: bad mappings fail with the path of the problem", () => {
  const bad: Array<[string, Mapping, string, RegExp]> = [
    ["unknown directive", { a: { "@liquid": "{{x}}" } }, "a.@liquid", /unknown directive/],
    ["two keys beside a directive", { a: { "@path": "$.x", extra: 1 } }, "a", /exactly one key/],
    ["@path not a string", { "@path": 3 }, "@path", /takes a string/],
    ["@path without $.", { "@path": "properties.x" }, "@path", /must start with/],
    ["@path wildcard", { "@path": "$.products[*].sku" }, "@path", /unsupported @path/],
    ["@path empty segment", { "@path": "$.a..b" }, "@path", /unsupported @path/],
    ["@template not a string", { "@template": ["x"] }, "@template", /takes a string/],
    ["@template too long", { "@template": "x".repeat(1_001) }, "@template", /1000 characters/],
    ["@if not an object", { "@if": "x" }, "@if", /takes an object/],
    ["@if without a test", { "@if": { then: 1 } }, "@if", /exactly one of exists or blank/],
    ["@if with both tests", { "@if": { exists: 1, blank: 1 } }, "@if", /exactly one of/],
    ["@if unknown key", { "@if": { exists: 1, otherwise: 2 } }, "@if", /unknown key otherwise/],
    [
      "bad directive inside @if",
      { "@if": { exists: { "@path": "x" } } },
      "@if.exists.@path",
      /must start with/,
    ],
    [
      "bad directive in an array",
      { list: [1, { "@nope": 1 }] },
      "list.1.@nope",
      /unknown directive/,
    ],
  ];
  it.each(bad)("%s", (_name, mapping, path, message) => {
    let caught: unknown;
    try {
      assertMapping(mapping);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MappingError);
    expect((caught as MappingError).path).toBe(path);
    expect((caught as MappingError).message).toMatch(message);
    expect(() => resolveMapping(mapping, payload)).toThrow(MappingError);
  });

  it("bounds nesting", () => {
    let deep: Mapping = 1;
    for (let i = 0; i < 40; i += 1) deep = { k: deep };
    expect(() => assertMapping(deep)).toThrow(/nested deeper than 32/);
    expect(() => resolveMapping(deep, payload)).toThrow(/nested deeper than 32/);
  });

  it("accepts every well-formed directive", () => {
    expect(() =>
      assertMapping({
        a: { "@path": "$.x[0].y" },
        b: { "@template": "{{x}}" },
        c: {
          "@if": {
            blank: { "@path": "$.x" },
            then: { "@literal": { "@anything": 1 } },
            else: null,
          },
        },
      }),
    ).not.toThrow();
  });
});
