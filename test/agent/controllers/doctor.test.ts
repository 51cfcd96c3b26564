import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { controllersConfigSchema } from "../../../agent/controllers/config.ts";
import { probeControllers } from "../../../agent/controllers/doctor.ts";
import { startTestController } from "./unifi-test-controller.ts";

const base = {
  venueId: "v",
  meraki: { scanning: { enabled: true, validator: "abc", secret: "s" } },
  aruba: { enabled: false, token: "t" },
};

function withUnifi(url: string, password = "unifi-pass", trust: { ca?: string } = {}) {
  return controllersConfigSchema.parse({
    ...base,
    unifi: { enabled: true, url, username: "admin", password, ...trust },
  });
}

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe("probeControllers", () => {
  it("reports inbound webhooks, disabled vendors and a reachable UniFi login", async () => {
    const controller = await startTestController("unifi-os");
    try {
      const results = await probeControllers(
        withUnifi(controller.url, "unifi-pass", { ca: controller.certificate.cert }),
      );
      expect(results).toEqual([
        {
          controller: "meraki.scanning",
          ok: true,
          status: "inbound",
          detail: "waits for POST /webhooks/meraki/scanning from the vendor cloud",
        },
        { controller: "meraki.alerts", ok: true, status: "disabled", detail: "not enabled" },
        { controller: "aruba.central", ok: true, status: "disabled", detail: "not enabled" },
        {
          controller: "unifi",
          ok: true,
          status: "reachable",
          detail: `logged in to UniFi OS console at ${controller.url}`,
        },
      ]);
    } finally {
      await controller.close();
    }
  });

  it("reports a refused login without the password", async () => {
    const controller = await startTestController("classic");
    try {
      const results = await probeControllers(
        withUnifi(controller.url, "wrong-pass", { ca: controller.certificate.cert }),
      );
      expect(results[3]).toEqual({
        controller: "unifi",
        ok: false,
        status: "login_refused",
        detail: "UniFi login refused (401)",
      });
      expect(JSON.stringify(results)).not.toContain("wrong-pass");
    } finally {
      await controller.close();
    }
  });

  it("reports a self-signed controller without a CA or pin as unreachable, password unsent", async () => {
    const controller = await startTestController("classic");
    try {
      const [, , , unifi] = await probeControllers(withUnifi(controller.url));
      expect(unifi).toMatchObject({ controller: "unifi", ok: false, status: "unreachable" });
      expect(unifi?.detail).toContain("self-signed certificate");
      expect(controller.logins).toBe(0);
    } finally {
      await controller.close();
    }
  });

  it("reports an unreachable controller", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const [, , , unifi] = await probeControllers(withUnifi(url));
    expect(unifi).toMatchObject({ controller: "unifi", ok: false, status: "unreachable" });
    expect(unifi?.detail).toContain("ECONNREFUSED");
  });
});
