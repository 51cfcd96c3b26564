import { describe, expect, it } from "vitest";
import { macIdentifier } from "../../../agent/mac/hash.ts";
import { parseMerakiScanning } from "../../../agent/controllers/meraki/scanning-payload.ts";
import { merakiScanningObservations } from "../../../agent/controllers/meraki/scanning.ts";
import { fixture, VENUE_KEY } from "./real-deps.ts";

const identify = macIdentifier(VENUE_KEY);
const received = new Date("2025-01-01T00:00:00Z");

function withBody(mutate: (body: Record<string, unknown>) => void): string {
  const body = JSON.parse(fixture("meraki/scanning-v3-wifi.json")) as Record<string, unknown>;
  mutate(body);
  return JSON.stringify(body);
}

function firstObservation(body: Record<string, unknown>): Record<string, unknown> {
  return ((body.data as Record<string, unknown>).observations as Record<string, unknown>[])[0]!;
}

describe("parseMerakiScanning", () => {
  it("parses the documented v3 WiFi sample into a typed payload", () => {
    const result = parseMerakiScanning(fixture("meraki/scanning-v3-wifi.json"), "supersecret");
    expect(result).toEqual({
      ok: true,
      value: {
        version: "3.0",
        type: "WiFi",
        networkId: "L_000000000000000001",
        observations: [
          {
            clientMac: "11:22:33:44:55:66",
            ssid: ".interwebs",
            locations: [
              {
                time: new Date("2019-11-28T14:27:21Z"),
                rssiRecords: [
                  { apMac: "aa:aa:aa:11:11:11", rssi: -32 },
                  { apMac: "aa:aa:aa:22:22:22", rssi: -54 },
                ],
              },
            ],
            latestRecord: {
              time: new Date("2019-11-28T14:27:21Z"),
              nearestApMac: "aa:aa:aa:44:44:44",
              nearestApRssi: -47,
            },
          },
        ],
      },
    });
  });

  it("tolerates NaN strings and string RSSI, and never keeps ipv4 or userId", () => {
    const result = parseMerakiScanning(
      fixture("meraki/scanning-v3-nan-latest-only.json"),
      "supersecret",
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.observations).toHaveLength(2);
    expect(result.value.observations[0]!.latestRecord?.nearestApRssi).toBe(-61);
    expect(JSON.stringify(result.value)).not.toContain("guest@example.com");
    expect(JSON.stringify(result.value)).not.toContain("192.168.0.77");
  });

  it("accepts BLE posts and numeric versions with major 3", () => {
    expect(parseMerakiScanning(fixture("meraki/scanning-v3-ble.json"), "supersecret").ok).toBe(
      true,
    );
    const numeric = withBody((b) => (b.version = 3.1));
    expect(parseMerakiScanning(numeric, "supersecret")).toMatchObject({
      ok: true,
      value: { version: "3.1" },
    });
  });

  it.each([
    ["wrong secret", withBody((b) => (b.secret = "supersecreT")), "wrong_secret", "secret"],
    ["secret prefix", withBody((b) => (b.secret = "super")), "wrong_secret", "secret"],
    ["missing secret", withBody((b) => delete b.secret), "missing_secret", "secret"],
    ["secret not a string", withBody((b) => (b.secret = 42)), "missing_secret", "secret"],
    ["v2 payload", withBody((b) => (b.version = "2.0")), "unsupported_version", "version"],
    ["version missing", withBody((b) => delete b.version), "missing_field", "version"],
    ["version garbage", withBody((b) => (b.version = "three")), "invalid_value", "version"],
    ["v2 type name", withBody((b) => (b.type = "DevicesSeen")), "invalid_value", "type"],
    ["data missing", withBody((b) => delete b.data), "missing_field", "data"],
    [
      "observations not an array",
      withBody((b) => ((b.data as Record<string, unknown>).observations = {})),
      "invalid_type",
      "data.observations",
    ],
    [
      "networkId a number",
      withBody((b) => ((b.data as Record<string, unknown>).networkId = 5)),
      "invalid_type",
      "data.networkId",
    ],
    [
      "clientMac missing",
      withBody((b) => delete firstObservation(b).clientMac),
      "missing_field",
      "data.observations[0].clientMac",
    ],
    [
      "rssi an object",
      withBody((b) => {
        const loc = (firstObservation(b).locations as Record<string, unknown>[])[0]!;
        (loc.rssiRecords as Record<string, unknown>[])[0]!.rssi = { dBm: -40 };
      }),
      "invalid_type",
      "data.observations[0].locations[0].rssiRecords[0].rssi",
    ],
    [
      "x a boolean",
      withBody((b) => ((firstObservation(b).locations as Record<string, unknown>[])[0]!.x = true)),
      "invalid_type",
      "data.observations[0].locations[0].x",
    ],
    [
      "time without timezone",
      withBody(
        (b) =>
          ((firstObservation(b).locations as Record<string, unknown>[])[0]!.time =
            "2019-11-28 14:27"),
      ),
      "invalid_value",
      "data.observations[0].locations[0].time",
    ],
    ["not JSON", "{version:3", "invalid_json", "$"],
    ["a JSON array", "[]", "invalid_type", "$"],
  ])("refuses %s with a precise error", (_name, body, code, field) => {
    const result = parseMerakiScanning(body, "supersecret");
    expect(result).toMatchObject({ ok: false, error: { code, field } });
  });

  it("checks the secret before the schema: a forged post learns nothing", () => {
    const result = parseMerakiScanning(
      JSON.stringify({ secret: "guess", version: "9" }),
      "supersecret",
    );
    expect(result).toMatchObject({ ok: false, error: { code: "wrong_secret" } });
  });
});

describe("merakiScanningObservations", () => {
  it("hashes client and AP MACs and takes the freshest, strongest sighting", () => {
    const payload = parseMerakiScanning(fixture("meraki/scanning-v3-wifi.json"), "supersecret");
    if (!payload.ok) throw new Error("fixture must parse");
    const result = merakiScanningObservations(payload.value, identify, received);
    expect(result).toEqual({
      ok: true,
      value: [
        {
          mac: identify("11:22:33:44:55:66"),
          seenAt: new Date("2019-11-28T14:27:21Z"),
          rssi: -32,
          place: { apMacHash: identify("aa:aa:aa:11:11:11").hash, ssid: ".interwebs" },
          source: "meraki.scanning.wifi",
        },
      ],
    });
  });

  it("falls back to latestRecord and flags randomized MACs in any vendor format", () => {
    const payload = parseMerakiScanning(
      fixture("meraki/scanning-v3-nan-latest-only.json"),
      "supersecret",
    );
    if (!payload.ok) throw new Error("fixture must parse");
    const result = merakiScanningObservations(payload.value, identify, received);
    if (!result.ok) throw new Error(result.error.message);
    const [first, second] = result.value;
    // The first location has no RSSI records: no AP, no RSSI from it.
    expect(first).toMatchObject({ rssi: undefined, mac: { randomized: true } });
    expect(second).toMatchObject({
      seenAt: new Date("2019-11-28T14:28:40Z"),
      rssi: -70,
      mac: { hash: identify("de:f4:3c:18:06:db").hash, randomized: true },
      place: { apMacHash: identify("aa:aa:aa:22:22:22").hash },
    });
  });

  it("refuses the whole delivery when one client MAC is garbage", () => {
    const body = JSON.parse(fixture("meraki/scanning-v3-nan-latest-only.json")) as {
      data: { observations: { clientMac: string }[] };
    };
    body.data.observations[1]!.clientMac = "not-a-mac";
    const payload = parseMerakiScanning(JSON.stringify(body), "supersecret");
    if (!payload.ok) throw new Error("shape is valid");
    expect(merakiScanningObservations(payload.value, identify, received)).toEqual({
      ok: false,
      error: {
        code: "invalid_mac",
        field: "data.observations[1].clientMac",
        message: "data.observations[1].clientMac is not a MAC address",
      },
    });
  });
});
