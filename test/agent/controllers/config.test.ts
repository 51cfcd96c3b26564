import { describe, expect, it } from "vitest";
import { controllersConfigSchema, secretText } from "../../../agent/controllers/config.ts";
import { mqttConfigSchema } from "../../../agent/mqtt/config.ts";

describe("controllersConfigSchema", () => {
  it("fills documented defaults", () => {
    const config = controllersConfigSchema.parse({});
    expect(config).toEqual({
      maxBodyBytes: 1_048_576,
      allowedSources: [],
      meraki: {},
      presence: {
        minRssi: -80,
        minDwellSeconds: 300,
        absenceTimeoutSeconds: 900,
        returningWindowDays: 30,
        sweepIntervalSeconds: 60,
      },
    });
  });

  it("accepts secrets inline or as {env} references", () => {
    const config = controllersConfigSchema.parse({
      meraki: { alerts: { enabled: true, secret: { env: "MERAKI_ALERT_SECRET" } } },
      aruba: { enabled: true, token: "inline" },
    });
    expect(config.meraki.alerts?.secret).toEqual({ env: "MERAKI_ALERT_SECRET" });
    expect(secretText("inline")).toBe("inline");
    expect(() => secretText({ env: "MERAKI_ALERT_SECRET" })).toThrow(
      "not resolved by the config loader",
    );
  });

  it.each([
    [{ meraki: { scanning: { enabled: true, secret: "s" } } }, ["meraki", "scanning", "validator"]],
    [{ aruba: { enabled: true, token: { env: "" } } }, ["aruba", "token", "env"]],
    [{ unifi: { url: "not a url", username: "a", password: "b" } }, ["unifi", "url"]],
    [
      { unifi: { url: "https://u", username: "a", password: "b", flavor: "cloud" } },
      ["unifi", "flavor"],
    ],
    [{ presence: { minRssi: 10 } }, ["presence", "minRssi"]],
    [
      { meraki: { scanning: { enabled: true, validator: "v", secret: "s", extra: 1 } } },
      ["meraki", "scanning"],
    ],
  ])("refuses %o at the right path", (input, path) => {
    const result = controllersConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});

describe("mqttConfigSchema", () => {
  it("parses topics with kinds and defaults", () => {
    const config = mqttConfigSchema.parse({
      url: "mqtt://127.0.0.1:1883",
      topics: [{ filter: "/merakimv/+/0", kind: "meraki-mv-count" }],
    });
    expect(config).toMatchObject({ enabled: false, clientId: "foyer-agent", topics: [{ qos: 1 }] });
  });

  it.each([
    [{ url: "http://broker" }, ["url"]],
    [{ url: "mqtt://b", topics: [{ filter: "x", kind: "camera" }] }, ["topics", 0, "kind"]],
    [
      { url: "mqtt://b", topics: [{ filter: "x", kind: "meraki-mt", qos: 2 }] },
      ["topics", 0, "qos"],
    ],
  ])("refuses %o", (input, path) => {
    expect(mqttConfigSchema.safeParse(input).error?.issues[0]?.path).toEqual(path);
  });
});
