// CHAP digest and proof reading (RFC 2865 §2.2, §5.3, §5.40; RFC 1994 §4.1).
import { describe, expect, it } from "vitest";
import { ATTR } from "../../../agent/radius/attributes.ts";
import { chapResponse, readChapProof, verifyChap } from "../../../agent/radius/chap.ts";
import { decodePacket, encodePacket, type RadiusAttribute } from "../../../agent/radius/packet.ts";
import { fixture } from "./fixtures.ts";

// Computed independently with Python's hashlib:
//   hashlib.md5(bytes([ident]) + password.encode() + challenge).hexdigest()
const VECTORS: [string, number, string, Buffer, string][] = [
  // The RFC 2865 §7.1 Request Authenticator as the challenge.
  [
    "RFC 2865 §7.1 authenticator",
    0x16,
    "arctangent",
    Buffer.from("0f403f9473978057bd83d5cb98f4227a", "hex"),
    "2a58e31f45148ff230f4bcce6f6aed1b",
  ],
  [
    "17-octet challenge",
    0x00,
    "F2-62-E7-99-63-C6",
    Buffer.from([...Array(17).keys()]),
    "f9ba45231bc51968d46da5d68391a777",
  ],
  [
    "5-octet challenge",
    0xff,
    "f262e79963c6",
    Buffer.from([1, 2, 3, 4, 5]),
    "baf370520bafab50ec6f7129e184ac6a",
  ],
  ["UTF-8 password", 0x01, "pässwörd", Buffer.alloc(16, 0xaa), "53dc7d0e86cac54660286555d145d304"],
];

function request(attributes: RadiusAttribute[], authenticator = Buffer.alloc(16, 7)) {
  return decodePacket(encodePacket(1, 1, authenticator, attributes));
}
const chapPassword = (ident: number, digest: Buffer) => ({
  type: ATTR.ChapPassword,
  value: Buffer.concat([Buffer.of(ident), digest]),
});

describe("chapResponse", () => {
  it.each(VECTORS)("%s", (_name, ident, password, challenge, hex) => {
    expect(chapResponse(ident, password, challenge).toString("hex")).toBe(hex);
  });
});

describe("readChapProof", () => {
  it("uses the Request Authenticator when there is no CHAP-Challenge (radclient capture)", () => {
    const packet = decodePacket(fixture("access-request-chap-mac-auth"));
    const proof = readChapProof(packet);
    if (typeof proof === "string") throw new Error(proof);
    expect(proof.challenge).toEqual(packet.authenticator);
    expect(proof.response).toHaveLength(16);
    // radclient computed it from CHAP-Password = "f262e79963c6".
    expect(chapResponse(proof.ident, "f262e79963c6", proof.challenge)).toEqual(proof.response);
  });

  it("uses CHAP-Challenge when present (radclient capture)", () => {
    const packet = decodePacket(fixture("access-request-chap-challenge"));
    const proof = readChapProof(packet);
    if (typeof proof === "string") throw new Error(proof);
    expect(proof.challenge.toString("hex")).toBe("000102030405060708090a0b0c0d0e0f10");
    expect(verifyChap(proof, ["F2-62-E7-99-63-C6"])).toBe(true);
    expect(verifyChap({ ...proof, challenge: packet.authenticator }, ["F2-62-E7-99-63-C6"])).toBe(
      false,
    );
  });

  it("rejects a CHAP-Password that is not 17 octets and a CHAP-Challenge under 5", () => {
    const digest = Buffer.alloc(16);
    expect(readChapProof(request([{ type: ATTR.ChapPassword, value: digest }]))).toBe(
      "bad_chap_password",
    );
    expect(readChapProof(request([{ type: ATTR.ChapPassword, value: Buffer.alloc(18) }]))).toBe(
      "bad_chap_password",
    );
    expect(
      readChapProof(
        request([chapPassword(1, digest), { type: ATTR.ChapChallenge, value: Buffer.alloc(4) }]),
      ),
    ).toBe("bad_chap_challenge");
    expect(
      readChapProof(
        request([chapPassword(1, digest), { type: ATTR.ChapChallenge, value: Buffer.alloc(5) }]),
      ),
    ).toMatchObject({ ident: 1 });
  });
});

describe("verifyChap", () => {
  const [, ident, password, challenge, hex] = VECTORS[1]!;
  const proof = { ident, challenge, response: Buffer.from(hex, "hex") };

  it("matches any one of the candidates, and none when absent", () => {
    expect(verifyChap(proof, [password])).toBe(true);
    expect(verifyChap(proof, ["a", "b", password, "c"])).toBe(true);
    expect(verifyChap(proof, ["a", password.toLowerCase()])).toBe(false);
    expect(verifyChap(proof, [])).toBe(false);
  });

  it("depends on the identifier and the challenge", () => {
    expect(verifyChap({ ...proof, ident: ident + 1 }, [password])).toBe(false);
    expect(
      verifyChap({ ...proof, challenge: Buffer.from(challenge).fill(1, 0, 1) }, [password]),
    ).toBe(false);
  });
});
