// The meter counts real Durable Object RPC calls, Queue messages and D1 rows through the test runtime's
// bindings, and leaves the env untouched when FOYER_METER is not "1".
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { meterEnv, meterSnapshot, meterStorage } from "../../../worker/platform/meter.ts";
import { ADMIN, call } from "../support.ts";

const counted = (name: string) => meterSnapshot()[name] ?? 0;

describe("GET /admin/v1/meter", () => {
  it("is not there unless FOYER_METER is on, and needs an admin token", async () => {
    const off = await call("/admin/v1/meter", { headers: ADMIN });
    expect(off.status).toBe(404);
    expect(await off.json()).toMatchObject({ error: { code: "not_found" } });
    expect((await call("/admin/v1/meter")).status).toBe(401);
  });
});

describe("meterEnv", () => {
  it("is the env itself when metering is off", () => {
    expect(meterEnv(env)).toBe(env);
  });

  it("counts each RPC call on a stub and each message a Queue is given", async () => {
    const metered = meterEnv({ ...env, FOYER_METER: "1" });
    expect(meterEnv(metered)).toBe(metered);
    const before = { dst: counted("do:DESTINATIONS"), delivery: counted("queue:DELIVERY") };
    const stub = metered.DESTINATIONS.get(metered.DESTINATIONS.idFromName("meter-test"));
    expect(await stub.configuration()).toBeNull();
    expect(await stub.configuration()).toBeNull();
    expect(stub.id.toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(counted("do:DESTINATIONS") - before.dst).toBe(2);

    // Not a delivery item: the delivery consumer drops it (delivery/delivery-consumer.ts).
    const refused = JSON.stringify({ kind: "meter-test" });
    await metered.DELIVERY.sendBatch([{ body: refused }, { body: refused }, { body: refused }]);
    await metered.DELIVERY.send(refused);
    expect(counted("queue:DELIVERY") - before.delivery).toBe(4);
  });

  it("counts D1 rows written and read, in batches too, as D1 reports them", async () => {
    const metered = meterEnv({ ...env, FOYER_METER: "1" });
    const before = counted("d1:DB:rows_written");
    const insert = metered.DB.prepare(
      "INSERT INTO audit_log (id, space_id, at, actor, action, target, status, detail) VALUES (?, 'spa_meter', 0, 'test', 'meter', 't', NULL, '{}')",
    );
    await insert.bind("aud_meter_1").run();
    await metered.DB.batch([insert.bind("aud_meter_2"), insert.bind("aud_meter_3")]);
    const written = counted("d1:DB:rows_written") - before;
    // Three rows, each with its index entries: D1 counts both.
    expect(written).toBeGreaterThanOrEqual(3);
    const read = counted("d1:DB:rows_read");
    const { results } = await metered.DB.prepare(
      "SELECT id FROM audit_log WHERE space_id = 'spa_meter' ORDER BY id",
    ).all<{ id: string }>();
    expect(results.map((r) => r.id)).toEqual(["aud_meter_1", "aud_meter_2", "aud_meter_3"]);
    expect(counted("d1:DB:rows_read")).toBeGreaterThan(read);
  });

  it("counts the rows a Durable Object's SQLite statements and KV writes write, by class", async () => {
    await runInDurableObject(
      env.DESTINATIONS.get(env.DESTINATIONS.idFromName("meter-sql")),
      (_i, state) => {
        meterStorage({ FOYER_METER: "1" }, state.storage, "MeterTest");
        const before = counted("sql:MeterTest:rows_written");
        state.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER)");
        state.storage.sql.exec("INSERT INTO t (k, v) VALUES ('a', 1), ('b', 2)");
        state.storage.sql.exec("UPDATE t SET v = 3 WHERE k = 'a'");
        expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM t").one().n).toBe(2);
        expect(counted("sql:MeterTest:rows_written") - before).toBeGreaterThanOrEqual(3);
        const beforeKv = counted("sql:MeterTest:rows_written");
        state.storage.kv.put("k", 1);
        state.storage.kv.delete("k");
        expect(counted("sql:MeterTest:rows_written") - beforeKv).toBe(2);
      },
    );
  });
});
