// Ids a client sends never name storage across spaces or sources (Invariant 8): two spaces, and
// two sources of one space, send the same messageId for different people. Each gets its own
// profile, every event is delivered, and each space's Profile API sees only its own people.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { overviewOf, webhookDestination } from "../delivery/destination-setup.ts";
import { Receiver } from "../delivery/receiver.ts";
import {
  admin,
  call,
  eventually,
  newSource,
  profileApiToken,
  storedEventually,
  track,
} from "../support.ts";

let receiver: Receiver;
beforeEach(() => {
  receiver = new Receiver().start();
});
afterEach(() => receiver.stop());

const tokenFor = profileApiToken;

function traitsOf(spaceId: string, token: string, userId: string): Promise<Response> {
  return call(`/v1/spaces/${spaceId}/collections/users/profiles/user_id:${userId}/traits`, {
    headers: { authorization: `Basic ${btoa(`${token}:`)}` },
  });
}

describe("client ids never cross spaces or sources", () => {
  it("the same messageId in two spaces and two sources makes three profiles, all delivered", async () => {
    const a1 = await newSource();
    const { source: a2Source, writeKey: a2Key } = await admin<{
      source: { id: string };
      writeKey: string;
    }>("POST", `/spaces/${a1.spaceId}/sources`, { name: "app" });
    const b = await newSource();
    const hookA = await webhookDestination(a1.spaceId, "/space-a");
    const hookB = await webhookDestination(b.spaceId, "/space-b");
    const messageId = `shared-${crypto.randomUUID()}`;
    const send = (writeKey: string, who: string) =>
      track(writeKey, "/v1/identify", {
        userId: `user-${who}-${messageId}`,
        traits: { who },
        messageId,
        timestamp: "2026-11-01T10:00:00Z",
      });
    expect((await send(a1.writeKey, "a1")).status).toBe(200);
    expect((await send(a2Key, "a2")).status).toBe(200);
    expect((await send(b.writeKey, "b")).status).toBe(200);
    await storedEventually(a1.sourceId, 1);
    await storedEventually(a2Source.id, 1);
    await storedEventually(b.sourceId, 1);

    const graphA = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(a1.spaceId));
    const graphB = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(b.spaceId));
    const lookup = (graph: typeof graphA, who: string) =>
      eventually(() => graph.lookup("users", "user_id", `user-${who}-${messageId}`));
    const ids = [await lookup(graphA, "a1"), await lookup(graphA, "a2"), await lookup(graphB, "b")];
    expect(new Set(ids).size).toBe(3);

    // Both of space A's events reach its destination: the ledger is keyed by source and messageId.
    await eventually(async () =>
      (await overviewOf(a1.spaceId, hookA)).delivered === 2 ? 1 : undefined,
    );
    await eventually(async () =>
      (await overviewOf(b.spaceId, hookB)).delivered === 1 ? 1 : undefined,
    );
    const whoGot = async (path: string) =>
      (await receiver.at(path))
        .map((r) => (JSON.parse(r.body) as { traits: { who: string } }).traits.who)
        .sort();
    expect(await whoGot("/space-a")).toEqual(["a1", "a2"]);
    expect(await whoGot("/space-b")).toEqual(["b"]);

    const tokenA = await tokenFor(a1.spaceId);
    const tokenB = await tokenFor(b.spaceId);
    for (const [who, want] of [
      ["a1", "a1"],
      ["a2", "a2"],
    ] as const) {
      const res = await eventually(async () => {
        const r = await traitsOf(a1.spaceId, tokenA, `user-${who}-${messageId}`);
        return r.status === 200 ? r : undefined;
      });
      expect((await res.json<{ traits: { who: string } }>()).traits.who).toBe(want);
    }
    expect((await traitsOf(a1.spaceId, tokenA, `user-b-${messageId}`)).status).toBe(404);
    expect((await traitsOf(b.spaceId, tokenB, `user-a1-${messageId}`)).status).toBe(404);
    const bTraits = await traitsOf(b.spaceId, tokenB, `user-b-${messageId}`);
    expect((await bTraits.json<{ traits: { who: string } }>()).traits.who).toBe("b");
    // A space's token never reads another space's profiles.
    expect((await traitsOf(b.spaceId, tokenA, `user-b-${messageId}`)).status).toBe(401);
  });

  it("a messageId reused by the same source after the dedup window never adopts the first profile", async () => {
    const s = await newSource();
    const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(s.spaceId));
    const chunk = (userId: string) => ({
      chunkId: crypto.randomUUID(),
      spaceId: s.spaceId,
      sourceId: s.sourceId,
      receivedAt: "2026-11-01T10:00:00.000Z",
      messages: [
        {
          type: "identify",
          messageId: "reused-1",
          userId,
          timestamp: "2026-11-01T10:00:00.000Z",
          receivedAt: "2026-11-01T10:00:00.000Z",
          context: {},
          traits: {},
        },
      ],
    });
    const [first] = await graph.placeMessages(
      s.spaceId,
      s.sourceId,
      chunk("victim").messages as never,
    );
    const [second] = await graph.placeMessages(
      s.spaceId,
      s.sourceId,
      chunk("attacker").messages as never,
    );
    expect(first?.users?.profileId).toBeDefined();
    expect(second?.users?.profileId).toBeDefined();
    expect(second?.users?.profileId).not.toBe(first?.users?.profileId);
    expect(await graph.identifiersOf(first!.users!.profileId)).toHaveLength(1);
  });
});
