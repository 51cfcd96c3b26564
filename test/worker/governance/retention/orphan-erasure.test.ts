// Deletion requests and retention reach archive objects that are still `writing` (orphans of a
// failed consumer batch, or writes in flight): they hold events the chunk index does not know of
// until the sweep removes them. A deletion request reads them by content and waits (its step
// fails retryably) until the sweep has removed them, never writing them itself (the races are in
// erasure-sweep-race.test.ts); retention takes them by receipt time like any other object.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { storeChunks } from "../../../../worker/pipeline/ingest-consumer.ts";
import { ORPHAN_AGE_MS } from "../../../../worker/governance/retention/orphan-age.ts";
import { sweepOrphans } from "../../../../worker/governance/retention/orphan-sweep.ts";
import { purgeExpired } from "../../../../worker/governance/retention/purge.ts";
import {
  chunkOf,
  envWithFailingBatch,
  objectRows,
  objectText,
} from "../../archive/archive-fixtures.ts";
import { as, issueToken, newSource } from "../../admin/admin-fixtures.ts";
import { retryRegulationsNow } from "../regulations/regulation-alarms.ts";
import { searchR2 } from "../regulations/storage-search.ts";
import { eventually, storedEventually, track } from "../../support.ts";

const DAY = 86_400_000;

interface Regulation {
  status: string;
  steps: { kind: string; status: string; count?: number; error?: string }[];
}

describe("unfinished archive objects", () => {
  it("hold a deletion request until the sweep removes them, and are never rewritten", async () => {
    const s = await newSource();
    const res = await track(s.writeKey, "/v1/batch", {
      batch: [
        { type: "track", messageId: "ok-del", userId: "del-user", event: "Order Completed" },
        { type: "track", messageId: "ok-keep", userId: "keep-user", event: "Order Completed" },
      ],
    });
    expect(res.status).toBe(200);
    await storedEventually(s.sourceId, 2);
    // Two orphans: one mixed, one with only the subject's events. No event or chunk row names
    // them, so the token filters of stored objects cannot lead the deletion to them.
    const failing = envWithFailingBatch();
    await expect(
      storeChunks(failing, [await chunkOf(s, "mixed", ["del-user", "keep-user"])]),
    ).rejects.toThrow();
    await expect(storeChunks(failing, [await chunkOf(s, "only", ["del-user"])])).rejects.toThrow();
    const before = await objectRows(s.sourceId);
    expect(before.map((r) => r.state).sort()).toEqual(["stored", "writing", "writing"]);
    const prefix = `source=${s.sourceId}/`;
    expect(await searchR2(prefix, ["del-user"])).toHaveLength(3);

    const token = await issueToken(s.spaceId, "Admin");
    const created = await as(token.token, "POST", "/v1/regulations", {
      regulationType: "SUPPRESS_WITH_DELETE_INTERNAL",
      subjectType: "USER_ID",
      subjectIds: ["del-user"],
    });
    expect(created.status).toBe(201);
    const id = (created.json.data as { regulateId: string }).regulateId;
    const regulation = async () =>
      (await as(token.token, "GET", `/v1/regulations/${id}`)).json.regulation as Regulation;
    const rewrite = (r: Regulation) => r.steps.find((step) => step.kind === "rewrite_r2_objects");
    const waiting = await eventually(async () => {
      const r = await regulation();
      return rewrite(r)?.status === "failed" ? r : undefined;
    });
    expect(waiting.status).toBe("RUNNING");
    expect(rewrite(waiting)?.error).toMatch(
      /^UnfinishedArchiveObjectsError: 2 unfinished archive object\(s\) hold/,
    );
    // The orphans are as the failed batch left them, rows and objects.
    expect((await objectRows(s.sourceId)).map((r) => r.state).sort()).toEqual(
      before.map((r) => r.state).sort(),
    );
    for (const row of before.filter((r) => r.state === "writing"))
      expect(await objectText(row.key)).toContain("del-user");

    // The hourly sweep, past the orphan age, removes both; the step's next attempt finishes.
    expect(await sweepOrphans(env, Date.now() + ORPHAN_AGE_MS + 60_000)).toBeGreaterThanOrEqual(2);
    await retryRegulationsNow(s.spaceId, id);
    const finished = await eventually(async () => {
      const r = await regulation();
      return r.status === "FINISHED" ? r : undefined;
    });
    expect(rewrite(finished)?.count).toBe(1);

    expect(await searchR2(prefix, ["del-user"])).toEqual([]);
    // The mixed orphan's other line went with it: in production the Queue's retry of that
    // failed batch archives it again, under a key the index knows.
    expect(await searchR2(prefix, ["keep-user"])).toHaveLength(1);
    const [stored, ...rest] = await objectRows(s.sourceId);
    expect(rest).toEqual([]);
    expect(stored).toMatchObject({ state: "stored", event_count: 1 });
    const text = await objectText(stored!.key);
    expect(text).toContain("keep-user");
    expect(stored!.bytes).toBe(new TextEncoder().encode(text!).byteLength);
  });

  it("are removed by retention when their events are past it, before the sweep would", async () => {
    const s = await newSource({ retentionDays: 7 });
    const t0 = Date.now();
    const chunk = await chunkOf(s, "late", ["ann"], new Date(t0).toISOString());
    // Received eight days ago, written now (a Queue backlog), and its D1 batch failed.
    await expect(storeChunks(envWithFailingBatch(), [chunk], t0 + 8 * DAY)).rejects.toThrow();
    const [row] = await objectRows(s.sourceId);
    expect(row).toMatchObject({ state: "writing", written_at: t0 + 8 * DAY });

    // Minutes after the intent: too young for the sweep, past the source's retention.
    const report = await purgeExpired(env, t0 + 8 * DAY + 5 * 60_000);
    expect(report.objects).toBeGreaterThanOrEqual(1);
    expect(await objectRows(s.sourceId)).toEqual([]);
    expect(await objectText(row!.key)).toBeNull();
  });
});
