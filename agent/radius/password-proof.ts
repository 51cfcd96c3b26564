// What an Access-Request offers as proof of a password: PAP's hidden User-Password (RFC 2865 §5.2)
// or a CHAP response (§5.3). RFC 2865 §5.44 note 1: a request "MUST NOT contain both".
import { ATTR } from "./attributes.ts";
import { decryptPapPassword } from "./authenticators.ts";
import { readChapProof, type ChapProof } from "./chap.ts";
import { findAttribute, type RadiusPacket } from "./packet.ts";

export type PasswordProof =
  | { kind: "pap"; password: string }
  | { kind: "chap"; chap: ChapProof }
  /** `reason` is a counter suffix, safe to log. */
  | { kind: "invalid"; auth: "pap" | "chap" | null; reason: string };

/** Reads the request's password proof; PAP is decrypted with the NAS's shared secret. */
export function readPasswordProof(packet: RadiusPacket, secret: string): PasswordProof {
  const hidden = findAttribute(packet, ATTR.UserPassword);
  const chapPresent = findAttribute(packet, ATTR.ChapPassword) !== undefined;
  if (hidden && chapPresent) return { kind: "invalid", auth: null, reason: "pap_and_chap" };
  if (chapPresent) {
    const chap = readChapProof(packet);
    return typeof chap === "string"
      ? { kind: "invalid", auth: "chap", reason: chap }
      : { kind: "chap", chap };
  }
  if (!hidden) return { kind: "invalid", auth: null, reason: "no_password" };
  const password = decryptPapPassword(hidden, secret, packet.authenticator);
  return password === null
    ? { kind: "invalid", auth: "pap", reason: "bad_password_encoding" }
    : { kind: "pap", password };
}
