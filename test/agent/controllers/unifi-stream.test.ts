// The stream client against a real HTTP + RFC 6455 WebSocket controller on 127.0.0.1.
import { afterEach, describe, expect, it } from "vitest";
import { controllersConfigSchema } from "../../../agent/controllers/config.ts";
import { startUnifiStream, type UnifiStream } from "../../../agent/controllers/unifi/stream.ts";
import { fixture, realDeps, type RecordedDeps } from "./real-deps.ts";
import { startTestController, type TestController } from "./unifi-test-controller.ts";

let controller: TestController;
let deps: RecordedDeps;
let stream: UnifiStream | undefined;

afterEach(async () => {
  stream?.stop();
  stream = undefined;
  await controller.close();
  deps.close();
});

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

function start(flavor: "auto" | "classic" | "unifi-os", password = "unifi-pass"): UnifiStream {
  const config = controllersConfigSchema.parse({
    venueId: "venue-1",
    unifi: {
      enabled: true,
      url: controller.url,
      flavor,
      username: "admin",
      password,
      reconnectInitialMs: 20,
      reconnectMaxMs: 100,
    },
  }).unifi!;
  stream = startUnifiStream({
    ...deps,
    config,
    venue: { id: "venue-1", groupId: "venue-1" },
    pingIntervalMs: 30,
  });
  return stream;
}

describe("startUnifiStream", () => {
  it.each(["classic", "unifi-os"] as const)(
    "logs in to a %s controller (auto-detected) and records streamed events",
    async (flavor) => {
      controller = await startTestController(flavor);
      deps = realDeps();
      const s = start("auto");
      await eventually(() => s.isConnected());
      controller.send(fixture("unifi/events-frame.json"));
      await eventually(() => deps.counters.get("unifi.events.accepted") === 2);
      expect(deps.stored().map((m) => m.message.event)).toEqual([
        "WiFi Session Started",
        "WiFi Session Ended",
      ]);
      const upgrade = controller.upgrades[0]!;
      if (flavor === "classic") {
        expect(upgrade).toMatchObject({
          path: "/wss/s/default/events?clients=v2",
          cookie: "unifises=sess-1",
          csrf: undefined,
        });
      } else {
        expect(upgrade).toMatchObject({
          path: "/proxy/network/wss/s/default/events?clients=v2",
          csrf: "csrf-from-jwt",
        });
      }
      await eventually(() => controller.pings >= 1); // keep-alive pings are answered with pong
      expect(deps.counters.get("unifi.frames.malformed")).toBeUndefined();
    },
  );

  it("reconnects with a fresh login after the controller drops the stream", async () => {
    controller = await startTestController("classic");
    deps = realDeps();
    const s = start("classic");
    await eventually(() => s.isConnected());
    controller.dropAll();
    await eventually(
      () => controller.logins >= 2 && s.isConnected() && controller.openSockets() === 1,
    );
    controller.send(fixture("unifi/events-frame.json"));
    await eventually(() => deps.counters.get("unifi.events.accepted") === 2);
    expect(deps.counters.get("unifi.reconnects")).toBeGreaterThanOrEqual(1);
  });

  it("keeps retrying (with backoff) while the login is refused, then connects", async () => {
    controller = await startTestController("unifi-os");
    deps = realDeps();
    controller.refuseLogins = true;
    const s = start("unifi-os");
    await eventually(() => (deps.counters.get("unifi.reconnects") ?? 0) >= 3);
    expect(s.isConnected()).toBe(false);
    expect(deps.logLines.some((l) => l.includes("UniFi login refused (401)"))).toBe(true);
    expect(deps.logLines.join("\n")).not.toContain("unifi-pass");
    controller.refuseLogins = false;
    await eventually(() => s.isConnected());
  });

  it("stops for good: no reconnect after stop()", async () => {
    controller = await startTestController("classic");
    deps = realDeps();
    const s = start("classic");
    await eventually(() => s.isConnected());
    s.stop();
    await eventually(() => controller.openSockets() === 0);
    const logins = controller.logins;
    await new Promise((r) => setTimeout(r, 150));
    expect(controller.logins).toBe(logins);
  });
});
