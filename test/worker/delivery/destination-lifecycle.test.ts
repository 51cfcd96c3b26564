// A destination's Durable Object over its life: a ledger written by the first release (when the
// delivery Queue held waiting events) upgraded in place, rows that cannot be sent leaving the queue
// instead of being picked forever, and deletion taking the waiting events and dead letters with it.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  destinationObject,
  infrastructureRetrySeconds,
} from "../../../worker/delivery/delivery-consumer.ts";
import { DeliveryLedger } from "../../../worker/delivery/delivery-ledger.ts";
import { admin, call, ADMIN, eventually, newSource } from "../support.ts";
import { orderCompleted } from "../destinations/recording-fetch.ts";
import { overviewOf, webhookDestination } from "./destination-setup.ts";
import { Receiver } from "./receiver.ts";

let receiver: Receiver;
beforeEach(() => {
  receiver = new Receiver().start();
});
afterEach(() => receiver.stop());

/** The first release's table, as an object deployed before this one has it. */
const FIRST_RELEASE_TABLE = `CREATE TABLE deliveries (
  message_id TEXT PRIMARY KEY, owner TEXT, status TEXT NOT NULL, reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  latency_ms INTEGER, error TEXT, body TEXT, next_attempt_at INTEGER)`;

function eventBody(messageId: string): string {
  return JSON.stringify(orderCompleted({ messageId }));
}

describe("destination object lifecycle", () => {
  it("upgrades a first-release ledger: Queue-held rows go, released replays wait, history stays", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/upgraded");
    const statuses = await runInDurableObject(destinationObject(env, dst), (_i, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE deliveries");
      sql.exec(FIRST_RELEASE_TABLE);
      const now = Date.now();
      const insert = (id: string, status: string, body: string | null, next: number | null) =>
        sql.exec(
          `INSERT INTO deliveries (message_id, owner, status, attempts, received_at, updated_at,
           body, next_attempt_at) VALUES (?, 'q', ?, 1, ?, ?, ?, ?)`,
          id,
          status,
          now,
          now,
          body,
          next,
        );
      insert("m-received", "received", null, null);
      insert("m-retrying", "retrying", null, now + 30_000);
      insert("m-replay", "retrying", eventBody("m-replay"), null);
      insert("m-done", "delivered", null, null);
      insert("m-dead", "failed", eventBody("m-dead"), null);
      new DeliveryLedger(sql);
      return sql
        .exec<{ message_id: string; status: string }>(
          "SELECT message_id, status FROM deliveries ORDER BY message_id",
        )
        .toArray();
    });
    // Rows whose event only the Queue held are gone, so its redelivery is accepted afresh.
    expect(statuses).toEqual([
      { message_id: "m-dead", status: "failed" },
      { message_id: "m-done", status: "delivered" },
      { message_id: "m-replay", status: "pending" },
    ]);
    await runInDurableObject(destinationObject(env, dst), (_i, state) =>
      // Far enough ahead that the runtime does not fire it before the test does.
      state.storage.setAlarm(Date.now() + 60_000),
    );
    expect(await runDurableObjectAlarm(destinationObject(env, dst))).toBe(true);
    await eventually(async () =>
      (await receiver.at("/upgraded")).length === 1 ? true : undefined,
    );
    expect(JSON.parse((await receiver.at("/upgraded"))[0]?.body ?? "{}")).toMatchObject({
      messageId: "m-replay",
    });
  });

  it("a waiting row with nothing to send is dead-lettered, not picked forever", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/bodiless");
    await runInDurableObject(destinationObject(env, dst), async (_i, state) => {
      const now = Date.now();
      const insert = (id: string, body: string | null) =>
        state.storage.sql.exec(
          `INSERT INTO deliveries (message_id, status, received_at, updated_at, body,
           next_attempt_at, window_start, dropped, allow_reason)
           VALUES (?, 'pending', ?, ?, ?, 0, ?, '[]', 'CONSENT_NOT_ENFORCED')`,
          id,
          now,
          now,
          body,
          now,
        );
      insert("m-empty", null);
      insert("m-good", eventBody("m-good"));
      await state.storage.setAlarm(now + 60_000);
    });
    expect(await runDurableObjectAlarm(destinationObject(env, dst))).toBe(true);
    const overview = await eventually(async () => {
      const o = await overviewOf(spaceId, dst);
      return o.delivered === 1 && o.failed === 1 ? o : undefined;
    });
    expect(overview.pending).toBe(0);
    const { deadLetters } = await admin<{ deadLetters: { messageId: string; error: string }[] }>(
      "GET",
      `/spaces/${spaceId}/destinations/${dst}/dead-letters`,
    );
    expect(deadLetters).toMatchObject([{ messageId: "m-empty", error: "no stored event" }]);
  });

  it("deleting a destination deletes its waiting events, dead letters and alarm", async () => {
    const { spaceId } = await newSource();
    const dst = await webhookDestination(spaceId, "/gone");
    await runInDurableObject(destinationObject(env, dst), async (_i, state) => {
      const now = Date.now();
      state.storage.sql.exec(
        `INSERT INTO deliveries (message_id, status, received_at, updated_at, body, next_attempt_at,
         window_start) VALUES ('m-wait', 'retrying', ?, ?, ?, ?, ?), ('m-dl', 'failed', ?, ?, ?, NULL, ?)`,
        now,
        now,
        eventBody("m-wait"),
        now + 60_000,
        now,
        now,
        now,
        eventBody("m-dl"),
        now,
      );
      await state.storage.setAlarm(now + 60_000);
    });
    const deleted = await call(`/admin/v1/spaces/${spaceId}/destinations/${dst}`, {
      method: "DELETE",
      headers: ADMIN,
    });
    expect(deleted.status).toBe(200);
    const left = await runInDurableObject(destinationObject(env, dst), async (_i, state) => ({
      rows: state.storage.sql.exec("SELECT message_id FROM deliveries").toArray().length,
      alarm: await state.storage.getAlarm(),
    }));
    expect(left).toEqual({ rows: 0, alarm: null });
  });

  it("backs off the Queue's retries when a destination object cannot take its messages", () => {
    expect([1, 2, 3, 7, 20].map(infrastructureRetrySeconds)).toEqual([10, 20, 40, 600, 600]);
    let total = 0;
    for (let attempts = 1; attempts <= 20; attempts++)
      total += infrastructureRetrySeconds(attempts);
    expect(total).toBeGreaterThan(2 * 60 * 60);
  });
});
