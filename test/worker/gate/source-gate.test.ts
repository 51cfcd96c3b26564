// The SourceGate's guarantees: exact dedup under concurrency, rate limit, Queue failure → 503
// with nothing remembered, disable and key rotation taking effect at once.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SourceGate } from "../../../worker/gate/admission/source-gate.ts";
import { admin, newSource, storedCount, storedEventually, track } from "../support.ts";

function gateOf(sourceId: string) {
  return env.SOURCE_GATE.get(env.SOURCE_GATE.idFromName(sourceId));
}

describe("SourceGate", () => {
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
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(bodies.reduce((n, b) => n + b.accepted, 0)).toBe(ids.length);
    expect(bodies.reduce((n, b) => n + b.duplicates, 0)).toBe(ids.length * 7);
    // A later repeat, one at a time, is still a duplicate.
    const again = await track(writeKey, "/v1/track", {
      event: "E",
      userId: "u",
      messageId: "dup-3",
    });
    expect(await again.json()).toEqual({ success: true, accepted: 0, duplicates: 1 });
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

  it("answers 503 with Retry-After when the Queue refuses, remembers nothing, and accepts the retry", async () => {
    const { sourceId, writeKey } = await newSource();
    const event = { userId: "u", event: "E", messageId: "retry-me" };
    // Warm the gate, then make its Queue fail (fault injection through the sink seam).
    expect((await track(writeKey, "/v1/track", { userId: "u", event: "Warm" })).status).toBe(200);
    await runInDurableObject(gateOf(sourceId), (gate: SourceGate) => {
      gate.sink = {
        send: () => Promise.reject(new Error("queue unavailable")),
      };
    });
    const failed = await track(writeKey, "/v1/track", event);
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("2");
    expect((await failed.json<{ error: { code: string } }>()).error.code).toBe("queue_unavailable");
    await runInDurableObject(gateOf(sourceId), (gate: SourceGate, state) => {
      expect(state.storage.sql.exec("SELECT 1 FROM seen WHERE id = 'retry-me'").toArray()).toEqual(
        [],
      );
      gate.sink = {
        send: async (chunk) => {
          await env.EVENTS.send(chunk, { contentType: "text" });
        },
      };
    });
    const retried = await track(writeKey, "/v1/track", event);
    expect(await retried.json()).toEqual({ success: true, accepted: 1, duplicates: 0 });
    await storedEventually(sourceId, 2);
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

  it("forgets messageIds only after the dedup window", async () => {
    const { sourceId, writeKey } = await newSource();
    await track(writeKey, "/v1/track", { userId: "u", event: "E", messageId: "old" });
    await runInDurableObject(gateOf(sourceId), async (gate: SourceGate, state) => {
      // 47 h old: still inside the 48 h window; 49 h old: past it.
      state.storage.sql.exec(
        "INSERT INTO seen (id, at) VALUES ('recent', ?)",
        Date.now() - 47 * 3_600_000,
      );
      state.storage.sql.exec(
        "UPDATE seen SET at = ? WHERE id = 'old'",
        Date.now() - 49 * 3_600_000,
      );
      await gate.alarm();
      const left = state.storage.sql
        .exec<{ id: string }>("SELECT id FROM seen ORDER BY id")
        .toArray();
      expect(left.map((r) => r.id)).toEqual(["recent"]);
    });
  });
});
