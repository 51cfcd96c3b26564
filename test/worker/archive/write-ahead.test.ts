// The archive's write-ahead index inside workerd, with the real D1 and R2: a D1 failure after the
// R2 put leaves an intent row that points at the object; a retry that regroups the chunks archives
// them under new keys, and the hourly sweep (with a controlled clock) removes the orphan and
// nothing else; a normal run leaves no unfinished row; archive reads never show one. Storage is
// shared by the tests of this file, so each works on its own source and counts only its own rows.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { storeChunks } from "../../../worker/pipeline/ingest-consumer.ts";
import { ArchiveKeyClaimedError } from "../../../worker/archive/write-ahead.ts";
import { ORPHAN_AGE_MS } from "../../../worker/governance/retention/orphan-age.ts";
import { sweepOrphans } from "../../../worker/governance/retention/orphan-sweep.ts";
import { purgeExpired } from "../../../worker/governance/retention/purge.ts";
import { ADMIN, call, newSource, storedCount, storedEventually, track } from "../support.ts";
import {
  chunkIndex,
  chunkOf,
  envWithFailingBatch,
  objectRows,
  objectText,
} from "./archive-fixtures.ts";

const MINUTE = 60_000;

/** Rows of any source that a sweep at `now` takes: unfinished and past the orphan age, or claimed. */
async function sweepable(now: number): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT COUNT(*) AS n FROM archive_objects
     WHERE state = 'orphan' OR (state = 'writing' AND written_at < ?)`,
  )
    .bind(now - ORPHAN_AGE_MS)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("write-ahead archive index", () => {
  it("leaves an intent row pointing at the object when D1 fails after the R2 put", async () => {
    const s = await newSource();
    const a = await chunkOf(s, "a", ["ann", "bob"]);
    const b = await chunkOf(s, "b", ["cy"]);
    const t0 = Date.now();

    await expect(storeChunks(envWithFailingBatch(), [a, b], t0)).rejects.toThrow(
      "injected D1 batch failure",
    );

    const rows = await objectRows(s.sourceId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: "writing", written_at: t0, event_count: 3 });
    const text = await objectText(rows[0]!.key);
    expect(text).not.toBeNull();
    for (const id of [`${a.chunkId}-m0`, `${a.chunkId}-m1`, `${b.chunkId}-m0`])
      expect(text).toContain(id);
    expect(new TextEncoder().encode(text!).byteLength).toBe(rows[0]!.bytes);
    // The failed batch wrote nothing else: the chunks still count as not archived.
    expect(await chunkIndex(s.sourceId)).toEqual({});
    expect(await storedCount(s.sourceId)).toBe(0);
  });

  it("archives a regrouped retry under new keys; the sweep deletes only the orphan", async () => {
    const s = await newSource();
    const a = await chunkOf(s, "a", ["ann", "bob"]);
    const b = await chunkOf(s, "b", ["cy"]);
    const t0 = Date.now();
    await expect(storeChunks(envWithFailingBatch(), [a, b], t0)).rejects.toThrow();
    const [orphan] = await objectRows(s.sourceId);

    // The Queue redelivers the two messages in different batches.
    await storeChunks(env, [a], t0 + MINUTE);
    await storeChunks(env, [b], t0 + 2 * MINUTE);
    const rows = await objectRows(s.sourceId);
    expect(rows.map((r) => r.state)).toEqual(["writing", "stored", "stored"]);
    expect(rows[0]!.key).toBe(orphan!.key);
    const [, forA, forB] = rows.map((r) => r.key);
    expect(new Set([orphan!.key, forA, forB]).size).toBe(3);
    const index = { [a.chunkId]: forA, [b.chunkId]: forB };
    expect(await chunkIndex(s.sourceId)).toEqual(index);
    expect(await storedCount(s.sourceId)).toBe(3);

    // Younger than the orphan age: a retry could still be running, so the sweep leaves it.
    await sweepOrphans(env, t0 + 59 * MINUTE);
    expect((await objectRows(s.sourceId)).map((r) => r.state)).toEqual([
      "writing",
      "stored",
      "stored",
    ]);
    expect(await objectText(orphan!.key)).not.toBeNull();

    // The hourly cron's purge, an hour and a bit later, deletes and counts the orphan.
    const at = t0 + 61 * MINUTE;
    const expected = await sweepable(at);
    expect(expected).toBeGreaterThanOrEqual(1);
    const report = await purgeExpired(env, at);
    expect(report).toMatchObject({ orphans: expected, objects: 0, events: 0 });
    expect(await sweepable(at)).toBe(0);
    expect(await objectText(orphan!.key)).toBeNull();
    expect((await objectRows(s.sourceId)).map((r) => [r.key, r.state])).toEqual([
      [forA, "stored"],
      [forB, "stored"],
    ]);
    expect(await objectText(forA!)).toContain(`${a.chunkId}-m1`);
    expect(await objectText(forB!)).toContain(`${b.chunkId}-m0`);
    expect(await chunkIndex(s.sourceId)).toEqual(index);
    expect(await storedCount(s.sourceId)).toBe(3);
  });

  it("lets a retry of the same grouping refresh its intent, so the sweep counts from it", async () => {
    const s = await newSource();
    const chunks = [await chunkOf(s, "a", ["ann"]), await chunkOf(s, "b", ["bob"])];
    const t0 = Date.now();
    await expect(storeChunks(envWithFailingBatch(), chunks, t0)).rejects.toThrow();
    await expect(storeChunks(envWithFailingBatch(), chunks, t0 + 50 * MINUTE)).rejects.toThrow();
    const [row] = await objectRows(s.sourceId);
    expect(row).toMatchObject({ state: "writing", written_at: t0 + 50 * MINUTE });

    await sweepOrphans(env, t0 + 70 * MINUTE);
    expect(await objectRows(s.sourceId)).toMatchObject([{ key: row!.key, state: "writing" }]);
    await storeChunks(env, chunks, t0 + 71 * MINUTE);
    expect(await objectRows(s.sourceId)).toMatchObject([{ key: row!.key, state: "stored" }]);
    await sweepOrphans(env, t0 + 300 * MINUTE);
    expect(await objectRows(s.sourceId)).toMatchObject([{ key: row!.key, state: "stored" }]);
    expect(await objectText(row!.key)).not.toBeNull();
  });

  it("refuses to put a key the sweep has claimed, and archives it again once swept", async () => {
    const s = await newSource();
    const chunks = [await chunkOf(s, "a", ["ann"])];
    const t0 = Date.now();
    await expect(storeChunks(envWithFailingBatch(), chunks, t0)).rejects.toThrow();
    const [row] = await objectRows(s.sourceId);
    // A sweep stopped between its claim and its deletes leaves the row in this state.
    await env.DB.prepare("UPDATE archive_objects SET state = 'orphan' WHERE key = ?")
      .bind(row!.key)
      .run();

    await expect(storeChunks(env, chunks, t0 + MINUTE)).rejects.toThrow(ArchiveKeyClaimedError);
    expect(await chunkIndex(s.sourceId)).toEqual({});

    // The next sweep finishes claimed rows whatever their age; then the retry goes through.
    await sweepOrphans(env, t0 + 2 * MINUTE);
    expect(await objectRows(s.sourceId)).toEqual([]);
    expect(await objectText(row!.key)).toBeNull();
    await storeChunks(env, chunks, t0 + 3 * MINUTE);
    expect(await objectRows(s.sourceId)).toMatchObject([{ key: row!.key, state: "stored" }]);
    expect(await objectText(row!.key)).toContain(`${chunks[0]!.chunkId}-m0`);
    expect(await chunkIndex(s.sourceId)).toEqual({ [chunks[0]!.chunkId]: row!.key });
  });

  it("leaves no unfinished row after a normal run, direct or through the Queue", async () => {
    const s = await newSource();
    const t0 = Date.now();
    await storeChunks(env, [await chunkOf(s, "a", ["ann"]), await chunkOf(s, "b", ["bob"])], t0);
    const direct = await objectRows(s.sourceId);
    expect(direct).toHaveLength(1);
    expect(direct[0]).toMatchObject({ state: "stored", written_at: t0, event_count: 2 });
    expect(await objectText(direct[0]!.key)).toContain(`${s.sourceId}-b-m0`);

    const q = await newSource();
    const res = await track(q.writeKey, "/v1/batch", {
      batch: Array.from({ length: 4 }, (_, i) => ({ type: "track", event: "E", userId: `u${i}` })),
    });
    expect(res.status).toBe(200);
    await storedEventually(q.sourceId, 4);
    const rows = await objectRows(q.sourceId);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.state).toBe("stored");
      expect(row.written_at).toEqual(expect.any(Number));
    }
  });

  it("never lists or serves an object that is still being written", async () => {
    const s = await newSource();
    const receivedAt = "2026-03-04T05:06:07.000Z";
    const a = await chunkOf(s, "a", ["ann"], receivedAt);
    const b = await chunkOf(s, "b", ["bob"], receivedAt);
    await expect(storeChunks(envWithFailingBatch(), [a, b])).rejects.toThrow();
    const [orphan] = await objectRows(s.sourceId);
    await storeChunks(env, [a]);
    const stored = (await objectRows(s.sourceId)).find((r) => r.state === "stored")!;
    // Both objects are in R2; only the indexed one is the archive.
    const inR2 = await env.ARCHIVE.list({ prefix: `source=${s.sourceId}/` });
    expect(inR2.objects.map((o) => o.key).sort()).toEqual([orphan!.key, stored.key].sort());

    for (const query of ["date=2026-03-04", "date=2026-03-04&hour=05"]) {
      const res = await call(`/admin/v1/sources/${s.sourceId}/archive?${query}`, {
        headers: ADMIN,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ objects: [{ key: stored.key, size: stored.bytes }] });
    }
    const otherHour = await call(
      `/admin/v1/sources/${s.sourceId}/archive?date=2026-03-04&hour=06`,
      { headers: ADMIN },
    );
    expect(await otherHour.json()).toEqual({ objects: [] });

    const read = (key: string) =>
      call(`/admin/v1/archive/object?key=${encodeURIComponent(key)}`, { headers: ADMIN });
    const hidden = await read(orphan!.key);
    expect(hidden.status).toBe(404);
    await hidden.body?.cancel();
    const shown = await read(stored.key);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain(`${a.chunkId}-m0`);
  });
});
