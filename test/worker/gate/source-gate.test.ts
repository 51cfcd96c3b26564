// Admission's guarantees: exact dedup under concurrency (by the claim shards after the Queue),
// rate limit through leases, Queue failure → 503 and the retry stored once, disable and key
// rotation taking effect at once.
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../worker/index.ts";
import type { SourceGate } from "../../../worker/gate/admission/source-gate.ts";
import { claimShard, claimShardName } from "../../../worker/gate/admission/claims.ts";
import { leaseSize } from "../../../worker/gate/admission/lease.ts";
import { admin, basic, newSource, storedCount, storedEventually, track } from "../support.ts";

describe("admission", () => {
  it("processes a messageId once when many copies arrive concurrently", async () => {
    const { sourceId, writeKey } = await newSource();
    const ids = Array.from({ length: 40 }, (_, i) => `dup-${i}`);
    const batch = {
      batch: ids.map((messageId) => ({ type: "track", event: "E", userId: "u", messageId })),
    };
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => track(writeKey, "/v1/batch", batch)),
    );
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as {
      accepted: number;
      duplicates: number;
    }[];
    // Every copy is queued (the edge asks no per-source object about ids); the claim shards keep
    // one of each after the Queue.
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(bodies.reduce((n, b) => n + b.accepted, 0)).toBe(ids.length * 8);
    // A later repeat, one at a time, is dropped the same way.
    const again = await track(writeKey, "/v1/track", {
      event: "E",
      userId: "u",
      messageId: "dup-3",
    });
    expect(again.status).toBe(200);
    await storedEventually(sourceId, ids.length);
    await track(writeKey, "/v1/track", { event: "E", userId: "u", messageId: "fence" });
    await storedEventually(sourceId, ids.length + 1);
    expect(await storedCount(sourceId)).toBe(ids.length + 1);
  });

  it("counts a repeat inside one batch as a duplicate", async () => {
    const { writeKey } = await newSource();
    const res = await track(writeKey, "/v1/batch", {
      batch: [
        { type: "page", userId: "u", messageId: "same" },
        { type: "page", userId: "u", messageId: "same" },
      ],
    });
    expect(await res.json()).toEqual({ success: true, accepted: 1, duplicates: 1 });
  });

  it("answers 429 with Retry-After past the source's rate limit", async () => {
    const { writeKey } = await newSource({ rateLimit: { eventsPerSecond: 1, burst: 3 } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await track(writeKey, "/v1/track", { userId: "u", event: "E" });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        expect((await res.json<{ error: { code: string } }>()).error.code).toBe("rate_limited");
      }
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("answers 503 with Retry-After when the Queue refuses, and stores the retry once", async () => {
    const { sourceId, writeKey } = await newSource();
    const event = { userId: "u", event: "E", messageId: "retry-me" };
    const request = () =>
      new Request<unknown, IncomingRequestCfProperties>("https://foyer.test/v1/track", {
        method: "POST",
        headers: { authorization: basic(writeKey), "content-type": "application/json" },
        body: JSON.stringify(event),
      });
    // The Queue refuses (fault injection through the binding the edge sends with).
    const refusing = {
      ...env,
      EVENTS: { send: () => Promise.reject(new Error("queue unavailable")) },
    } as unknown as Env;
    const failed = await worker.fetch(request(), refusing, createExecutionContext());
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("2");
    expect((await failed.json<{ error: { code: string } }>()).error.code).toBe("queue_unavailable");
    const retried = await track(writeKey, "/v1/track", event);
    expect(await retried.json()).toEqual({ success: true, accepted: 1, duplicates: 0 });
    // And a client that retries a request the Queue did take: the repeat is dropped.
    expect((await track(writeKey, "/v1/track", event)).status).toBe(200);
    await track(writeKey, "/v1/track", { ...event, messageId: "fence-2" });
    await storedEventually(sourceId, 2);
    expect(await storedCount(sourceId)).toBe(2);
  });

  it("leases about a tenth of a second of the rate, never more than the burst", () => {
    expect(leaseSize(1, { ratePerSecond: 1, burst: 3 })).toEqual({ needed: 1, wanted: 1 });
    expect(leaseSize(10, { ratePerSecond: 1_000, burst: 5_000 })).toEqual({
      needed: 10,
      wanted: 100,
    });
    expect(leaseSize(900, { ratePerSecond: 1_000, burst: 600 })).toEqual({
      needed: 600,
      wanted: 600,
    });
  });

  it("refuses a disabled source and a rotated-out key at once", async () => {
    const { sourceId, writeKey } = await newSource();
    expect((await track(writeKey, "/v1/track", { userId: "u", event: "E" })).status).toBe(200);
    await admin("POST", `/sources/${sourceId}/disable`);
    const disabled = await track(writeKey, "/v1/track", { userId: "u", event: "E" });
    expect(disabled.status).toBe(401);
    expect((await disabled.json<{ error: { code: string } }>()).error.code).toBe("source_disabled");
    await admin("POST", `/sources/${sourceId}/enable`);
    expect((await track(writeKey, "/v1/track", { userId: "u", event: "E" })).status).toBe(200);

    const { writeKey: rotated } = await admin<{ writeKey: string }>(
      "POST",
      `/sources/${sourceId}/rotate-key`,
    );
    expect(rotated).toMatch(/^[A-Za-z0-9]{32}$/);
    const old = await track(writeKey, "/v1/track", { userId: "u", event: "E" });
    expect(old.status).toBe(401);
    expect((await track(rotated, "/v1/track", { userId: "u", event: "E" })).status).toBe(200);
  });

  it("forgets claims only after the dedup window", async () => {
    const { sourceId, writeKey } = await newSource();
    await track(writeKey, "/v1/track", { userId: "u", event: "E", messageId: "old" });
    await storedEventually(sourceId, 1);
    const shard = env.SOURCE_GATE.get(
      env.SOURCE_GATE.idFromName(claimShardName(sourceId, claimShard("old"))),
    );
    await runInDurableObject(shard, async (gate: SourceGate, state) => {
      // 47 h old: still inside the 48 h window; 49 h old: past it.
      state.storage.sql.exec(
        "INSERT INTO claims (id, chunk, at) VALUES ('recent', 'c', ?)",
        Date.now() - 47 * 3_600_000,
      );
      state.storage.sql.exec(
        "UPDATE claims SET at = ? WHERE id = 'old'",
        Date.now() - 49 * 3_600_000,
      );
      await gate.alarm();
      const left = state.storage.sql
        .exec<{ id: string }>("SELECT id FROM claims ORDER BY id")
        .toArray();
      expect(left.map((r) => r.id)).toEqual(["recent"]);
    });
  });
});
