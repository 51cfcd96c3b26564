// The same subscriber against mosquitto (Debian package `mosquitto`), the broker venues often run.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { connect as tcpConnect, createServer } from "node:net";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mqttConfigSchema } from "../../../agent/mqtt/config.ts";
import { startMqttSubscriber } from "../../../agent/mqtt/subscriber.ts";
import { fixture, realDeps } from "../controllers/real-deps.ts";

const MOSQUITTO = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find(
  (p) => spawnSync(p, ["-h"]).error === undefined,
);
if (MOSQUITTO === undefined)
  console.warn("skipping mosquitto tests: install the Debian package `mosquitto`");

let broker: ChildProcess | undefined;
let port = 0;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port: p } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return p;
}

async function accepting(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(p, "127.0.0.1");
    socket.once("connect", () => resolve(socket.destroy() !== undefined));
    socket.once("error", () => resolve(false));
  });
}

describe.skipIf(MOSQUITTO === undefined)("startMqttSubscriber with mosquitto", () => {
  beforeAll(async () => {
    port = await freePort();
    // mosquitto 2 without a config file listens on localhost only: exactly what a test wants.
    broker = spawn(MOSQUITTO!, ["-p", String(port)], { stdio: "ignore" });
    for (let i = 0; i < 200 && !(await accepting(port)); i++)
      await new Promise((r) => setTimeout(r, 25));
  });
  afterAll(() => {
    broker?.kill("SIGTERM");
  });

  it("receives an MV count published by a real client and records it for the venue", async () => {
    const deps = realDeps();
    const config = mqttConfigSchema.parse({
      enabled: true,
      url: `mqtt://127.0.0.1:${port}`,
      topics: [{ filter: "/merakimv/+/+", kind: "meraki-mv-count" }],
    });
    const sub = startMqttSubscriber({
      ...deps,
      config,
      venue: { id: "venue-1", groupId: "venue-1" },
    });
    const publisher = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "camera-sim-m" });
    try {
      await sub.ready;
      await publisher.publishAsync(
        "/merakimv/Q2GV-0001/0",
        fixture("mqtt/mv-zone-count-people.json"),
        { qos: 1 },
      );
      for (let i = 0; i < 200 && deps.stored().length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(deps.stored().map((s) => [s.message.event, s.message.properties?.people])).toEqual([
        ["Venue People Counted", 7],
      ]);
    } finally {
      await publisher.endAsync(true);
      await sub.stop();
      deps.close();
    }
  });
});
