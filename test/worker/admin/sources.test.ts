import { describe, expect, it } from "vitest";
import { ADMIN, admin, call, newSource, storedEventually, track } from "../support.ts";

async function errorOf(res: Response): Promise<{ code: string; field?: string }> {
  return (await res.json<{ error: { code: string; field?: string } }>()).error;
}

describe("admin API", () => {
  it("refuses requests without a valid admin token", async () => {
    const none = await call("/admin/v1/spaces");
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe("missing_token");
    const wrong = await call("/admin/v1/spaces", {
      headers: { authorization: "Bearer not-the-token" },
    });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe("invalid_token");
  });

  it("creates, lists, reads, changes and disables sources; shows write keys only once", async () => {
    const { space } = await admin<{ space: { id: string } }>("POST", "/spaces", { name: "Hotel" });
    const created = await admin<{ source: Record<string, unknown>; writeKey: string }>(
      "POST",
      `/spaces/${space.id}/sources`,
      { name: "Website", retentionDays: 30, rateLimit: { eventsPerSecond: 50, burst: 100 } },
    );
    expect(created.writeKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(created.source).toMatchObject({
      spaceId: space.id,
      name: "Website",
      enabled: true,
      retentionDays: 30,
      rateLimit: { eventsPerSecond: 50, burst: 100 },
      writeKeyHint: `…${created.writeKey.slice(-4)}`,
    });
    expect(JSON.stringify(created.source)).not.toContain(created.writeKey);
    const id = created.source.id as string;
    const listed = await admin<{ sources: { id: string }[] }>("GET", `/spaces/${space.id}/sources`);
    expect(listed.sources.map((s) => s.id)).toEqual([id]);
    const patched = await admin<{ source: { name: string } }>("PATCH", `/sources/${id}`, {
      name: "Web",
    });
    expect(patched.source.name).toBe("Web");
    const read = await admin<{ source: { name: string } }>("GET", `/sources/${id}`);
    expect(read.source.name).toBe("Web");
  });

  it("validates admin input with the field at fault", async () => {
    const { space } = await admin<{ space: { id: string } }>("POST", "/spaces", { name: "S" });
    const cases: [string, string, unknown, number, string, string?][] = [
      ["POST", "/admin/v1/spaces", { name: "" }, 400, "invalid_request", "name"],
      ["POST", "/admin/v1/spaces", { name: "x", extra: 1 }, 400, "invalid_request", ""],
      [
        "POST",
        `/admin/v1/spaces/${space.id}/sources`,
        { name: "s", retentionDays: 0 },
        400,
        "invalid_request",
        "retentionDays",
      ],
      [
        "POST",
        `/admin/v1/spaces/${space.id}/sources`,
        { name: "s", rateLimit: { eventsPerSecond: -1, burst: 1 } },
        400,
        "invalid_request",
        "rateLimit.eventsPerSecond",
      ],
      ["POST", "/admin/v1/spaces/spa_missing/sources", { name: "s" }, 404, "space_not_found"],
      ["GET", "/admin/v1/sources/src_missing", undefined, 404, "source_not_found"],
      ["PATCH", "/admin/v1/sources/src_missing", { name: "x" }, 404, "source_not_found"],
    ];
    for (const [method, path, body, status, code, field] of cases) {
      const res = await call(path, {
        method,
        headers: { ...ADMIN, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}`).toBe(status);
      const error = await errorOf(res);
      expect(error.code).toBe(code);
      if (field !== undefined) expect(error.field).toBe(field);
    }
    const broken = await call("/admin/v1/spaces", { method: "POST", headers: ADMIN, body: "{" });
    expect((await errorOf(broken)).code).toBe("invalid_json");
  });

  it("reads stored events back with filters and cursor pagination", async () => {
    const s = await newSource();
    await track(s.writeKey, "/v1/batch", {
      batch: Array.from({ length: 7 }, (_, i) => ({
        type: "track",
        event: "E",
        userId: i % 2 === 0 ? "even" : "odd",
        messageId: `p-${i}`,
      })),
    });
    await storedEventually(s.sourceId, 7);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await admin<{ events: { messageId: string }[]; next: string | null }>(
        "GET",
        `/sources/${s.sourceId}/events?limit=3${query}`,
      );
      seen.push(...res.events.map((e) => e.messageId));
      cursor = res.next;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `p-${i}`));
    const odd = await admin<{ events: { userId: string }[] }>(
      "GET",
      `/sources/${s.sourceId}/events?userId=odd`,
    );
    expect(odd.events).toHaveLength(3);
    expect(odd.events.every((e) => e.userId === "odd")).toBe(true);
    const bad = await call(`/admin/v1/sources/${s.sourceId}/events?cursor=zzz`, { headers: ADMIN });
    expect((await errorOf(bad)).code).toBe("invalid_cursor");
  });

  it("lists and serves archive objects", async () => {
    const s = await newSource();
    await track(s.writeKey, "/v1/track", { userId: "u", event: "Archived", messageId: "arc-1" });
    await storedEventually(s.sourceId, 1);
    const date = new Date().toISOString().slice(0, 10);
    const { objects } = await admin<{ objects: { key: string; size: number }[] }>(
      "GET",
      `/sources/${s.sourceId}/archive?date=${date}`,
    );
    expect(objects).toHaveLength(1);
    const res = await call(`/admin/v1/archive/object?key=${encodeURIComponent(objects[0]!.key)}`, {
      headers: ADMIN,
    });
    expect(
      (await res.text())
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { messageId: string })[0]?.messageId,
    ).toBe("arc-1");
    const badDate = await call(`/admin/v1/sources/${s.sourceId}/archive?date=today`, {
      headers: ADMIN,
    });
    expect((await errorOf(badDate)).code).toBe("invalid_date");
  });
});
