// Per-space and per-source retention with a controlled clock (the cron's scheduled time): D1,
// the R2 archive and the profiles' event history lose what is past retention and keep the rest;
// consent events stay as proof of consent.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  effectiveRetentionDays,
  purgeExpired,
} from "../../../../worker/governance/retention/purge.ts";
import { RETENTION_FAULT_KEY } from "../../../../worker/identity/graph-object.ts";
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
} from "../../support.ts";
import { profileStub } from "../../../../worker/profiles/profile-name.ts";
import { DAY, runCron } from "./cron.ts";

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
  it("removes archive objects and profile history past the space's retention", async () => {
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

describe("the hourly cron at scale and under failure", () => {
  async function usersWithHistory(
    s: { spaceId: string; writeKey: string; sourceId: string },
    n: number,
  ) {
    const users = Array.from({ length: n }, (_, i) => `page-user-${i}`);
    await track(s.writeKey, "/v1/batch", {
      batch: users.map((userId, i) => ({
        type: "track",
        userId,
        event: "Hit",
        messageId: `p-${i}`,
      })),
    });
    await storedEventually(s.sourceId, n);
    for (const user of users)
      await eventually(async () =>
        (await historyOf(s.spaceId, user)).length === 1 ? true : undefined,
      );
    return users;
  }

  it("trims every profile over several runs by a persisted cursor, one page a run", async () => {
    const s = await newSource();
    await admin("PUT", `/spaces/${s.spaceId}/retention`, { retentionDays: 10 });
    const users = await usersWithHistory(s, 5);
    const at = Date.now() + 11 * DAY;
    const runs = [];
    for (let run = 0; run < 3; run++) runs.push(await purgeExpired(env, at, { profilesPerRun: 2 }));
    expect(runs.map((r) => r.historyEvents)).toEqual([2, 2, 1]);
    expect(runs.flatMap((r) => r.failures)).toEqual([]);
    for (const user of users) expect(await historyOf(s.spaceId, user)).toEqual([]);
    // The cursor went back to the start: a new event is trimmed by the next run.
    expect((await purgeExpired(env, at, { profilesPerRun: 2 })).historyEvents).toBe(0);
  });

  it("one failing space stops neither the other spaces, the regulations nor the sweep", async () => {
    const bad = await newSource();
    const good = await newSource();
    await usersWithHistory(bad, 1);
    await usersWithHistory(good, 1);
    await runInDurableObject(
      env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(bad.spaceId)),
      (_, state) => state.storage.kv.put(RETENTION_FAULT_KEY, true),
    );
    const report = await purgeExpired(env, Date.now() + 91 * DAY);
    expect(report.failures).toEqual([`space ${bad.spaceId}`]);
    expect(await historyOf(good.spaceId, "page-user-0")).toEqual([]);
    expect(await historyOf(bad.spaceId, "page-user-0")).toHaveLength(1);
    // The same run still removed both spaces' D1 rows; no other job reported a failure.
    expect(await storedCount(good.sourceId)).toBe(0);
    expect(await storedCount(bad.sourceId)).toBe(0);
  });
});
