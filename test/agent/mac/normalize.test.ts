import { describe, expect, it } from "vitest";
import {
  InvalidMacError,
  isRandomizedMac,
  looksLikeMac,
  normalizeMac,
} from "../../../agent/mac/normalize.ts";

describe("normalizeMac", () => {
  // Formats from the real captures in RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21 and §5.
  it.each([
    ["aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff"],
    ["AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff"],
    ["DE-F4-3C-18-06-DB", "de:f4:3c:18:06:db"], // Meraki cloud Calling-Station-Id
    ["f8-ff-c2-39-ca-71", "f8:ff:c2:39:ca:71"], // Cisco WLC
    ["f262e79963c6", "f2:62:e7:99:63:c6"], // Aruba Instant On
    ["5EDEC34D503D", "5e:de:c3:4d:50:3d"],
    ["aabb.ccdd.eeff", "aa:bb:cc:dd:ee:ff"], // Cisco dotted
    ["AaBb.CcDd.EeFf", "aa:bb:cc:dd:ee:ff"],
    ["  42:ae:4c:c0:73:a2 ", "42:ae:4c:c0:73:a2"],
    ["00-10-A4-23-19-C0", "00:10:a4:23:19:c0"], // RFC 3580 §3.21 example
  ])("%s -> %s", (input, expected) => {
    expect(normalizeMac(input)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["aa:bb:cc:dd:ee", 'expected 6 groups separated by ":", got 5'],
    ["aa:bb:cc:dd:ee:ff:00", "too long (20 characters, max 17)"],
    ["aa:bb:cc:dd:ee:fg", "contains a non-hexadecimal character"],
    ["aa:bb-cc:dd:ee:ff", "mixed separators"],
    ["a:bb:cc:dd:ee:fff", 'every group separated by ":" must have 2 hex digits'],
    ["aabb.ccdd.ee.ff", 'expected 3 groups separated by ".", got 4'],
    ["aab.bccdd.eeff", 'every group separated by "." must have 4 hex digits'],
    ["aabbccddeef", "expected 12 hex digits, got 11"],
    ["aabbccddeeff0", "expected 12 hex digits, got 13"],
    ["guest@example.com", 'expected 3 groups separated by ".", got 2'],
    ["guest-name", 'expected 6 groups separated by "-", got 2'],
    ["zzzzzzzzzzzz", "contains a non-hexadecimal character"],
    ["aa bb cc dd ee ff", "contains a non-hexadecimal character"],
    ["ENCd2db0e6f7a", "contains a non-hexadecimal character"], // Ruckus encrypted MAC
  ])("rejects %j: %s", (input, reason) => {
    let error: unknown;
    try {
      normalizeMac(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidMacError);
    expect((error as InvalidMacError).reason).toBe(reason);
    // The message never echoes the input (it could be an email typed into the wrong field).
    if (input.trim().length > 0)
      expect((error as InvalidMacError).message).not.toContain(input.trim());
  });

  it("rejects non-strings", () => {
    expect(() => normalizeMac(42 as unknown as string)).toThrow(InvalidMacError);
  });

  it("looksLikeMac mirrors normalizeMac", () => {
    expect(looksLikeMac("F2-62-E7-99-63-C6")).toBe(true);
    expect(looksLikeMac("guest")).toBe(false);
  });
});

describe("isRandomizedMac", () => {
  it.each([
    "42:ae:4c:c0:73:a2",
    "DE-F4-3C-18-06-DB",
    "f262e79963c6",
    "2A-27-69-06-54-D7",
    "be-08-ce-fb-3f-f9",
  ])(
    "%s has the locally administered bit (https://source.android.com/docs/core/connect/wifi-mac-randomization-behavior captures)",
    (mac) => expect(isRandomizedMac(mac)).toBe(true),
  );

  it.each([
    "00:10:a4:23:19:c0",
    "5C-06-10-48-04-45",
    "d015a6c274d0",
    "f8-ff-c2-39-ca-71",
    "01:00:5e:00:00:01",
  ])("%s is universally administered", (mac) => expect(isRandomizedMac(mac)).toBe(false));

  it("checks exactly bit 1 of the first octet for every value of the second hex digit", () => {
    for (let nibble = 0; nibble < 16; nibble++) {
      const mac = `0${nibble.toString(16)}:00:00:00:00:01`;
      expect(isRandomizedMac(mac)).toBe([2, 3, 6, 7, 10, 11, 14, 15].includes(nibble));
    }
  });

  it("throws on garbage instead of guessing", () => {
    expect(() => isRandomizedMac("nope")).toThrow(InvalidMacError);
  });
});
