// Deletion requests and retention reach archive objects that are still `writing` (orphans of a
// failed consumer batch, or writes in flight): they hold events the chunk index does not know of
// until the sweep removes them, so a deletion request reads them by content and retention takes
// them by receipt time like any other object.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { storeChunks } from "../../../worker/archive/consumer.ts";
import { purgeExpired } from "../../../worker/retention/purge.ts";
import {
  chunkOf,
  envWithFailingBatch,
  objectRows,
  objectText,
} from "../archive/archive-fixtures.ts";
import { as, issueToken, newSource } from "../governance/admin-fixtures.ts";
import { searchR2 } from "../governance/storage-search.ts";
import { eventually, storedEventually, track } from "../support.ts";

const DAY = 86_400_000;

describe("unfinished archive objects", () => {
  it("are rewritten by a deletion request that covers their events", async () => {
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
    // them, so the subject's D1 events cannot lead the deletion to them.
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
    const finished = await eventually(async () => {
      const got = await as(token.token, "GET", `/v1/regulations/${id}`);
      const regulation = got.json.regulation as {
        status: string;
        steps: { kind: string; count?: number }[];
      };
      return regulation.status === "FINISHED" ? regulation : undefined;
    }, 20_000);
    expect(finished.steps.find((step) => step.kind === "rewrite_r2_objects")?.count).toBe(3);

    expect(await searchR2(prefix, ["del-user"])).toEqual([]);
    expect(await searchR2(prefix, ["keep-user"])).toHaveLength(2);
    const after = await objectRows(s.sourceId);
    // The subject-only orphan is gone with its row; the mixed one keeps its other line, still
    // `writing` (the sweep removes it later) and with counts that match the rewritten object.
    expect(after.map((r) => r.state).sort()).toEqual(["stored", "writing"]);
    const mixed = after.find((r) => r.state === "writing")!;
    const text = await objectText(mixed.key);
    expect(text).toContain("keep-user");
    expect(mixed.event_count).toBe(1);
    expect(mixed.bytes).toBe(new TextEncoder().encode(text!).byteLength);
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
