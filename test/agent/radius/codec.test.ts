import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ATTR } from "../../../agent/radius/attributes.ts";
import {
  checkMessageAuthenticator,
  decryptPapPassword,
  encodeResponse,
  isAccountingRequestAuthentic,
} from "../../../agent/radius/authenticators.ts";
import { CODE, RadiusPacketError, decodePacket } from "../../../agent/radius/packet.ts";
import { fixture } from "./fixtures.ts";

// RFC 2865 §7.1 example: "nemo" / "arctangent", secret "xyzzy5461".
const RFC_REQUEST = Buffer.from(
  "010000380f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d93d413ce3196e43f782a0aee0406c0a801100506000000" +
    "03",
  "hex",
);
const RFC_ACCEPT = "0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06c0a80103";

describe("RFC 2865 §7.1 known answers", () => {
  it("decodes the request and decrypts the PAP password", () => {
    const p = decodePacket(RFC_REQUEST);
    expect([p.code, p.identifier, p.attributes.map((a) => a.type)]).toEqual([1, 0, [1, 2, 4, 5]]);
    expect(decryptPapPassword(p.attributes[1]!.value, "xyzzy5461", p.authenticator)).toBe(
      "arctangent",
    );
    expect(decryptPapPassword(p.attributes[1]!.value, "wrong", p.authenticator)).not.toBe(
      "arctangent",
    );
  });

  it("encodes the Access-Accept with the RFC's Response Authenticator", () => {
    const p = decodePacket(RFC_REQUEST);
    const attrs = [
      { type: 6, value: Buffer.from("00000001", "hex") },
      { type: 15, value: Buffer.from("00000000", "hex") },
      { type: 14, value: Buffer.from("c0a80103", "hex") },
    ];
    expect(encodeResponse(CODE.AccessAccept, p, attrs, "xyzzy5461", false).toString("hex")).toBe(
      RFC_ACCEPT,
    );
  });

  it("rejects PAP ciphertext that is not whole 16-octet blocks", () => {
    expect(decryptPapPassword(Buffer.alloc(15), "s", Buffer.alloc(16))).toBeNull();
    expect(decryptPapPassword(Buffer.alloc(144), "s", Buffer.alloc(16))).toBeNull();
  });
});

describe("decodePacket", () => {
  it.each<[string, Buffer, string]>([
    ["shorter than a header", Buffer.alloc(19), "too_short"],
    ["Length below 20", Buffer.from("0100000a" + "00".repeat(16), "hex"), "bad_length"],
    ["Length above 4096", Buffer.from("01001001" + "00".repeat(16), "hex"), "bad_length"],
    ["datagram shorter than Length", Buffer.from("01000020" + "00".repeat(16), "hex"), "truncated"],
    [
      "attribute length 0",
      Buffer.from("01000016" + "00".repeat(16) + "0100", "hex"),
      "attribute_too_short",
    ],
    [
      "attribute past the end",
      Buffer.from("01000017" + "00".repeat(16) + "010961", "hex"),
      "attribute_overrun",
    ],
    [
      "attribute length 1",
      Buffer.from("01000016" + "00".repeat(16) + "0101", "hex"),
      "attribute_too_short",
    ],
    [
      "attribute with an empty value (length 2)",
      Buffer.from("01000019" + "00".repeat(16) + "0103610202", "hex"),
      "attribute_empty",
    ],
    [
      "two Message-Authenticators",
      Buffer.from("01000038" + "00".repeat(16) + ("5012" + "00".repeat(16)).repeat(2), "hex"),
      "duplicate_message_authenticator",
    ],
    [
      "lone attribute type octet",
      Buffer.from("01000015" + "00".repeat(16) + "01", "hex"),
      "attribute_overrun",
    ],
  ])("refuses %s", (_name, datagram, reason) => {
    let error: unknown;
    try {
      decodePacket(datagram);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RadiusPacketError);
    expect((error as RadiusPacketError).reason).toBe(reason);
  });

  it("ignores padding after Length (RFC 2865 §3)", () => {
    const padded = Buffer.concat([RFC_REQUEST, Buffer.from("deadbeef", "hex")]);
    expect(decodePacket(padded).raw.equals(RFC_REQUEST)).toBe(true);
  });
});

describe("Message-Authenticator (RFC 3579 §3.2) on radclient captures", () => {
  const mac = decodePacket(fixture("access-request-mac-auth"));

  it("verifies a radclient Access-Request and refuses a wrong secret or a flipped bit", () => {
    expect(checkMessageAuthenticator(mac, "testing123")).toBe("valid");
    expect(checkMessageAuthenticator(mac, "testing124")).toBe("invalid");
    const tampered = Buffer.from(mac.raw);
    tampered[tampered.length - 1]! ^= 1;
    expect(checkMessageAuthenticator(decodePacket(tampered), "testing123")).toBe("invalid");
    expect(
      checkMessageAuthenticator(
        decodePacket(fixture("access-request-no-message-authenticator")),
        "testing123",
      ),
    ).toBe("absent");
  });

  it("puts Message-Authenticator first in replies and computes it over the request authenticator", () => {
    const reply = encodeResponse(
      CODE.AccessReject,
      mac,
      [{ type: 18, value: Buffer.from("no") }],
      "testing123",
      true,
    );
    const decoded = decodePacket(reply);
    expect(decoded.attributes.map((a) => a.type)).toEqual([ATTR.MessageAuthenticator, 18]);
    // Independent recomputation: header with the Request Authenticator, M-A zeroed.
    const forMa = Buffer.from(reply);
    mac.authenticator.copy(forMa, 4);
    forMa.fill(0, 22, 38);
    expect(decoded.attributes[0]!.value).toEqual(
      createHmac("md5", "testing123").update(forMa).digest(),
    );
    const forAuth = Buffer.from(reply);
    mac.authenticator.copy(forAuth, 4);
    expect(decoded.authenticator).toEqual(
      createHash("md5").update(forAuth).update("testing123").digest(),
    );
  });
});

describe("Accounting Request Authenticator (RFC 2866 §3)", () => {
  it.each([
    "acct-start-meraki",
    "acct-interim-aruba",
    "acct-start-unifi",
    "acct-stop-reference",
    "acct-accounting-on",
  ])("verifies the radclient capture %s and refuses a wrong secret or a changed octet", (name) => {
    const p = decodePacket(fixture(name));
    expect(isAccountingRequestAuthentic(p, "testing123")).toBe(true);
    expect(isAccountingRequestAuthentic(p, "testing12")).toBe(false);
    const forged = Buffer.from(p.raw);
    forged[forged.length - 1]! ^= 0x01;
    expect(isAccountingRequestAuthentic(decodePacket(forged), "testing123")).toBe(false);
  });
});
