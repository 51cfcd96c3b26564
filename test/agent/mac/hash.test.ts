import { describe, expect, it } from "vitest";
import { hashMac, macIdentifier } from "../../../agent/mac/hash.ts";
import { InvalidMacError } from "../../../agent/mac/normalize.ts";

// Known answer computed independently:
//   printf 'f2:62:e7:99:63:c6' | openssl dgst -sha256 -hmac 'venue-key-1'
const KNOWN = "fb52f5b7ef03d1531604236bd6bed3386fd9d8f80a57275bb5b523f7d9cdb672";

describe("hashMac", () => {
  it("is HMAC-SHA256 of the normalized form (openssl known answer)", () => {
    expect(hashMac("venue-key-1", "f2:62:e7:99:63:c6")).toBe(KNOWN);
  });

  it.each(["F2-62-E7-99-63-C6", "f262e79963c6", "f262.e799.63c6", "F2:62:E7:99:63:C6"])(
    "gives the same hash for %s",
    (mac) => expect(hashMac("venue-key-1", mac)).toBe(KNOWN),
  );

  it("depends on the venue key", () => {
    expect(hashMac("venue-key-2", "f2:62:e7:99:63:c6")).not.toBe(KNOWN);
    expect(hashMac("venue-key-2", "f2:62:e7:99:63:c6")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rejects garbage and an empty key", () => {
    expect(() => hashMac("venue-key-1", "not a mac")).toThrow(InvalidMacError);
    expect(() => hashMac("", "f2:62:e7:99:63:c6")).toThrow(/venue key/);
  });
});

describe("macIdentifier", () => {
  it("returns the hash and the randomized flag, never the MAC", () => {
    const identify = macIdentifier("venue-key-1");
    const id = identify("F2-62-E7-99-63-C6");
    expect(id).toEqual({ hash: KNOWN, randomized: true });
    expect(JSON.stringify(id).toLowerCase()).not.toContain("f2:62");
    expect(identify("00-10-A4-23-19-C0").randomized).toBe(false);
    expect(() => identify("garbage")).toThrow(InvalidMacError);
  });
});
