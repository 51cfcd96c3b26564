// The hourly cron moves finished hours' token filters from D1 to one R2 object per source and
// hour (worker/archive/filter-compaction.ts); every reader still finds what it looks for.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildTokenFilter, hourIndexKey, TokenFilter } from "../../../worker/archive/index.ts";
import { compactFilters } from "../../../worker/archive/filter-compaction.ts";
import { purgeExpired } from "../../../worker/governance/retention/purge.ts";
import { rewriteSubjectObjects } from "../../../worker/governance/regulations/erasure/r2.ts";
import { subjectsOnly } from "../../../worker/governance/regulations/subjects.ts";
import { admin, newSource, storedEventually, track } from "../support.ts";

const HOUR = 3_600_000;

async function rows(sourceId: string) {
  const { results } = await env.DB.prepare(
    "SELECT key, tokens, tokens_compacted FROM archive_objects WHERE source_id = ? ORDER BY key",
  )
    .bind(sourceId)
    .all<{ key: string; tokens: string | null; tokens_compacted: number }>();
  return results;
}

describe("token filter compaction", () => {
  it("moves finished hours' filters to R2, clears them in D1, and readers still use them", async () => {
    const s = await newSource();
    for (const [messageId, userId] of [
      ["c-1", "ann"],
      ["c-2", "bob"],
    ]) {
      await track(s.writeKey, "/v1/track", { userId, event: "E", messageId });
      await storedEventually(s.sourceId, messageId === "c-1" ? 1 : 2);
    }
    const before = await rows(s.sourceId);
    expect(before).toHaveLength(2);
    expect(before.every((r) => r.tokens !== null && r.tokens_compacted === 0)).toBe(true);

    // Not yet: the hour is not over.
    expect(await compactFilters(env, Date.now())).toBe(0);
    const moved = await compactFilters(env, Date.now() + 4 * HOUR);
    expect(moved).toBeGreaterThanOrEqual(2);
    const after = await rows(s.sourceId);
    expect(after.every((r) => r.tokens === null && r.tokens_compacted === 1)).toBe(true);

    // The hour's index object holds exactly the filters D1 held.
    const index = await env.ARCHIVE.get(hourIndexKey(before[0]!.key));
    const filters = JSON.parse(await index!.text()) as Record<string, string>;
    for (const row of before) expect(filters[row.key]).toBe(row.tokens);
    const ann = before.find((r) => new TokenFilter(r.tokens).mayHold("c-1"))!;
    expect(new TokenFilter(filters[ann.key]!).mayHold("ann")).toBe(true);

    // Readers: the per-user list, lineage.
    const odd = await admin<{ events: { messageId: string }[] }>(
      "GET",
      `/sources/${s.sourceId}/events?userId=bob`,
    );
    expect(odd.events.map((e) => e.messageId)).toEqual(["c-2"]);
    const lineage = await admin<{ lineage: { messageId: string } }>(
      "GET",
      `/sources/${s.sourceId}/events/c-1/lineage`,
    );
    expect(lineage.lineage.messageId).toBe("c-1");

    // A filter rebuilt in D1 since (a deletion request rewrote the object) wins for readers and
    // replaces the old entry at the next run.
    const rebuilt = buildTokenFilter(["c-1", "someone-else"]);
    await env.DB.prepare("UPDATE archive_objects SET tokens = ? WHERE key = ?")
      .bind(rebuilt, ann.key)
      .run();
    const list = await admin<{ events: { messageId: string }[] }>(
      "GET",
      `/sources/${s.sourceId}/events?userId=ann`,
    );
    // The rebuilt filter rules "ann" out, so her object is not read at all.
    expect(list.events).toEqual([]);
    expect(await compactFilters(env, Date.now() + 4 * HOUR)).toBeGreaterThanOrEqual(1);
    const again = JSON.parse(
      await (await env.ARCHIVE.get(hourIndexKey(ann.key)))!.text(),
    ) as Record<string, string>;
    expect(again[ann.key]).toBe(rebuilt);
    expect((await rows(s.sourceId)).every((r) => r.tokens === null)).toBe(true);
  });

  it("runs in the hourly cron, and retention removes a finished hour's index with its objects", async () => {
    const s = await newSource({ retentionDays: 1 });
    await track(s.writeKey, "/v1/track", { userId: "dee", event: "E", messageId: "r-1" });
    await storedEventually(s.sourceId, 1);
    const [row] = await rows(s.sourceId);
    const report = await purgeExpired(env, Date.now() + 4 * HOUR);
    expect(report.filters).toBeGreaterThanOrEqual(1);
    expect(await env.ARCHIVE.head(hourIndexKey(row!.key))).not.toBeNull();
    await purgeExpired(env, Date.now() + 3 * 24 * HOUR);
    expect(await rows(s.sourceId)).toEqual([]);
    expect(await env.ARCHIVE.head(hourIndexKey(row!.key))).toBeNull();
  });

  it("lets a deletion request find a compacted object through its hour's index, and rebuild its filter in D1", async () => {
    const s = await newSource();
    await track(s.writeKey, "/v1/batch", {
      batch: [
        { type: "track", userId: "gone", event: "E", messageId: "g-1" },
        { type: "track", userId: "stays", event: "E", messageId: "g-2" },
      ],
    });
    await storedEventually(s.sourceId, 2);
    await compactFilters(env, Date.now() + 4 * HOUR);
    const [row] = await rows(s.sourceId);
    expect(row).toMatchObject({ tokens: null, tokens_compacted: 1 });
    const changed = await rewriteSubjectObjects(env, s.spaceId, subjectsOnly("USER_ID", ["gone"]));
    expect(changed).toBe(1);
    const [after] = await rows(s.sourceId);
    expect(after!.tokens).not.toBeNull();
    const filter = new TokenFilter(after!.tokens);
    expect(filter.mayHold("stays")).toBe(true);
    expect(filter.mayHold("gone")).toBe(false);
    const text = await (await env.ARCHIVE.get(after!.key))!.text();
    expect(text).toContain('"g-2"');
    expect(text).not.toContain('"gone"');
    // An object no filter says holds the subject is not even read: nothing changes the second time.
    expect(await rewriteSubjectObjects(env, s.spaceId, subjectsOnly("USER_ID", ["gone"]))).toBe(0);
  });

  it("treats a lost index object as 'may hold anything': nothing is missed", async () => {
    const s = await newSource();
    await track(s.writeKey, "/v1/track", { userId: "cat", event: "E", messageId: "l-1" });
    await storedEventually(s.sourceId, 1);
    await compactFilters(env, Date.now() + 4 * HOUR);
    const [row] = await rows(s.sourceId);
    await env.ARCHIVE.delete(hourIndexKey(row!.key));
    const found = await admin<{ events: { messageId: string }[] }>(
      "GET",
      `/sources/${s.sourceId}/events?userId=cat`,
    );
    expect(found.events.map((e) => e.messageId)).toEqual(["l-1"]);
  });
});
