// Events have no D1 row (issue 14): the event list, lineage and the per-user filter read the R2
// archive through its object index and the objects' token filters.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TokenFilter } from "../../../worker/archive/index.ts";
import { ADMIN, admin, call, newSource, storedEventually, track } from "../support.ts";

type Page = { events: { messageId: string; userId?: string }[]; next: string | null };

async function allPages(sourceId: string, query: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const at: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await admin<Page>("GET", `/sources/${sourceId}/events?limit=${limit}${query}${at}`);
    expect(res.events.length).toBeLessThanOrEqual(limit);
    seen.push(...res.events.map((e) => e.messageId));
    cursor = res.next;
    if (!cursor) return seen;
  }
  throw new Error("the cursor never ended");
}

/** Sends `n` single calls one after another: each lands in its own consumer batch and object. */
async function separateObjects(writeKey: string, sourceId: string, ids: [string, string][]) {
  for (const [i, [messageId, userId]] of ids.entries()) {
    await track(writeKey, "/v1/track", { userId, event: "E", messageId });
    await storedEventually(sourceId, i + 1);
  }
}

describe("stored events from the archive", () => {
  it("writes no D1 row per event or chunk: one object row for a batch of 100", async () => {
    const s = await newSource();
    const batch = Array.from({ length: 100 }, (_, i) => ({
      type: "track",
      event: "E",
      userId: `u-${i}`,
      messageId: `b-${i}`,
    }));
    expect((await track(s.writeKey, "/v1/batch", { batch })).status).toBe(200);
    await storedEventually(s.sourceId, 100);
    const rows = await env.DB.prepare(
      `SELECT (SELECT COUNT(*) FROM archive_objects WHERE source_id = ?1) AS objects,
              (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'
                 AND name IN ('events', 'archive_chunks')) AS perEventTables`,
    )
      .bind(s.sourceId)
      .first<{ objects: number; perEventTables: number }>();
    expect(rows).toEqual({ objects: 1, perEventTables: 0 });
    // The object's filter holds its events' ids; it rules out ids it does not hold.
    const { tokens } = (await env.DB.prepare(
      "SELECT tokens FROM archive_objects WHERE source_id = ?",
    )
      .bind(s.sourceId)
      .first<{ tokens: string }>())!;
    const filter = new TokenFilter(tokens);
    for (let i = 0; i < 100; i++) {
      expect(filter.mayHold(`u-${i}`)).toBe(true);
      expect(filter.mayHold(`b-${i}`)).toBe(true);
    }
    const strangers = Array.from({ length: 200 }, (_, i) => `stranger-${i}`);
    expect(strangers.filter((t) => filter.mayHold(t)).length).toBeLessThan(10);
  });

  it("pages across objects newest first, each event once, with filters", async () => {
    const s = await newSource();
    const ids: [string, string][] = Array.from({ length: 5 }, (_, i) => [
      `o-${i}`,
      i % 2 === 0 ? "even" : "odd",
    ]);
    await separateObjects(s.writeKey, s.sourceId, ids);
    const objects = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM archive_objects WHERE source_id = ?",
    )
      .bind(s.sourceId)
      .first<{ n: number }>();
    expect(objects?.n).toBe(5);
    const all = await allPages(s.sourceId, "", 2);
    expect(all).toEqual(["o-4", "o-3", "o-2", "o-1", "o-0"]);
    expect(await allPages(s.sourceId, "&userId=odd", 1)).toEqual(["o-3", "o-1"]);
    expect(await allPages(s.sourceId, "&userId=nobody", 10)).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await allPages(s.sourceId, `&since=${future}`, 10)).toEqual([]);
    expect(await allPages(s.sourceId, `&until=${future}`, 10)).toHaveLength(5);
  });

  it("refuses a cursor that names another source's object, and reads nothing of it", async () => {
    const mine = await newSource();
    const theirs = await newSource();
    await track(theirs.writeKey, "/v1/track", { userId: "secret", event: "E", messageId: "t-1" });
    await storedEventually(theirs.sourceId, 1);
    const { key, received_at } = (await env.DB.prepare(
      "SELECT key, received_at FROM archive_objects WHERE source_id = ?",
    )
      .bind(theirs.sourceId)
      .first<{ key: string; received_at: number }>())!;
    const forged = btoa(JSON.stringify([received_at, key, null]));
    const res = await call(
      `/admin/v1/sources/${mine.sourceId}/events?cursor=${encodeURIComponent(forged)}`,
      { headers: ADMIN },
    );
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string; field: string } }>();
    expect(body.error).toMatchObject({ code: "invalid_cursor", field: "cursor" });
    expect(JSON.stringify(body)).not.toContain("secret");
    for (const bad of [[1, "k", -1], [1, 2, null], ["x", "k", 0], { a: 1 }]) {
      const cursor = encodeURIComponent(btoa(JSON.stringify(bad)));
      const answer = await call(`/admin/v1/sources/${mine.sourceId}/events?cursor=${cursor}`, {
        headers: ADMIN,
      });
      expect(answer.status).toBe(400);
    }
  });

  it("finds an event's lineage in the archive, and answers 404 for one it does not hold", async () => {
    const s = await newSource();
    await separateObjects(s.writeKey, s.sourceId, [
      ["l-0", "a"],
      ["l-1", "b"],
      ["l-2", "c"],
    ]);
    const found = await admin<{ lineage: { messageId: string; receivedAt: string } }>(
      "GET",
      `/sources/${s.sourceId}/events/l-0/lineage`,
    );
    expect(found.lineage.messageId).toBe("l-0");
    expect(Number.isNaN(Date.parse(found.lineage.receivedAt))).toBe(false);
    const missing = await call(`/admin/v1/sources/${s.sourceId}/events/nope/lineage`, {
      headers: ADMIN,
    });
    expect(missing.status).toBe(404);
    expect((await missing.json<{ error: { code: string } }>()).error.code).toBe("event_not_found");
  });
});
