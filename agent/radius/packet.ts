// RADIUS packet codec (RFC 2865 §3, §5). Decoding keeps the raw bytes, because authenticators are
// verified over the packet exactly as received, never over a re-encoding.

export const CODE = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  StatusServer: 12,
} as const;

const HEADER = 20;
/** RFC 2865 §3: "The maximum length is 4096." */
const MAX_LENGTH = 4096;

export interface RadiusAttribute {
  type: number;
  value: Buffer;
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: RadiusAttribute[];
  /** The packet's bytes up to its Length field (trailing padding dropped, RFC 2865 §3). */
  raw: Buffer;
}

/** A packet that cannot be parsed; `reason` is a counter suffix, safe to log. */
export class RadiusPacketError extends Error {
  override readonly name = "RadiusPacketError";
  readonly reason: string;
  constructor(reason: string) {
    super(`malformed RADIUS packet: ${reason}`);
    this.reason = reason;
  }
}

/** Message-Authenticator (RFC 3579 §3.2); numbered here too so the codec needs no attribute table. */
const MESSAGE_AUTHENTICATOR = 80;

/**
 * Decodes a datagram. RFC 2865 §3: octets beyond Length are padding and ignored; a datagram
 * shorter than Length is silently discarded; attributes must exactly fill the packet.
 * Also refused, each with its own `reason`:
 * - an attribute Length below 2 (`attribute_too_short`; a naive parser loops forever on 0);
 * - an attribute with an empty value (`attribute_empty`): every RFC 2865 §5 data type is 1-253
 *   octets, and "if an Attribute is received in an Accounting-Request with an invalid Length, the
 *   entire request should be silently discarded" (RFC 2865 §5); an Access-Request is discarded
 *   too rather than answered, so a malformed packet never earns a signed reply;
 * - more than one Message-Authenticator (`duplicate_message_authenticator`): RFC 2869 §5.19 allows
 *   "0-1", and only the first would be verified.
 * @throws RadiusPacketError
 */
export function decodePacket(datagram: Buffer): RadiusPacket {
  if (datagram.length < HEADER) throw new RadiusPacketError("too_short");
  const length = datagram.readUInt16BE(2);
  if (length < HEADER || length > MAX_LENGTH) throw new RadiusPacketError("bad_length");
  if (datagram.length < length) throw new RadiusPacketError("truncated");
  const raw = Buffer.from(datagram.subarray(0, length));
  const attributes: RadiusAttribute[] = [];
  let offset = HEADER;
  let messageAuthenticators = 0;
  while (offset < length) {
    if (offset + 2 > length) throw new RadiusPacketError("attribute_overrun");
    const type = raw[offset]!;
    const attrLength = raw[offset + 1]!;
    if (attrLength < 2) throw new RadiusPacketError("attribute_too_short");
    if (attrLength === 2) throw new RadiusPacketError("attribute_empty");
    if (offset + attrLength > length) throw new RadiusPacketError("attribute_overrun");
    if (type === MESSAGE_AUTHENTICATOR && ++messageAuthenticators > 1)
      throw new RadiusPacketError("duplicate_message_authenticator");
    attributes.push({ type, value: raw.subarray(offset + 2, offset + attrLength) });
    offset += attrLength;
  }
  return {
    code: raw[0]!,
    identifier: raw[1]!,
    authenticator: raw.subarray(4, HEADER),
    attributes,
    raw,
  };
}

/** Serializes header + attributes with the given 16-byte authenticator (filled in by the caller). */
export function encodePacket(
  code: number,
  identifier: number,
  authenticator: Buffer,
  attributes: readonly RadiusAttribute[],
): Buffer {
  const parts = attributes.map((a) => {
    if (a.value.length > 253) throw new RangeError(`attribute ${a.type} longer than 253 octets`);
    return Buffer.concat([Buffer.from([a.type, a.value.length + 2]), a.value]);
  });
  const length = HEADER + parts.reduce((n, p) => n + p.length, 0);
  if (length > MAX_LENGTH) throw new RangeError("RADIUS packet longer than 4096 octets");
  const header = Buffer.alloc(4);
  header.writeUInt8(code, 0);
  header.writeUInt8(identifier, 1);
  header.writeUInt16BE(length, 2);
  return Buffer.concat([header, authenticator, ...parts]);
}

/** The first attribute of a type, or undefined. */
export function findAttribute(packet: RadiusPacket, type: number): Buffer | undefined {
  return packet.attributes.find((a) => a.type === type)?.value;
}
