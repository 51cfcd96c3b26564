// Per-event cost does not grow with a profile's history (issue 14): with computed traits and an
// audience defined, a profile folds each new event into the state it keeps instead of re-reading
// its history. Measured in SQLite rows read (the Durable Object's own counter), not in time.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { feedIdentity } from "../../../worker/identity/feed.ts";
import type { IngestChunk, NormalizedMessage } from "../../../worker/message/message.ts";
import { profileStub } from "../../../worker/profiles/profile-name.ts";
import { admin, newSource } from "../support.ts";
import { message } from "../identity/message-builder.ts";

/** Rows SQLite read in every Durable Object of this isolate while `work` ran. */
async function rowsReadDuring(probe: DurableObjectStub, work: () => Promise<unknown>) {
  const proto = await runInDurableObject(
    probe,
    (_i, state) =>
      Object.getPrototypeOf(state.storage.sql) as {
        exec: (...args: unknown[]) => SqlStorageCursor<Record<string, SqlStorageValue>>;
      },
  );
  const exec = proto.exec;
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  proto.exec = function (this: object, ...args: unknown[]) {
    const cursor = Reflect.apply(exec, this, args);
    cursors.push(cursor);
    return cursor;
  };
  try {
    await work();
  } finally {
    proto.exec = exec;
  }
  return cursors.reduce((n, cursor) => n + cursor.rowsRead, 0);
}

describe("a profile's activation with a long history", () => {
  it("reads about as many rows for its 301st event as for its 2nd", async () => {
    const { spaceId, sourceId } = await newSource();
    await admin("PUT", `/spaces/${spaceId}/computed-traits/orders`, {
      kind: "event_counter",
      event: { event: "Order Completed" },
    });
    await admin("PUT", `/spaces/${spaceId}/computed-traits/spend_7d`, {
      kind: "aggregation",
      aggregation: "sum",
      property: "total",
      event: { event: "Order Completed" },
      window: { type: "within", days: 7 },
    });
    await admin("PUT", `/spaces/${spaceId}/audiences/buyers`, {
      name: "Buyers",
      condition: {
        kind: "event",
        event: { event: "Order Completed" },
        count: { operator: "at_least", value: 3 },
        window: { type: "within", days: 30 },
      },
    });
    let n = 0;
    const order = (): IngestChunk => {
      n += 1;
      const at = new Date(Date.now() - (400 - n) * 60_000).toISOString();
      const m: NormalizedMessage = message("track", {
        userId: "long-history-buyer",
        event: "Order Completed",
        properties: { total: n },
        timestamp: at,
        receivedAt: at,
      });
      return { v: 1, chunkId: `long-${n}`, spaceId, sourceId, receivedAt: at, messages: [m] };
    };
    const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName(spaceId));
    await feedIdentity(env, order());
    const [{ profileId } = { profileId: "" }] = await graph.partition();
    const profile = profileStub(env, spaceId, profileId);
    const second = await rowsReadDuring(profile, () => feedIdentity(env, order()));
    for (let i = 0; i < 298; i++) await feedIdentity(env, order());
    let answered: NormalizedMessage[] = [];
    const late = await rowsReadDuring(profile, async () => {
      answered = await feedIdentity(env, order());
    });
    // The 301st event still changed the traits (the state is current), ...
    expect(answered.find((m) => m.traits?.orders !== undefined)?.traits).toMatchObject({
      orders: 301,
    });
    // ... and reading 300 events of history would be at least 300 more rows.
    expect(late).toBeLessThan(second + 50);
  });

  it("rebuilds its kept state when a merge brings another profile's history", async () => {
    const { spaceId, sourceId } = await newSource();
    await admin("PUT", `/spaces/${spaceId}/computed-traits/orders`, {
      kind: "event_counter",
      event: { event: "Order Completed" },
    });
    let n = 0;
    const chunk = (fields: Partial<NormalizedMessage>): IngestChunk => {
      n += 1;
      const at = new Date(Date.now() - (100 - n) * 60_000).toISOString();
      const m = message("track", {
        event: "Order Completed",
        timestamp: at,
        receivedAt: at,
        ...fields,
      });
      return { v: 1, chunkId: `merge-${n}`, spaceId, sourceId, receivedAt: at, messages: [m] };
    };
    for (let i = 0; i < 2; i++) await feedIdentity(env, chunk({ anonymousId: "device-1" }));
    let last: NormalizedMessage[] = [];
    for (let i = 0; i < 3; i++) last = await feedIdentity(env, chunk({ userId: "member-1" }));
    expect(last.find((m) => m.traits?.orders !== undefined)?.traits).toMatchObject({ orders: 3 });
    // The same person logs in on the device: the two profiles merge, and the count is theirs.
    const merged = await feedIdentity(
      env,
      chunk({ type: "identify", event: undefined, userId: "member-1", anonymousId: "device-1" }),
    );
    expect(merged.find((m) => m.traits?.orders !== undefined)?.traits).toMatchObject({
      orders: 5,
    });
  });
});
