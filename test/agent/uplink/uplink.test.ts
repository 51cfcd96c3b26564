import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentLog } from "../../../agent/controllers/deps.ts";
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";
import { Uplink, type UplinkOptions } from "../../../agent/uplink/uplink.ts";
import { tempDir, trackMessage } from "../outbox/outbox-fixture.ts";
import { startEdgeStandIn, type EdgeStandIn } from "./edge-stand-in.ts";

const silent: AgentLog = { info: () => {}, warn: () => {}, error: () => {} };
let edge: EdgeStandIn;
let outbox: Outbox;
let cleanup: () => void;
let sleeps: number[];

beforeEach(async () => {
  const t = tempDir("foyer-uplink-");
  cleanup = t.cleanup;
  outbox = new Outbox(openAgentDatabase(path.join(t.dir, "agent.sqlite")), { maxRows: 10_000 });
  edge = await startEdgeStandIn();
  sleeps = [];
});
afterEach(async () => {
  await edge.close();
  cleanup();
});

const uplink = (extra: Partial<UplinkOptions> = {}) =>
  new Uplink(outbox, {
    edgeUrl: edge.url,
    writeKey: "wk_venue_test",
    batchSize: 3,
    backoff: { baseMs: 1000, capMs: 60_000 },
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      // Yield a macrotask so an idle loop cannot starve the event loop.
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
    log: silent,
    ...extra,
  });

const ids = (n: number, prefix = "m") =>
  Array.from({ length: n }, (_, i) => trackMessage(`${prefix}${i}`));

describe("Uplink against a real HTTP edge stand-in", () => {
  it("posts batches to /v1/batch with Basic auth (write key, empty password) and acks them", async () => {
    outbox.append(ids(5), "session");
    const u = uplink();
    expect((await u.drainOnce()).outcome).toBe("sent");
    expect((await u.drainOnce()).outcome).toBe("sent");
    expect((await u.drainOnce()).outcome).toBe("empty");
    expect(edge.received.map((b) => b.messageIds)).toEqual([
      ["m0", "m1", "m2"],
      ["m3", "m4"],
    ]);
    expect(edge.received[0]!.path).toBe("/v1/batch");
    expect(edge.received[0]!.authorization).toBe(
      `Basic ${Buffer.from("wk_venue_test:").toString("base64")}`,
    );
    expect(edge.received[0]!.bodies[0]).toEqual(trackMessage("m0"));
    expect(outbox.stats()).toMatchObject({ depth: 0, parked: 0 });
    expect(u.lastResult).toMatchObject({ ok: true, status: 200, sent: 2, delivered: 2, parked: 0 });
  });

  it("parks the items the edge rejects in a 200 and acks the rest", async () => {
    outbox.append(ids(3), "session");
    edge.script.push({
      status: 200,
      body: {
        rejected: [{ index: 1, code: "invalid_event", field: "event", message: "too long" }],
      },
    });
    const u = uplink();
    await u.drainOnce();
    expect(outbox.stats()).toMatchObject({ depth: 0, parked: 1 });
    expect(u.lastResult).toMatchObject({ ok: true, delivered: 2, parked: 1 });
    expect([...edge.stored.keys()]).toEqual(["m0", "m2"]);
  });

  it("parks the whole batch on a 400 and moves on to the next batch", async () => {
    outbox.append(ids(4), "session");
    edge.script.push({ status: 400, body: { error: { code: "invalid_batch", message: "bad" } } });
    const u = uplink();
    await u.drainOnce();
    await u.drainOnce();
    expect(outbox.stats()).toMatchObject({ depth: 0, parked: 3 });
    expect([...edge.stored.keys()]).toEqual(["m3"]);
  });

  it("stops on 401 without parking, and reports it", async () => {
    outbox.append(ids(2), "login");
    edge.script.push({ status: 401, body: { error: { code: "invalid_write_key" } } });
    const again = uplink();
    again.start();
    for (let i = 0; i < 200 && again.state === "running"; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(again.state).toBe("unauthorized");
    expect(again.lastResult).toMatchObject({
      ok: false,
      status: 401,
      code: "invalid_write_key",
      parked: 0,
    });
    expect(outbox.stats()).toMatchObject({ depth: 2, parked: 0 });
  });

  it("retries 500 and network errors with growing full-jitter backoff, then delivers", async () => {
    outbox.append(ids(2), "session");
    edge.script.push({ status: 500 }, { status: 502 }, { status: 503 });
    const u = uplink();
    u.start();
    for (let i = 0; i < 400 && edge.stored.size < 2; i++)
      await new Promise((r) => setTimeout(r, 5));
    await u.stop();
    expect([...edge.stored.keys()]).toEqual(["m0", "m1"]);
    expect(edge.received).toHaveLength(4);
    expect(sleeps.slice(0, 3)).toEqual([500, 1000, 2000]);
    expect(outbox.stats().depth).toBe(0);
  });

  it("honours Retry-After on 429 and 503 when longer than the backoff", async () => {
    outbox.append(ids(1), "session");
    edge.script.push(
      { status: 429, headers: { "retry-after": "30" } },
      { status: 503, headers: { "retry-after": "0" } },
    );
    const u = uplink();
    expect(await u.drainOnce()).toEqual({ outcome: "retry", delayMs: 30_000 });
    expect(await u.drainOnce()).toEqual({ outcome: "retry", delayMs: 1000 });
    expect((await u.drainOnce()).outcome).toBe("sent");
    expect(u.lastResult).toMatchObject({ ok: true });
  });

  it("keeps each request under maxBatchBytes, releasing the rest for the next batch", async () => {
    const big = (id: string) => ({ ...trackMessage(id), properties: { blob: "x".repeat(1000) } });
    outbox.append(["b0", "b1", "b2"].map(big), "session");
    const u = uplink({ maxBatchBytes: 2500 });
    await u.drainOnce();
    await u.drainOnce();
    expect(edge.received.map((b) => b.messageIds)).toEqual([["b0", "b1"], ["b2"]]);
    expect(outbox.stats().depth).toBe(0);
  });

  it("treats an unreachable edge as retryable and keeps everything", async () => {
    outbox.append(ids(2), "session");
    await edge.close();
    const u = uplink({ edgeUrl: "http://127.0.0.1:1" });
    const r = await u.drainOnce();
    expect(r.outcome).toBe("retry");
    expect(u.lastResult).toMatchObject({ ok: false, status: null, sent: 2 });
    expect(outbox.stats().depth).toBe(2);
    edge = await startEdgeStandIn(); // for afterEach
  });
});
