// Against a real in-process aedes broker on 127.0.0.1 with a real mqtt.js publisher.
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";
import { connectAsync, type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mqttConfigSchema } from "../../../agent/mqtt/config.ts";
import { startMqttSubscriber, type MqttSubscriber } from "../../../agent/mqtt/subscriber.ts";
import { fixture, rawMacsIn, realDeps, type RecordedDeps } from "../controllers/real-deps.ts";

let broker: Aedes;
let server: Server;
let port: number;
let deps: RecordedDeps;
let subscriber: MqttSubscriber | undefined;
let publisher: MqttClient | undefined;
const sockets = new Set<Socket>();

beforeEach(async () => {
  broker = await Aedes.createBroker();
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    broker.handle(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as { port: number }).port;
  deps = realDeps();
});

afterEach(async () => {
  await subscriber?.stop();
  await publisher?.endAsync(true);
  subscriber = undefined;
  publisher = undefined;
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  deps.close();
});

function start(): MqttSubscriber {
  const config = mqttConfigSchema.parse({
    enabled: true,
    url: `mqtt://127.0.0.1:${port}`,
    clientId: "foyer-test-agent",
    reconnectPeriodMs: 50,
    maxPayloadBytes: 4096,
    topics: [
      { filter: "/merakimv/+/raw_detections", kind: "meraki-mv-raw-detections" },
      { filter: "/merakimv/+/+", kind: "meraki-mv-count" },
      { filter: "meraki/v1/mt/#", kind: "meraki-mt" },
    ],
  });
  subscriber = startMqttSubscriber({
    ...deps,
    config,
    venue: { id: "venue-1", groupId: "grp-venue-1" },
  });
  return subscriber;
}

async function publish(topic: string, payload: string): Promise<void> {
  publisher ??= await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "camera-sim" });
  await publisher.publishAsync(topic, payload, { qos: 1 });
}

/** Polls (bounded) until `check` holds; the broker delivers asynchronously. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const total = (prefix: string) => deps.counters.get(prefix) ?? 0;

describe("startMqttSubscriber", () => {
  it("turns an MV zone count into a venue-level event on the venue group", async () => {
    await start().ready;
    await publish("/merakimv/Q2GV-ABCD-1234/0", fixture("mqtt/mv-zone-count-people.json"));
    await eventually(() => total("mqtt.accepted") === 1);
    const [stored] = deps.stored();
    expect(stored?.cls).toBe("venue");
    expect(stored?.message).toMatchObject({
      type: "track",
      event: "Venue People Counted",
      anonymousId: "venue-venue-1",
      timestamp: new Date(1714632672326).toISOString(),
      context: { groupId: "grp-venue-1", venue: { id: "venue-1" } },
      properties: {
        venueId: "venue-1",
        cameraSerial: "Q2GV-ABCD-1234",
        zoneId: "0",
        people: 7,
        counts: { person: 7, vehicle: 1 },
      },
    });
    expect(stored?.message.context?.externalIds).toBeUndefined();
  });

  it("maps raw detections and MT readings, hashing the sensor MAC", async () => {
    await start().ready;
    await publish(
      "/merakimv/Q2GV-ABCD-1234/raw_detections",
      fixture("mqtt/mv-raw-detections.json"),
    );
    await publish(
      "meraki/v1/mt/L_123/ble/aa:bb:cc:dd:ee:ff/temperature",
      fixture("mqtt/mt-temperature.json"),
    );
    await eventually(() => total("mqtt.accepted") === 2);
    const messages = deps.stored().map((s) => s.message);
    expect(messages.map((m) => [m.event, m.properties?.people])).toEqual([
      ["Venue People Detected", 2],
      ["Venue Sensor Reported", undefined],
    ]);
    expect(messages[1]?.properties).toMatchObject({
      networkId: "L_123",
      metric: "temperature",
      reading: { celsius: 21.5, fahrenheit: 70.7 },
      sensorMacHash: deps.identifyMac("aa:bb:cc:dd:ee:ff").hash,
    });
    expect(rawMacsIn(messages)).toEqual([]);
  });

  it("counts and drops malformed payloads, then keeps serving", async () => {
    await start().ready;
    await publish("/merakimv/Q2GV-ABCD-1234/0", "not json");
    await publish("/merakimv/Q2GV-ABCD-1234/0", JSON.stringify({ ts: 1, counts: { person: -1 } }));
    await publish("/merakimv/Q2GV-ABCD-1234/0", JSON.stringify({ ts: 1 }));
    await publish(
      "/merakimv/Q2GV-ABCD-1234/0",
      JSON.stringify({ ts: 1, pad: "x".repeat(5000), counts: {} }),
    );
    await publish(
      "meraki/v1/mt/L_123/ble/not-a-mac/temperature",
      fixture("mqtt/mt-temperature.json"),
    );
    await publish("/merakimv/Q2GV-ABCD-1234/0", fixture("mqtt/mv-zone-count.json"));
    await eventually(() => total("mqtt.accepted") === 1);
    expect(total("mqtt.malformed")).toBe(5);
    expect(deps.stored().map((s) => s.message.properties?.people)).toEqual([0]);
    expect(deps.logLines.join("\n")).not.toContain("not-a-mac");
  });

  it("reconnects after the broker drops it and keeps receiving (persistent QoS 1 session)", async () => {
    const sub = start();
    await sub.ready;
    for (const s of sockets) s.destroy(); // the broker side drops every connection
    await eventually(() => total("mqtt.offline") >= 1);
    // Published around the reconnect: QoS 1 on a persistent session is queued by the broker if needed.
    await publish("/merakimv/Q2GV-ABCD-1234/0", fixture("mqtt/mv-zone-count-people.json"));
    await eventually(() => total("mqtt.connected") >= 2 && total("mqtt.accepted") === 1);
    expect(sub.isConnected()).toBe(true);
    expect(deps.stored()).toHaveLength(1);
  });
});
