// Hostile keys on the pure functions: paths with prototype segments read and write nothing, and
// JSON bodies lose their `__proto__` keys, however they are spelled.
import { afterEach, describe, expect, it } from "vitest";
import {
  applyDestinationFilters,
  type DestinationFilter,
} from "../../../worker/delivery/rules/filters.ts";
import { readPath } from "../../../worker/message/event-path.ts";
import { assertMapping } from "../../../worker/destinations/mapping.ts";
import { matchRoute } from "../../../worker/admin/auth/route-permissions.ts";
import type { JsonObject } from "../../../worker/message/message.ts";
import {
  assertSafePath,
  ownValue,
  parseJsonWithoutProto,
  unsafeSegment,
} from "../../../worker/message/object-keys.ts";

const proto = Object.prototype as Record<string, unknown>;
afterEach(() => {
  delete proto.spaceId;
  delete proto.x;
});

describe("hostile keys", () => {
  it("finds unsafe segments in dot paths and segment lists", () => {
    expect(unsafeSegment("properties.__proto__.x")).toBe("__proto__");
    expect(unsafeSegment(["context", "constructor"])).toBe("constructor");
    expect(unsafeSegment("a.prototype")).toBe("prototype");
    expect(unsafeSegment("properties.proto.protoype")).toBeUndefined();
    expect(() => assertSafePath("x.__proto__", "fields.0")).toThrow(
      expect.objectContaining({ code: "unsafe_path", field: "fields.0", status: 400 }),
    );
  });

  it("drops __proto__ keys at any depth, escaped or not, and keeps the rest", () => {
    const parsed = parseJsonWithoutProto(
      '{"a":{"__proto__":{"x":1},"b":[{"\\u005f_proto__":2,"c":3}]},"__proto__":null,"d":"\\u00e9"}',
    ) as JsonObject;
    expect(parsed).toEqual({ a: { b: [{ c: 3 }] }, d: "é" });
    expect(Object.keys(parsed.a as JsonObject)).toEqual(["b"]);
    expect(Object.getPrototypeOf(parsed.a)).toBe(Object.prototype);
  });

  it("reads only own values", () => {
    proto.x = true;
    expect(ownValue({}, "x")).toBeUndefined();
    expect(ownValue({ x: false }, "x")).toBe(false);
  });

  it("readPath does not walk onto a prototype", () => {
    const event = JSON.parse('{"properties":{"__proto__":{"spaceId":"s"}}}') as JsonObject;
    expect(readPath(event, "properties.__proto__.spaceId")).toBeUndefined();
    expect(readPath(event, "properties.constructor")).toBeUndefined();
    expect(readPath({ a: {} }, "a.constructor.name")).toBeUndefined();
  });

  it("filters stored before paths were checked pollute nothing", () => {
    // JSON.parse keeps `__proto__` as an own key: the shape an event had before ingest stripped it.
    const event = JSON.parse(
      '{"type":"track","messageId":"m","timestamp":"2026-01-01T00:00:00Z","properties":{"__proto__":{"spaceId":"evil"}},"context":{"constructor":{"prototype":{"x":1}}}}',
    ) as JsonObject;
    const filter = {
      id: "f",
      title: "f",
      enabled: true,
      if: "all",
      actions: [
        { type: "allow_properties", fields: { properties: ["__proto__.spaceId"] } },
        { type: "drop_properties", fields: { context: ["constructor.prototype.x"] } },
      ],
    } as DestinationFilter;
    const out = applyDestinationFilters([filter], event);
    expect(out.kept).toBe(true);
    expect(proto.spaceId).toBeUndefined();
    expect(({} as Record<string, unknown>).spaceId).toBeUndefined();
  });

  it("mappings refuse prototype segments in @path", () => {
    expect(() => assertMapping({ a: { "@path": "$.properties.__proto__" } })).toThrow(
      expect.objectContaining({ code: "invalid_mapping", field: "a.@path" }),
    );
  });

  it("route params have no prototype", () => {
    proto.spaceId = "space-x";
    const match = matchRoute("GET", "/admin/v1/sources/src_1");
    expect(match?.params.sourceId).toBe("src_1");
    expect(match?.params.spaceId).toBeUndefined();
  });
});
