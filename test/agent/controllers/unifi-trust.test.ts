// controllerConnector under the `ws` client against a real `wss` server (the test controller, a
// self-signed certificate generated at test time): the CA and the pin are each enough, a wrong pin
// or no trust at all is refused before the upgrade request (and its session cookie) is sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { controllersConfigSchema } from "../../../agent/controllers/config.ts";
import {
  CertificatePinError,
  controllerConnector,
  normalizeFingerprint,
  type ControllerTrust,
} from "../../../agent/controllers/unifi/trust.ts";
import { selfSignedCertificate } from "./test-certificate.ts";
import { startTestController, type TestController } from "./unifi-test-controller.ts";

let controller: TestController;
beforeAll(async () => {
  controller = await startTestController("classic");
});
afterAll(() => controller.close());

/** Opens the event stream with `trust`; resolves "open" or the error that refused it. */
function open(trust: ControllerTrust): Promise<"open" | Error> {
  const url = `${controller.url.replace("https:", "wss:")}/wss/s/default/events?clients=v2`;
  const ws = new WebSocket(url, {
    headers: { Cookie: "unifises=sess-1" },
    createConnection: controllerConnector(trust) as never,
  });
  return new Promise((resolve) => {
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("error", (error) => resolve(error));
  });
}

describe("controllerConnector (ws over TLS with a CA or a pin)", () => {
  it("connects when the certificate chains to the configured CA", async () => {
    expect(await open({ ca: controller.certificate.cert })).toBe("open");
  });

  it("connects when the certificate matches the pin", async () => {
    expect(await open({ certificateSha256: controller.certificate.sha256 })).toBe("open");
  });

  it("refuses a wrong pin with CertificatePinError, before any upgrade request", async () => {
    const before = controller.upgrades.length;
    const result = await open({ certificateSha256: selfSignedCertificate().sha256 });
    expect(result).toBeInstanceOf(CertificatePinError);
    expect((result as Error).message).toContain(controller.certificate.sha256);
    expect(controller.upgrades.length).toBe(before);
  });

  it.each([
    ["no CA and no pin", {}],
    ["another certificate as CA", { ca: selfSignedCertificate().cert }],
  ])("refuses the self-signed certificate with %s", async (_, trust) => {
    const before = controller.upgrades.length;
    const result = await open(trust);
    expect(result).toBeInstanceOf(Error);
    expect((result as NodeJS.ErrnoException).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect(controller.upgrades.length).toBe(before);
  });
});

describe("unifi trust config", () => {
  const base = { url: "https://192.168.1.1", username: "admin", password: "p" };

  it("normalizes a pin and keeps a PEM CA", () => {
    const pin = controller.certificate.sha256.toUpperCase().replace(/(..)(?=.)/g, "$1:");
    expect(normalizeFingerprint(pin)).toBe(controller.certificate.sha256);
    const parsed = controllersConfigSchema.parse({ unifi: { ...base, certificateSha256: pin } });
    expect(parsed.unifi?.certificateSha256).toBe(controller.certificate.sha256);
    const withCa = controllersConfigSchema.parse({
      unifi: { ...base, ca: controller.certificate.cert },
    });
    expect(withCa.unifi?.ca).toBe(controller.certificate.cert);
  });

  it.each([
    [{ certificateSha256: "abc" }, ["unifi", "certificateSha256"], "64 hex digits"],
    [{ certificateSha256: "zz".repeat(32) }, ["unifi", "certificateSha256"], "64 hex digits"],
    [{ ca: "not a certificate" }, ["unifi", "ca"], "PEM certificate"],
    [
      { ca: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" },
      ["unifi", "ca"],
      "PEM certificate",
    ],
    [{ ca: "CA", certificateSha256: "ab".repeat(32) }, ["unifi", "certificateSha256"], "not both"],
    [{ url: "http://192.168.1.1", certificateSha256: "ab".repeat(32) }, ["unifi", "url"], "https"],
  ])("refuses %o at %o", (extra, path, message) => {
    const ca = "ca" in extra && extra.ca === "CA" ? { ca: controller.certificate.cert } : {};
    const input = { unifi: { ...base, ...extra, ...ca } };
    const result = controllersConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual(path);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});
