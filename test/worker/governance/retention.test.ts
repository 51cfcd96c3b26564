// Per-space and per-source retention with a controlled clock (the cron's scheduled time): D1,
// the R2 archive and the profiles' event history lose what is past retention and keep the rest;
// consent events stay as proof of consent.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../worker/index.ts";
import { effectiveRetentionDays } from "../../../worker/retention/purge.ts";
import {
  admin,
  archivedObjects,
  call,
  ADMIN,
  eventually,
  newSource,
  storedCount,
  storedEventually,
  track,
} from "../support.ts";
import { profileStub } from "../../../worker/profiles/profile-name.ts";

const DAY = 86_400_000;

async function runCron(at: number): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "17 * * * *" }), env);
}

async function historyOf(spaceId: string, userId: string): Promise<string[]> {
  const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
  const id = await eventually(
    async () =>
      (await graph.partition()).find((p) => p.key === `users/user_id:${userId}`)?.profileId,
  );
  return (
    JSON.parse(await profileStub(env, spaceId, id).exportProfile()) as {
      events: string[];
    }
  ).events;
}

describe("effectiveRetentionDays", () => {
  it("caps a source's retention by its space's, when the space sets one", () => {
    expect(effectiveRetentionDays(90, null)).toBe(90);
    expect(effectiveRetentionDays(30, 10)).toBe(10);
    expect(effectiveRetentionDays(5, 10)).toBe(5);
  });
});

describe("space retention", () => {
  it("removes D1 rows, archive objects and profile history past the space's retention", async () => {
    const web = await newSource();
    const { source } = await admin<{ source: { id: string } }>(
      "POST",
      `/spaces/${web.spaceId}/sources`,
      { name: "app", retentionDays: 30 },
    );
    const { writeKey: appKey } = await admin<{ writeKey: string }>(
      "POST",
      `/sources/${source.id}/rotate-key`,
    );
    await admin("PUT", `/spaces/${web.spaceId}/retention`, { retentionDays: 10 });
    const consent = { consent: { categoryPreferences: { Marketing: true } } };
    await track(web.writeKey, "/v1/batch", {
      batch: [
        { type: "identify", userId: "r-user", messageId: "r-1", traits: { plan: "a" } },
        {
          type: "track",
          userId: "r-user",
          messageId: "r-2",
          event: "Segment Consent Preference Updated",
          context: consent,
        },
      ],
    });
    await track(appKey, "/v1/track", { userId: "r-user", messageId: "r-3", event: "Opened" });
    await storedEventually(web.sourceId, 2);
    await storedEventually(source.id, 1);
    await eventually(async () =>
      (await historyOf(web.spaceId, "r-user")).length === 3 ? true : undefined,
    );

    await runCron(Date.now() + 9 * DAY);
    expect(await storedCount(web.sourceId)).toBe(2);
    expect(await storedCount(source.id)).toBe(1);
    expect(await historyOf(web.spaceId, "r-user")).toHaveLength(3);

    await runCron(Date.now() + 11 * DAY);
    expect(await storedCount(web.sourceId)).toBe(0);
    expect(await storedCount(source.id)).toBe(0);
    expect(await archivedObjects(web.sourceId)).toEqual([]);
    expect(await archivedObjects(source.id)).toEqual([]);
    expect(await historyOf(web.spaceId, "r-user")).toEqual(["r-2"]);
  });

  it("leaves a source's own longer retention alone when the space sets none", async () => {
    const s = await newSource({ retentionDays: 30 });
    await track(s.writeKey, "/v1/track", { userId: "long-user", messageId: "l-1", event: "E" });
    await storedEventually(s.sourceId, 1);
    await eventually(async () =>
      (await historyOf(s.spaceId, "long-user")).length === 1 ? true : undefined,
    );
    await runCron(Date.now() + 11 * DAY);
    expect(await storedCount(s.sourceId)).toBe(1);
    expect(await historyOf(s.spaceId, "long-user")).toEqual(["l-1"]);
    await runCron(Date.now() + 31 * DAY);
    expect(await storedCount(s.sourceId)).toBe(0);
    expect(await historyOf(s.spaceId, "long-user")).toEqual([]);
    const reset = await call(`/admin/v1/spaces/${s.spaceId}/retention`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ retentionDays: 4000 }),
    });
    expect(reset.status).toBe(400);
  });
});
