// Retention with a controlled clock: the cron handler's scheduled time is "now".
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  admin,
  archivedObjects,
  newSource,
  storedCount,
  storedEventually,
  track,
} from "../../support.ts";
import { DAY, runCron } from "./cron.ts";

describe("retention purge", () => {
  it("removes events and archive objects past each source's retention, and nothing else", async () => {
    const short = await newSource({ retentionDays: 7 });
    const long = await newSource();
    for (const s of [short, long]) {
      const res = await track(s.writeKey, "/v1/batch", {
        batch: Array.from({ length: 5 }, (_, i) => ({
          type: "track",
          event: "E",
          userId: `u${i}`,
        })),
      });
      expect(res.status).toBe(200);
      await storedEventually(s.sourceId, 5);
    }
    expect(await archivedObjects(short.sourceId)).toHaveLength(1);

    await runCron(Date.now() + 6 * DAY);
    expect(await storedCount(short.sourceId)).toBe(5);

    await runCron(Date.now() + 8 * DAY);
    expect(await storedCount(short.sourceId)).toBe(0);
    expect(await archivedObjects(short.sourceId)).toEqual([]);
    const objects = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM archive_objects WHERE source_id = ?",
    )
      .bind(short.sourceId)
      .first<{ n: number }>();
    expect(objects?.n).toBe(0);
    // The default 90-day source keeps everything at day 8, and loses it after day 90.
    expect(await storedCount(long.sourceId)).toBe(5);
    expect(await archivedObjects(long.sourceId)).toHaveLength(1);
    await runCron(Date.now() + 91 * DAY);
    expect(await storedCount(long.sourceId)).toBe(0);
    expect(await archivedObjects(long.sourceId)).toEqual([]);
  });

  it("follows a retention change made through the admin API", async () => {
    const s = await newSource();
    await track(s.writeKey, "/v1/track", { userId: "u", event: "E" });
    await storedEventually(s.sourceId, 1);
    await admin("PATCH", `/sources/${s.sourceId}`, { retentionDays: 1 });
    await runCron(Date.now() + 2 * DAY);
    expect(await storedCount(s.sourceId)).toBe(0);
  });
});
