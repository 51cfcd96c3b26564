// The prototype-pollution attack from the security review, tried end to end in workerd: a space's
// own token configures a destination filter whose field path walks `__proto__`, sends an event
// carrying its own `__proto__` key, and asks for the event's lineage (which applies the filters in
// the fetch isolate). Had Object.prototype.spaceId been set, the admin guard would read it as the
// route's `:spaceId` and let the token act on another space's sources.
import { afterEach, describe, expect, it } from "vitest";
import { as, errorCode, issueToken } from "../admin/admin-fixtures.ts";
import type { JsonObject } from "../../../worker/message/message.ts";
import { call, newSource, storedEventually, storedLines, basic } from "../support.ts";

const polluted = (): unknown => (Object.prototype as Record<string, unknown>).spaceId;

afterEach(() => {
  // Never let one failing test poison the rest of the isolate.
  delete (Object.prototype as Record<string, unknown>).spaceId;
});

function destination(filter: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    slug: "webhook",
    name: "Hook",
    settings: { url: "https://receiver.test/proto", secret: "whsec_test_0123456789abcdef" },
    filters: [{ id: "f1", title: "f", enabled: true, if: "all", ...filter }],
    ...extra,
  };
}

describe("prototype pollution through user paths", () => {
  it("refuses __proto__/constructor/prototype segments with a 400 naming the field", async () => {
    const a = await newSource();
    const { token } = await issueToken(a.spaceId, "Admin");
    const url = `/admin/v1/spaces/${a.spaceId}/destinations`;
    const cases: [Record<string, unknown>, string][] = [
      [
        destination({
          actions: [{ type: "allow_properties", fields: { properties: ["__proto__.spaceId"] } }],
        }),
        "filters.0.actions.0.fields.properties.0",
      ],
      [
        destination({
          actions: [{ type: "drop_properties", fields: { context: ["constructor.prototype.x"] } }],
        }),
        "filters.0.actions.0.fields.context.0",
      ],
      [
        destination({ if: "properties.__proto__.spaceId = 'x'", actions: [{ type: "drop" }] }),
        "filters.0.if",
      ],
      [
        destination(
          { actions: [{ type: "drop" }] },
          { subscription: "context.constructor.name = 'Object'" },
        ),
        "subscription",
      ],
      [
        destination({
          actions: [{ type: "sample", percent: 0.5, path: "properties.prototype" }],
        }),
        "filters.0.actions.0.path",
      ],
    ];
    for (const [body, field] of cases) {
      const res = await as(token, "POST", url, body);
      expect(res.status, field).toBe(400);
      expect(errorCode(res.json), field).toBe("unsafe_path");
      expect((res.json.error as { field?: string }).field, field).toBe(field);
    }
    const listed = await as(token, "GET", url);
    expect((listed.json.destinations as unknown[]).length).toBe(0);
  });

  it("the whole attack leaves Object.prototype clean and the other space's source at 404", async () => {
    const attacker = await newSource();
    const victim = await newSource();
    const { token } = await issueToken(attacker.spaceId, "Admin");
    const created = await as(
      token,
      "POST",
      `/admin/v1/spaces/${attacker.spaceId}/destinations`,
      destination({ actions: [{ type: "allow_properties", fields: { properties: ["spaceId"] } }] }),
    );
    expect(created.status).toBe(201);

    // Raw text: JSON.stringify would not write a `__proto__` key, and an escaped one must go too.
    const body =
      `{"userId":"u1","messageId":"proto-1","event":"Hit","properties":` +
      `{"__proto__":{"spaceId":"${attacker.spaceId}"},"\\u005f_proto__":{"spaceId":"x"},"spaceId":"mine"}}`;
    const res = await call("/v1/track", {
      method: "POST",
      headers: { authorization: basic(attacker.writeKey), "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    await storedEventually(attacker.sourceId, 1);
    const [line] = await storedLines(attacker.sourceId);
    expect(line).not.toContain("__proto__");
    expect((JSON.parse(line ?? "{}") as JsonObject).properties).toEqual({ spaceId: "mine" });

    const lineage = await as(
      token,
      "GET",
      `/admin/v1/sources/${attacker.sourceId}/events/proto-1/lineage`,
    );
    expect(lineage.status).toBe(200);
    expect(polluted()).toBeUndefined();
    expect(({} as Record<string, unknown>).spaceId).toBeUndefined();

    const other = await as(token, "GET", `/admin/v1/sources/${victim.sourceId}`);
    expect(other.status).toBe(404);
  });

  it("a polluted prototype still cannot widen a space token's scope", async () => {
    const attacker = await newSource();
    const victim = await newSource();
    const { token } = await issueToken(attacker.spaceId, "Admin");
    // Defence in depth: even if some future path polluted the prototype, route params are
    // prototype-free and the guard checks the source's own space.
    (Object.prototype as Record<string, unknown>).spaceId = attacker.spaceId;
    try {
      const other = await as(token, "GET", `/admin/v1/sources/${victim.sourceId}`);
      expect(other.status).toBe(404);
    } finally {
      delete (Object.prototype as Record<string, unknown>).spaceId;
    }
  });
});
