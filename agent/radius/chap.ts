// CHAP over RADIUS (RFC 2865 §2.2, §5.3, §5.40; the CHAP algorithm is RFC 1994 §4.1): the NAS
// sends CHAP-Password = CHAP Identifier (1 octet) + MD5(Identifier || password || challenge), and
// the server, which must know the clear-text password, recomputes it.
import { createHash, timingSafeEqual } from "node:crypto";
import { ATTR } from "./attributes.ts";
import { findAttribute, type RadiusPacket } from "./packet.ts";

/** RFC 2865 §5.3: CHAP-Password is "always 19" octets long, so its value is 17. */
const CHAP_PASSWORD_LENGTH = 17;
/** RFC 2865 §5.40: CHAP-Challenge has "Length >= 7", so its value is at least 5 octets. */
const MIN_CHALLENGE_LENGTH = 5;

/** What a CHAP Access-Request proves: a response to a challenge, for some password. */
export interface ChapProof {
  ident: number;
  /** The 16-octet MD5 response. */
  response: Buffer;
  challenge: Buffer;
}

/** Why a CHAP Access-Request cannot be checked (a counter suffix, safe to log). */
export type ChapProofError = "bad_chap_password" | "bad_chap_challenge";

/** RFC 1994 §4.1: the response is MD5 over Identifier, secret (the password) and challenge. */
export function chapResponse(ident: number, password: string, challenge: Buffer): Buffer {
  return createHash("md5")
    .update(Buffer.of(ident))
    .update(password, "utf8")
    .update(challenge)
    .digest();
}

/**
 * Reads CHAP-Password and its challenge: the CHAP-Challenge attribute if present, otherwise the
 * Request Authenticator (RFC 2865 §2.2, §5.3). Call only when CHAP-Password is present.
 */
export function readChapProof(packet: RadiusPacket): ChapProof | ChapProofError {
  const value = findAttribute(packet, ATTR.ChapPassword);
  if (value?.length !== CHAP_PASSWORD_LENGTH) return "bad_chap_password";
  const challenge = findAttribute(packet, ATTR.ChapChallenge) ?? packet.authenticator;
  if (challenge.length < MIN_CHALLENGE_LENGTH) return "bad_chap_challenge";
  return {
    ident: value[0]!,
    response: Buffer.from(value.subarray(1)),
    challenge: Buffer.from(challenge),
  };
}

/**
 * True when the response matches any of the candidate passwords. Every candidate is computed and
 * compared in constant time, so the time taken says nothing about which one (if any) matched.
 */
export function verifyChap(proof: ChapProof, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    const expected = chapResponse(proof.ident, candidate, proof.challenge);
    matched = timingSafeEqual(expected, proof.response) || matched;
  }
  return matched;
}
