import { describe, expect, it } from "vitest";
import {
  deriveSealingKey,
  openSealedPassword,
  sealPassword,
} from "../../../agent/radius/sealed-password.ts";

const SECRET = "venue-key-for-radius-tests";
// Computed independently in Python (RFC 5869 by hand with hmac/hashlib):
//   prk = hmac.new(b"foyer/radius/credential-sealing", SECRET, sha256).digest()
//   hmac.new(prk, b"aes-256-gcm v1" + b"\x01", sha256).hexdigest()
const KEY_HEX = "8ec39d996d5d18e742b326d8911871198e626bf879e20bfde2a8e48d7da3ab24";
// Sealed in Python with `cryptography`: AESGCM(key).encrypt(iv=000102…0b,
// b"Kq3v_example_password_x", aad=b"g-AAAAAAAAAAAA"), laid out as 0x01 || iv || tag || ciphertext.
const PYTHON_SEALED =
  "01000102030405060708090a0b4524d95a59f882eff530209959e00721a6611bc5c751f31ff50472321621577b77d12bb53715a1";

describe("sealed one-time passwords", () => {
  const key = deriveSealingKey(SECRET);

  it("derives the key with HKDF-SHA256 (RFC 5869)", () => {
    expect(key.toString("hex")).toBe(KEY_HEX);
    expect(() => deriveSealingKey("")).toThrow();
  });

  it("opens a value sealed by an independent implementation", () => {
    expect(openSealedPassword(key, "g-AAAAAAAAAAAA", Buffer.from(PYTHON_SEALED, "hex"))).toBe(
      "Kq3v_example_password_x",
    );
  });

  it("round-trips with a fresh IV each time, never containing the clear text", () => {
    const a = sealPassword(key, "g-user", "the-password");
    const b = sealPassword(key, "g-user", "the-password");
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from("the-password"))).toBe(false);
    expect(openSealedPassword(key, "g-user", a)).toBe("the-password");
    expect(openSealedPassword(key, "g-user", b)).toBe("the-password");
  });

  it("does not open under another key, for another user, or after tampering", () => {
    const sealed = sealPassword(key, "g-user", "the-password");
    expect(openSealedPassword(deriveSealingKey("another-venue-key!"), "g-user", sealed)).toBeNull();
    expect(openSealedPassword(key, "g-other", sealed)).toBeNull();
    for (const at of [0, 5, 20, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 1;
      expect(openSealedPassword(key, "g-user", bad)).toBeNull();
    }
    expect(openSealedPassword(key, "g-user", sealed.subarray(0, 28))).toBeNull();
  });
});
