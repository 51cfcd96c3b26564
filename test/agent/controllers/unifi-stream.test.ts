// The stream client against a real HTTPS + `wss` controller on 127.0.0.1 (self-signed certificate
// generated at test time, trusted through the controller config's CA or pin).
import { afterEach, describe, expect, it } from "vitest";
import { controllersConfigSchema } from "../../../agent/controllers/config.ts";
import { startUnifiStream, type UnifiStream } from "../../../agent/controllers/unifi/stream.ts";
import { fixture, realDeps, type RecordedDeps } from "./real-deps.ts";
import { selfSignedCertificate } from "./test-certificate.ts";
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

type Trust = { ca?: string; certificateSha256?: string };

function start(
  flavor: "auto" | "classic" | "unifi-os",
  password = "unifi-pass",
  trust: Trust = { ca: controller.certificate.cert },
): UnifiStream {
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
      ...trust,
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

  it("connects with the certificate's SHA-256 pin (colon-separated, upper case)", async () => {
    controller = await startTestController("classic");
    deps = realDeps();
    const pin = controller.certificate.sha256.toUpperCase().replace(/(..)(?=.)/g, "$1:");
    const s = start("classic", "unifi-pass", { certificateSha256: pin });
    await eventually(() => s.isConnected());
    controller.send(fixture("unifi/events-frame.json"));
    await eventually(() => deps.counters.get("unifi.events.accepted") === 2);
  });

  it.each([
    ["a wrong pin", { certificateSha256: "ab".repeat(32) }, "not the configured certificateSha256"],
    ["no CA and no pin (system CAs)", {}, "self-signed certificate"],
    ["another controller's CA", "other-ca", "self-signed certificate"],
  ] as const)("refuses the certificate with %s: no login, no stream", async (_, trust, error) => {
    controller = await startTestController("classic");
    deps = realDeps();
    const other = trust === "other-ca" ? { ca: selfSignedCertificate().cert } : trust;
    const s = start("classic", "unifi-pass", other);
    await eventually(() => (deps.counters.get("unifi.reconnects") ?? 0) >= 2);
    expect(s.isConnected()).toBe(false);
    expect(controller.logins).toBe(0);
    expect(controller.upgrades).toEqual([]);
    expect(deps.logLines.some((l) => l.includes(error))).toBe(true);
  });
});
