// The meter counts real Durable Object RPC calls and Queue messages through the test runtime's
// bindings, and leaves the env untouched when FOYER_METER is not "1".
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { meterEnv, meterSnapshot } from "../../../worker/platform/meter.ts";

const counted = (name: string) => meterSnapshot()[name] ?? 0;

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
});
