// The authenticator maths of RFC 2865 §3 / §5.2, RFC 2866 §3 and RFC 3579 §3.2, computed over the
// packet's raw bytes and compared in constant time.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ATTR } from "./attributes.ts";
import { encodePacket, type RadiusAttribute, type RadiusPacket } from "./packet.ts";

const ZERO16 = Buffer.alloc(16);

function md5(...parts: Buffer[]): Buffer {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return h.digest();
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Byte offset of the first Message-Authenticator's value in `raw`, or -1. */
function messageAuthenticatorOffset(raw: Buffer): number {
  let offset = 20;
  while (offset + 2 <= raw.length) {
    const length = raw[offset + 1]!;
    if (length < 2) return -1;
    if (raw[offset] === ATTR.MessageAuthenticator) return length === 18 ? offset + 2 : -1;
    offset += length;
  }
  return -1;
}

/**
 * RFC 3579 §3.2: HMAC-MD5 over the whole request with the Message-Authenticator value zeroed.
 * @returns "absent", "valid" or "invalid" (also for a Message-Authenticator of the wrong length).
 */
export function checkMessageAuthenticator(
  packet: RadiusPacket,
  secret: string,
): "absent" | "valid" | "invalid" {
  if (!packet.attributes.some((a) => a.type === ATTR.MessageAuthenticator)) return "absent";
  const at = messageAuthenticatorOffset(packet.raw);
  if (at < 0) return "invalid";
  const copy = Buffer.from(packet.raw);
  const got = Buffer.from(copy.subarray(at, at + 16));
  ZERO16.copy(copy, at);
  return equal(createHmac("md5", secret).update(copy).digest(), got) ? "valid" : "invalid";
}

/** RFC 2866 §3: MD5(Code + Identifier + Length + 16 zero octets + attributes + secret). */
export function isAccountingRequestAuthentic(packet: RadiusPacket, secret: string): boolean {
  const copy = Buffer.from(packet.raw);
  ZERO16.copy(copy, 4);
  return equal(md5(copy, Buffer.from(secret, "utf8")), packet.authenticator);
}

/**
 * RFC 2865 §5.2: c(i) = p(i) xor MD5(S + c(i-1)), c(0) = Request Authenticator; trailing NULs
 * stripped. Returns null when the ciphertext is not 16..128 octets in 16-octet blocks.
 */
export function decryptPapPassword(
  hidden: Buffer,
  secret: string,
  requestAuthenticator: Buffer,
): string | null {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) return null;
  const out = Buffer.alloc(hidden.length);
  let previous = requestAuthenticator;
  for (let i = 0; i < hidden.length; i += 16) {
    const block = hidden.subarray(i, i + 16);
    const key = md5(Buffer.from(secret, "utf8"), previous);
    for (let j = 0; j < 16; j++) out[i + j] = block[j]! ^ key[j]!;
    previous = block;
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end).toString("utf8");
}

/**
 * Encodes a response (Accept, Reject, Accounting-Response). For Access replies the
 * Message-Authenticator goes FIRST (BlastRADIUS, CVE-2024-3596 mitigation) and is computed with
 * the Request Authenticator in the header, before the Response Authenticator (RFC 3579 §3.2);
 * then Response Authenticator = MD5(Code+ID+Length+RequestAuth+Attributes+Secret) (RFC 2865 §3).
 */
export function encodeResponse(
  code: number,
  request: RadiusPacket,
  attributes: readonly RadiusAttribute[],
  secret: string,
  withMessageAuthenticator: boolean,
): Buffer {
  const attrs = withMessageAuthenticator
    ? [{ type: ATTR.MessageAuthenticator, value: Buffer.alloc(16) }, ...attributes]
    : [...attributes];
  const packet = encodePacket(code, request.identifier, request.authenticator, attrs);
  if (withMessageAuthenticator) createHmac("md5", secret).update(packet).digest().copy(packet, 22);
  md5(packet, Buffer.from(secret, "utf8")).copy(packet, 4);
  return packet;
}
