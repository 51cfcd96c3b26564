// FQL in destination subscriptions and filters through the admin API: Segment's documented syntax
// is accepted, and a refusal carries the FQL error's code, the field and the position.
import { describe, expect, it } from "vitest";
import { ADMIN, admin, call, newSource } from "../../support.ts";

const webhook = {
  slug: "webhook",
  name: "W",
  settings: { url: "https://x.test", secret: "0123456789abcdef" },
};

function post(spaceId: string, body: unknown) {
  return call(`/admin/v1/spaces/${spaceId}/destinations`, {
    method: "POST",
    headers: { ...ADMIN, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function filter(fql: string) {
  return [{ id: "f", title: "f", enabled: true, if: fql, actions: [{ type: "drop" }] }];
}

describe("FQL saved through the admin API", () => {
  it("accepts the statements of Segment's FQL reference", async () => {
    const { spaceId } = await newSource();
    const res = await post(spaceId, {
      ...webhook,
      // https://segment.com/docs/api/public-api/fql/#subexpressions
      subscription: "type = 'track' and ( event = 'Click' or match( event, 'Button *' ) )",
      filters: filter("!( type in ['track', 'identify'] ) or length( userId ) = 0"),
    });
    expect(res.status).toBe(201);
  });

  it.each([
    [{ subscription: "event == 'x'" }, "subscription", "fql_unsupported", 6],
    [{ subscription: "regex(event, 'x')" }, "subscription", "fql_unsupported", 0],
    [{ subscription: "type = 'track" }, "subscription", "fql_syntax", 13],
    [{ filters: filter("event =~ 'Order.*'") }, "filters.0.if", "fql_unsupported", 6],
    [{ filters: filter("properties.total > 'x'") }, "filters.0.if", "fql_syntax", 19],
  ])(
    "refuses %j: 400 naming field, code and position, stores nothing",
    async (extra, field, code, position) => {
      const { spaceId } = await newSource();
      const res = await post(spaceId, { ...webhook, ...extra });
      expect(res.status).toBe(400);
      const { error } = await res.json<{
        error: { code: string; field: string; message: string };
      }>();
      expect(error).toMatchObject({ code, field });
      expect(error.message).toContain(`at position ${position}`);
      const { destinations } = await admin<{ destinations: unknown[] }>(
        "GET",
        `/spaces/${spaceId}/destinations`,
      );
      expect(destinations).toEqual([]);
    },
  );
});
