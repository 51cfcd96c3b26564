import { describe, expect, it } from "vitest";
import { parseArubaAlert } from "../../../agent/controllers/aruba/alert-payload.ts";
import { arubaClientTransition } from "../../../agent/controllers/aruba/alerts.ts";
import {
  arubaSignature,
  verifyArubaSignature,
} from "../../../agent/controllers/aruba/signature.ts";
import { fixture } from "./real-deps.ts";

describe("arubaClientTransition", () => {
  it.each([
    ["Client Connected", "connected"],
    ["Wireless client disconnected", "disconnected"],
    ["User Disconnected", "disconnected"],
    ["AP Disconnected", undefined],
    ["Switch connected", undefined],
  ])("%s → %s", (type, expected) => {
    expect(arubaClientTransition(type)).toBe(expected);
  });
});

describe("verifyArubaSignature", () => {
  const delivery = { service: "Alerts", deliveryId: "abc", timestamp: "1700000000" };
  const body = '{"id":"1"}';
  const headersFor = (signature: string) => (name: string) =>
    ({
      "x-central-signature": signature,
      "x-central-service": delivery.service,
      "x-central-delivery-id": delivery.deliveryId,
      "x-central-delivery-timestamp": delivery.timestamp,
    })[name];

  it("matches the documented algorithm: base64 HMAC-SHA256 over body+service+id+timestamp", () => {
    // Computed once with `node -e` from the documented formula (https://developer.arubanetworks.com/aruba-central/docs/using-alerts-with-webhooks), not by this module.
    const expected = "d9LsVqMQ/lTw8BJ0JyJ+Ux2F07BHml0DpNPhRZ09ky0=";
    expect(arubaSignature("token", body, delivery)).toBe(expected);
    expect(verifyArubaSignature(body, headersFor(expected), "token")).toEqual({
      ok: true,
      value: delivery,
    });
  });

  it("refuses a signature off by one character", () => {
    const good = arubaSignature("token", body, delivery);
    const bad = (good[0] === "A" ? "B" : "A") + good.slice(1);
    expect(verifyArubaSignature(body, headersFor(bad), "token")).toMatchObject({
      ok: false,
      error: { code: "bad_signature" },
    });
  });
});

describe("parseArubaAlert", () => {
  it("reads classic epoch seconds and new-Central ISO times into one shape", () => {
    expect(parseArubaAlert(fixture("aruba/alert-classic-client-connected.json"))).toMatchObject({
      ok: true,
      value: {
        id: "AWsW5S2VLrlFZq2ZZfUX",
        alertType: "Client Connected",
        time: new Date("2020-06-17T09:42:03Z"),
      },
    });
    expect(parseArubaAlert(fixture("aruba/alert-new-central-device.json"))).toMatchObject({
      ok: true,
      value: {
        alertType: "AP Disconnected",
        time: new Date("2025-07-31T07:03:03Z"),
        details: { apMac: "b4:5d:50:ca:81:ea" },
      },
    });
  });

  it("refuses a new-Central time without timezone", () => {
    const body = JSON.stringify({ id: "x", name: "AP Disconnected", time: "2025-07-31 07:03" });
    expect(parseArubaAlert(body)).toMatchObject({
      ok: false,
      error: { code: "invalid_value", field: "time" },
    });
  });
});
