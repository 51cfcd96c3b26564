import { describe, expect, it } from "vitest";
import { InvalidMacError } from "../../../agent/mac/normalize.ts";
import { macAuthPasswordCandidates } from "../../../agent/radius/mac-auth-passwords.ts";

const COMMON = [
  "f2:62:e7:99:63:c6",
  "F2:62:E7:99:63:C6",
  "f2-62-e7-99-63-c6",
  "F2-62-E7-99-63-C6",
  "f262e79963c6",
  "F262E79963C6",
];

describe("macAuthPasswordCandidates (RFC 3580 §3.20–3.21, https://www.rfc-editor.org/rfc/rfc3580#section-3.21)", () => {
  it.each([
    ["F2-62-E7-99-63-C6", COMMON.indexOf("F2-62-E7-99-63-C6")], // Meraki, Ruckus (RFC 3580)
    ["f262e79963c6", COMMON.indexOf("f262e79963c6")], // Aruba Instant On
    ["f2:62:e7:99:63:c6", COMMON.indexOf("f2:62:e7:99:63:c6")], // UniFi
  ])("%s: the User-Name first, then the six common formats once each", (userName, at) => {
    const expected = [userName, ...COMMON.filter((_, i) => i !== at)];
    expect(macAuthPasswordCandidates(userName)).toEqual(expected);
  });

  it("keeps a User-Name in another format (Cisco dotted, mixed case) as sent, first", () => {
    expect(macAuthPasswordCandidates("f262.e799.63c6")).toEqual(["f262.e799.63c6", ...COMMON]);
    expect(macAuthPasswordCandidates("F2:62:e7:99:63:C6")).toEqual([
      "F2:62:e7:99:63:C6",
      ...COMMON,
    ]);
  });

  it("throws for a User-Name that is not a MAC", () => {
    expect(() => macAuthPasswordCandidates("guest@example.com")).toThrow(InvalidMacError);
  });
});
