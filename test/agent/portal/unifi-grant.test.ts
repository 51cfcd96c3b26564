// The UniFi grant against the stand-in controller over real HTTP: both login flavors, the guest
// check, and the controller's refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portalConfigSchema } from "../../../agent/portal/config.ts";
import {
  UnifiGrantError,
  authorizeGuestBody,
  authorizeUnifiGuest,
} from "../../../agent/portal/vendors/unifi.ts";
import { startStandInController, type StandInController } from "./stand-in-controller.ts";

const guestMac = "1c:71:25:63:e4:24";
const user = { username: "portal", password: "controller-pass" };

function unifiConfig(origin: string, extra: Record<string, unknown> = {}) {
  const parsed = portalConfigSchema.parse({
    secret: "x".repeat(32),
    unifi: {
      url: origin,
      ...user,
      minutes: 480,
      upKbps: 2048,
      downKbps: 8192,
      megabytes: 1024,
      ...extra,
    },
  });
  return parsed.unifi!;
}

describe.each(["classic", "unifi-os"] as const)("UniFi %s controller", (flavor) => {
  let controller: StandInController;
  beforeAll(async () => {
    controller = await startStandInController({
      unifiFlavor: flavor,
      unifiUser: user,
      unifiGuests: new Set([guestMac]),
      verifyCredential: () => false,
    });
  });
  afterAll(() => controller.close());

  it("detects the flavor, logs in and authorizes with minutes, kbps and MB limits", async () => {
    controller.requests.length = 0;
    await authorizeUnifiGuest(unifiConfig(controller.origin), {
      mac: "1C:71:25:63:E4:24",
      apMac: "94:2A:6F:D0:30:57",
    });
    const prefix = flavor === "classic" ? "" : "/proxy/network";
    expect(controller.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /",
      `POST ${flavor === "classic" ? "/api/login" : "/api/auth/login"}`,
      `GET ${prefix}/api/s/default/stat/sta/${guestMac}`,
      `POST ${prefix}/api/s/default/cmd/stamgr`,
    ]);
    const command = controller.requests.at(-1)!;
    expect(command.json).toEqual({
      cmd: "authorize-guest",
      mac: guestMac,
      minutes: 480,
      up: 2048,
      down: 8192,
      bytes: 1024,
      ap_mac: "94:2a:6f:d0:30:57",
    });
    if (flavor === "unifi-os") expect(command.headers["x-csrf-token"]).toBe("stand-in-csrf-token");
  });

  it("skips the probe when the flavor is configured", async () => {
    controller.requests.length = 0;
    await authorizeUnifiGuest(unifiConfig(controller.origin, { flavor, verifyGuest: false }), {
      mac: guestMac,
    });
    expect(controller.requests.map((r) => r.path)[0]).not.toBe("/");
    expect(controller.requests).toHaveLength(2);
  });

  it("refuses a MAC the controller does not list as a guest (forged redirect)", async () => {
    const err = await authorizeUnifiGuest(unifiConfig(controller.origin), {
      mac: "aa:bb:cc:dd:ee:ff",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnifiGrantError);
    expect((err as UnifiGrantError).step).toBe("verify");
    expect(
      controller.requests.some(
        (r) =>
          r.path.endsWith("cmd/stamgr") && (r.json as { mac?: string }).mac === "aa:bb:cc:dd:ee:ff",
      ),
    ).toBe(false);
  });

  it("reports a refused login and an unknown site with the controller's message", async () => {
    const bad = await authorizeUnifiGuest(unifiConfig(controller.origin, { password: "wrong" }), {
      mac: guestMac,
    }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ step: "login", status: 400 });
    const site = await authorizeUnifiGuest(
      unifiConfig(controller.origin, { site: "other", verifyGuest: false }),
      { mac: guestMac },
    ).catch((e: unknown) => e);
    expect(site).toMatchObject({
      step: "authorize",
      message: "UniFi authorize: api.err.NoSiteContext",
    });
  });
});

it("reports an unreachable controller as a detect failure", async () => {
  const controller = await startStandInController({
    unifiFlavor: "classic",
    unifiUser: user,
    unifiGuests: new Set(),
    verifyCredential: () => false,
  });
  const origin = controller.origin;
  await controller.close();
  const err = await authorizeUnifiGuest(unifiConfig(origin), { mac: guestMac }).catch(
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ name: "UnifiGrantError", step: "detect" });
});

it("omits limits that are not configured", () => {
  const config = portalConfigSchema.parse({
    secret: "x".repeat(32),
    unifi: { url: "https://u:8443", ...user },
  }).unifi!;
  expect(authorizeGuestBody(config, { mac: "AA:BB:CC:DD:EE:FF" })).toEqual({
    cmd: "authorize-guest",
    mac: "aa:bb:cc:dd:ee:ff",
    minutes: 480,
  });
});
