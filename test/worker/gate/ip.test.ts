import { describe, expect, it } from "vitest";
import { applyIpMode, applyIpPolicy, parseIpMode, truncateIp } from "../../../worker/gate/ip.ts";
import { formatIp, parseIp } from "../../../worker/message/ip-address.ts";
import { PrivacyInputError } from "../../../worker/gate/privacy-input-error.ts";
import { pageEvent } from "./consent-fixtures.ts";

function canonical(text: string): string | undefined {
  const parsed = parseIp(text);
  return parsed && formatIp(parsed);
}

describe("parseIp / formatIp (RFC 4291 text forms, RFC 5952 output)", () => {
  it.each([
    ["203.0.113.42", "203.0.113.42"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    [" 198.51.100.7 ", "198.51.100.7"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334"],
    ["::", "::"],
    ["::1", "::1"],
    ["1:0:0:1:0:0:0:1", "1:0:0:1::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["fe80::1%eth0", "fe80::1"],
    ["fe80::a%25", "fe80::a"],
    ["::ffff:192.0.2.128", "::ffff:192.0.2.128"],
    ["::FFFF:c000:0280", "::ffff:192.0.2.128"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
  ])("%s → %s", (input, output) => {
    expect(canonical(input)).toBe(output);
  });

  it.each([
    [""],
    ["garbage"],
    ["localhost"],
    ["1.2.3"],
    ["1.2.3.4.5"],
    ["256.1.1.1"],
    ["01.2.3.4"],
    ["1.2.3.-4"],
    ["203.0.113.42:8080"],
    ["[2001:db8::1]"],
    ["1::2::3"],
    [":1:2:3:4:5:6:7"],
    ["1:2:3:4:5:6:7:"],
    ["1:2:3:4:5:6:7:8:9"],
    ["1:2:3:4:5:6:7"],
    ["12345::1"],
    ["g::1"],
    ["::ffff:1.2.3"],
    ["%eth0"],
    ["fe80::%"],
    ["1".repeat(65)],
  ])("refuses %j", (input) => {
    expect(parseIp(input)).toBeUndefined();
  });
});

describe("truncateIp", () => {
  it.each([
    ["203.0.113.42", "203.0.113.0"],
    ["2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"],
    ["2001:db8:85a3:ffff:ffff:ffff:ffff:ffff", "2001:db8:85a3::"],
    ["::ffff:192.0.2.128", "::ffff:192.0.2.0"],
    ["fe80::1%wlan0", "fe80::"],
    ["::1", "::"],
  ])("%s → %s", (input, output) => {
    const parsed = parseIp(input);
    expect(parsed && formatIp(truncateIp(parsed))).toBe(output);
  });

  it("does not change the parsed value it is given", () => {
    const parsed = parseIp("203.0.113.42");
    if (!parsed) throw new Error("parse failed");
    truncateIp(parsed);
    expect(formatIp(parsed)).toBe("203.0.113.42");
  });
});

describe("applyIpMode", () => {
  it("truncates by mode", () => {
    expect(applyIpMode("203.0.113.42", "truncate")).toEqual({
      action: "truncated",
      value: "203.0.113.0",
    });
  });
  it("keeps a valid IP in canonical form", () => {
    expect(applyIpMode("2001:DB8::0001", "keep")).toEqual({ action: "kept", value: "2001:db8::1" });
  });
  it("drops by mode", () => {
    expect(applyIpMode("203.0.113.42", "drop")).toEqual({ action: "dropped", reason: "policy" });
  });
  it.each([["keep"], ["truncate"]] as const)("drops garbage even in %s mode", (mode) => {
    expect(applyIpMode("not-an-ip", mode)).toEqual({ action: "dropped", reason: "invalid_ip" });
    expect(applyIpMode(2130706433, mode)).toEqual({ action: "dropped", reason: "invalid_ip" });
  });
});

describe("applyIpPolicy on a message", () => {
  it("truncates context.ip and leaves the input message untouched", () => {
    const event = pageEvent();
    const { message, outcome } = applyIpPolicy(event, "truncate");
    expect(message.context.ip).toBe("203.0.113.0");
    expect(outcome).toEqual({ action: "truncated", value: "203.0.113.0" });
    expect(event.context.ip).toBe("203.0.113.42");
  });

  it("removes the key when dropped", () => {
    const { message } = applyIpPolicy(pageEvent({}, {}, { ip: "bogus" }), "keep");
    expect("ip" in message.context).toBe(false);
  });

  it("reports nothing for a message without an IP", () => {
    const event = pageEvent();
    delete event.context.ip;
    expect(applyIpPolicy(event, "truncate")).toEqual({ message: event, outcome: undefined });
  });
});

describe("parseIpMode", () => {
  it("defaults to truncate", () => {
    expect(parseIpMode(undefined)).toBe("truncate");
    expect(parseIpMode("keep")).toBe("keep");
  });
  it.each([["Truncate"], [""], [true], [null]])("refuses %j", (input) => {
    expect(() => parseIpMode(input, "sources.web.ipMode")).toThrow(PrivacyInputError);
    expect(() => parseIpMode(input, "sources.web.ipMode")).toThrow(
      /^sources\.web\.ipMode: must be one of/,
    );
  });
});
