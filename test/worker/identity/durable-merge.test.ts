// The merge hand-off is durable: the graph writes a merge record in the same transaction as the
// fold, and the record is rolled forward (by the next delivery or the graph's alarm) until the
// survivor's ProfileObject has absorbed the folded profile. The apply step is failed after the
// graph committed with the test-only fault key in the survivor's own storage.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { feedIdentity } from "../../../worker/identity/feed.ts";
import { ABSORB_FAULT_KEY } from "../../../worker/profiles/profile-object.ts";
import type { IngestChunk, NormalizedMessage } from "../../../worker/message/message.ts";
import { message } from "./message-builder.ts";
import { profileStub } from "../../../worker/profiles/profile-name.ts";

interface Space {
  spaceId: string;
  chunk(...messages: NormalizedMessage[]): IngestChunk;
}

function newSpace(): Space {
  const spaceId = `spa_${crypto.randomUUID()}`;
  let n = 0;
  return {
    spaceId,
    chunk: (...messages) => ({
      v: 1,
      chunkId: `${spaceId}:${n++}`,
      spaceId,
      sourceId: "src_merge",
      receivedAt: "2024-05-01T12:00:00.000Z",
      messages,
    }),
  };
}

const graphOf = (spaceId: string) => env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
/** The space each profile of these tests was created in (objects are named by space). */
const spaceOf = new Map<string, string>();
const profile = (id: string) => profileStub(env, spaceOf.get(id) ?? "", id);
const at = (minute: number) => `2024-05-01T12:${String(minute).padStart(2, "0")}:00.000Z`;
const uid = (label: string) => `${label}-${crypto.randomUUID()}`;

async function setFault(profileId: string, on: boolean): Promise<void> {
  await runInDurableObject(profile(profileId), (_, state) => {
    if (on) state.storage.kv.put(ABSORB_FAULT_KEY, true);
    else state.storage.kv.delete(ABSORB_FAULT_KEY);
  });
}

async function exported(profileId: string) {
  return JSON.parse(await profile(profileId).exportProfile()) as {
    traits: Record<string, unknown>;
    events: string[];
  };
}

/** Two profiles (older anonymous, younger known user) and the event that merges them. */
async function twoProfilesAndAMerge(s: Space) {
  const anon = uid("anon");
  const user = uid("user");
  const older = message("identify", {
    messageId: uid("m-old"),
    anonymousId: anon,
    traits: { plan: "free", city: "Oslo" },
    timestamp: at(0),
  });
  const younger = message("identify", {
    messageId: uid("m-young"),
    userId: user,
    traits: { plan: "pro" },
    timestamp: at(1),
  });
  await feedIdentity(env, s.chunk(older));
  await feedIdentity(env, s.chunk(younger));
  const graph = graphOf(s.spaceId);
  const survivor = (await graph.lookup("users", "anonymous_id", anon))!;
  const folded = (await graph.lookup("users", "user_id", user))!;
  expect(survivor).not.toBe(folded);
  spaceOf.set(survivor, s.spaceId).set(folded, s.spaceId);
  const linking = message("track", {
    messageId: uid("m-link"),
    event: "Signed In",
    userId: user,
    anonymousId: anon,
    timestamp: at(2),
  });
  const mergeChunk = s.chunk(linking);
  return {
    graph,
    survivor,
    folded,
    mergeChunk,
    ids: [older, younger, linking].map((m) => m.messageId),
  };
}

/** Lets the record's first roll-forward time pass (the alarm runs only what is due). */
async function ageMergeRecords(spaceId: string): Promise<void> {
  await runInDurableObject(graphOf(spaceId), (_, state) => {
    state.storage.sql.exec("UPDATE merge_outbox SET next_attempt_at = 0");
  });
}

describe("durable merges", () => {
  it("a merge whose apply failed after the graph committed is absorbed on redelivery", async () => {
    const s = newSpace();
    const { graph, survivor, folded, mergeChunk, ids } = await twoProfilesAndAMerge(s);
    await setFault(survivor, true);
    await expect(feedIdentity(env, mergeChunk)).rejects.toThrow(/injected fault/);

    // The graph committed the fold and kept the durable record; the survivor has nothing yet.
    expect(await graph.canonical(folded)).toBe(survivor);
    const pending = await graph.pendingMerges();
    expect(pending.map((r) => [r.folded, r.survivor, r.messageId])).toEqual([
      [folded, survivor, ids[2]],
    ]);
    expect((await exported(survivor)).events).toEqual([ids[0]]);

    await setFault(survivor, false);
    await feedIdentity(env, mergeChunk);
    const merged = await exported(survivor);
    expect(merged.events).toEqual([...ids].sort());
    expect(merged.traits).toEqual({ plan: "pro", city: "Oslo" });
    expect((await exported(folded)).events).toEqual([]);
    expect((await profile(folded).metadata()).mergedInto).toBe(survivor);
    expect(await graph.pendingMerges()).toEqual([]);
  });

  it("the graph's alarm rolls an unacknowledged merge forward and clears the record", async () => {
    const s = newSpace();
    const { graph, survivor, folded, mergeChunk, ids } = await twoProfilesAndAMerge(s);
    await setFault(survivor, true);
    await expect(feedIdentity(env, mergeChunk)).rejects.toThrow(/injected fault/);
    const alarm = await runInDurableObject(graph, (_, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();

    await setFault(survivor, false);
    await ageMergeRecords(s.spaceId);
    expect(await runDurableObjectAlarm(graph)).toBe(true);
    const merged = await exported(survivor);
    expect(merged.events).toEqual([ids[0], ids[1]].sort());
    expect(merged.traits).toEqual({ plan: "pro", city: "Oslo" });
    expect((await profile(folded).metadata()).mergedInto).toBe(survivor);
    expect(await graph.pendingMerges()).toEqual([]);
    expect(await runInDurableObject(graph, (_, state) => state.storage.getAlarm())).toBeNull();
  });

  it("a roll-forward that fails again keeps the record, counts the attempt and keeps the alarm", async () => {
    const s = newSpace();
    const { graph, survivor, folded, mergeChunk, ids } = await twoProfilesAndAMerge(s);
    await setFault(survivor, true);
    await expect(feedIdentity(env, mergeChunk)).rejects.toThrow(/injected fault/);
    await ageMergeRecords(s.spaceId);
    const before = Date.now();
    expect(await runDurableObjectAlarm(graph)).toBe(true);

    const [record] = await graph.pendingMerges();
    expect(record?.folded).toBe(folded);
    expect(record?.attempts).toBe(1);
    expect(record?.nextAttemptAt).toBeGreaterThan(before);
    const alarm = await runInDurableObject(graph, (_, state) => state.storage.getAlarm());
    expect(alarm).toBe(record?.nextAttemptAt);
    expect((await exported(survivor)).events).toEqual([ids[0]]);
    expect((await exported(folded)).events).toEqual([ids[1]]);
  });

  it("a merge applied at once leaves no record and no alarm", async () => {
    const s = newSpace();
    const { graph, survivor, mergeChunk, ids } = await twoProfilesAndAMerge(s);
    await feedIdentity(env, mergeChunk);
    expect((await exported(survivor)).events).toEqual([...ids].sort());
    expect(await graph.pendingMerges()).toEqual([]);
    expect(await runInDurableObject(graph, (_, state) => state.storage.getAlarm())).toBeNull();
  });
});

describe("chained merges racing (A into B while B into C)", () => {
  it("converge to one profile with every event and trait, whatever the interleaving", async () => {
    // Each chain: C (oldest), B, A (youngest) as three profiles, then the two linking events fed
    // at once, in either order, so B absorbs A while C absorbs B.
    for (let chain = 0; chain < 12; chain++) {
      const s = newSpace();
      const [a, b, c] = ["a", "b", "c"].map((x) => uid(`${x}${chain}`)) as [string, string, string];
      const first = [
        message("identify", {
          messageId: uid("c"),
          anonymousId: c,
          traits: { c: 1 },
          timestamp: at(0),
        }),
        message("identify", {
          messageId: uid("b"),
          anonymousId: b,
          traits: { b: 1 },
          timestamp: at(1),
        }),
        message("identify", {
          messageId: uid("a"),
          anonymousId: a,
          traits: { a: 1 },
          timestamp: at(2),
        }),
      ];
      for (const m of first) await feedIdentity(env, s.chunk(m));
      const links = [
        message("track", {
          messageId: uid("ab"),
          event: "Linked",
          anonymousId: a,
          context: {
            externalIds: [{ id: b, type: "anonymous_id", collection: "users", encoding: "none" }],
          },
          timestamp: at(3),
        }),
        message("track", {
          messageId: uid("bc"),
          event: "Linked",
          anonymousId: b,
          context: {
            externalIds: [{ id: c, type: "anonymous_id", collection: "users", encoding: "none" }],
          },
          timestamp: at(4),
        }),
      ];
      const ordered = chain % 2 === 0 ? links : [...links].reverse();
      await Promise.all(ordered.map((m) => feedIdentity(env, s.chunk(m))));

      const graph = graphOf(s.spaceId);
      const ids = await Promise.all([a, b, c].map((x) => graph.lookup("users", "anonymous_id", x)));
      expect(new Set(ids).size, `chain ${chain}`).toBe(1);
      const survivor = ids[0]!;
      spaceOf.set(survivor, s.spaceId);
      await ageMergeRecords(s.spaceId);
      if ((await graph.pendingMerges()).length > 0) await runDurableObjectAlarm(graph);
      const merged = await exported(survivor);
      expect(merged.events, `chain ${chain}`).toEqual(
        [...first, ...links].map((m) => m.messageId).sort(),
      );
      expect(merged.traits, `chain ${chain}`).toEqual({ a: 1, b: 1, c: 1 });
      expect(await graph.pendingMerges()).toEqual([]);
    }
  }, 120_000);
});
