// Malformed and forged datagrams over real UDP (node:dgram), built from radclient captures in
// test/fixtures/radius: each is silently discarded (no reply), counted under its own reason,
// logged without the secret, and the server keeps serving. "No reply" is proven without a timer:
// the hostile datagram goes first with another Identifier, then the capture; UDP over loopback to
// one socket keeps their order, so the first reply must be the capture's.
import { createSocket, type Socket } from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodePacket } from "../../../agent/radius/packet.ts";
import { fixture } from "./fixtures.ts";
import { SECRET, startHarness, type Harness } from "./radius-harness.ts";

let h: Harness;
let client: Socket;
beforeEach(async () => {
  h = await startHarness();
  client = createSocket("udp4");
  await new Promise<void>((resolve) => client.bind(0, "127.0.0.1", resolve));
});
afterEach(async () => {
  client.close();
  await h.close();
});

function send(datagram: Buffer, port: number): void {
  client.send(datagram, port, "127.0.0.1");
}

function nextReply(): Promise<Buffer> {
  return new Promise((resolve) => client.once("message", resolve));
}

/** Sends `hostile` then `valid`; resolves with the first reply that comes back. */
async function firstReply(hostile: Buffer, valid: Buffer, port: number): Promise<Buffer> {
  const reply = nextReply();
  send(hostile, port);
  send(valid, port);
  return reply;
}

/** A copy with another Identifier (so its reply, if any, is told apart) and Length set. */
function variant(base: Buffer, extra: Buffer = Buffer.alloc(0), length?: number): Buffer {
  const out = Buffer.concat([base, extra]);
  out[1] = base[1]! ^ 0xff;
  out.writeUInt16BE(length ?? out.length, 2);
  return out;
}

const hex = (s: string) => Buffer.from(s, "hex");

type Mutation = [string, (b: Buffer) => Buffer, string];

// Framing faults: refused by the decoder before any authenticator is looked at (RFC 2865 §3, §5).
const framing: Mutation[] = [
  ["Length below 20", (b) => variant(b, undefined, 19), "bad_length"],
  ["Length 0", (b) => variant(b, undefined, 0), "bad_length"],
  [
    "Length above 4096 (5000-octet datagram)",
    (b) => variant(b, Buffer.alloc(5000 - b.length)),
    "bad_length",
  ],
  ["Length longer than the datagram", (b) => variant(b, undefined, b.length + 8), "truncated"],
  [
    "Length cutting an attribute short",
    (b) => variant(b, undefined, b.length - 3),
    "attribute_overrun",
  ],
  ["a header only", (b) => variant(b.subarray(0, 20)).subarray(0, 12), "too_short"],
  ["a zero-length attribute", (b) => variant(b, hex("0100")), "attribute_too_short"],
  ["a length-1 attribute", (b) => variant(b, hex("0101")), "attribute_too_short"],
  ["a length-2 (empty) attribute", (b) => variant(b, hex("0102")), "attribute_empty"],
  ["an attribute running past the end", (b) => variant(b, hex("010961")), "attribute_overrun"],
  ["a lone attribute type octet", (b) => variant(b, hex("01")), "attribute_overrun"],
];

describe.each([
  ["auth", "access-request-mac-auth"],
  ["acct", "acct-stop-reference"],
] as const)("on the %s port", (kind, capture) => {
  it.each(framing)(
    "discards %s, counts it by reason, keeps serving",
    async (_n, mutate, reason) => {
      const valid = fixture(capture);
      const reply = await firstReply(mutate(valid), valid, h.ports[kind]);
      expect(reply[1]).toBe(valid[1]);
      const counters = h.counters.snapshot();
      expect(counters[`radius.${kind}.malformed.${reason}`]).toBe(1);
      expect(counters[`radius.${kind}.malformed`]).toBe(1);
      expect(h.logLines.join("\n")).toContain(`"reason":"${reason}"`);
      expect(h.logLines.join("\n")).not.toContain(SECRET);
    },
  );

  it("answers a datagram longer than its Length, ignoring the extra octets (RFC 2865 §3)", async () => {
    const valid = fixture(capture);
    const padded = Buffer.concat([valid, Buffer.alloc(64, 0xee)]);
    const reply = nextReply();
    send(padded, h.ports[kind]);
    const decoded = decodePacket(await reply);
    expect(decoded.identifier).toBe(valid[1]);
    expect(h.counters.snapshot()[`radius.${kind}.malformed`]).toBeUndefined();
  });
});

describe("authenticators", () => {
  it("discards an Access-Request with two Message-Authenticators (RFC 2869 §5.19: 0-1)", async () => {
    const valid = fixture("access-request-mac-auth");
    const dup = variant(valid, hex("5012" + "00".repeat(16)));
    const reply = await firstReply(dup, valid, h.ports.auth);
    expect(reply[1]).toBe(valid[1]);
    expect(h.counters.snapshot()["radius.auth.malformed.duplicate_message_authenticator"]).toBe(1);
  });

  it("discards an Access-Request whose Message-Authenticator is wrong (RFC 3579 §3.2)", async () => {
    const valid = fixture("access-request-mac-auth");
    const forged = Buffer.from(valid);
    forged[1] = valid[1]! ^ 0xff; // the Identifier is covered by the HMAC, so this alone forges it
    const reply = await firstReply(forged, valid, h.ports.auth);
    expect(reply[1]).toBe(valid[1]);
    expect(h.counters.snapshot()["radius.auth.bad_message_authenticator"]).toBe(1);
  });

  it("discards an Access-Request without Message-Authenticator (BlastRADIUS, required by default)", async () => {
    const bare = fixture("access-request-no-message-authenticator");
    const valid = fixture("access-request-mac-auth");
    expect(bare[1]).not.toBe(valid[1]);
    const reply = await firstReply(bare, valid, h.ports.auth);
    expect(reply[1]).toBe(valid[1]);
    expect(h.counters.snapshot()["radius.auth.missing_message_authenticator"]).toBe(1);
    expect(h.logLines.join("\n")).not.toContain(SECRET);
  });

  it("discards an Accounting-Request whose Request Authenticator is wrong (RFC 2866 §3)", async () => {
    const valid = fixture("acct-stop-reference");
    const forged = Buffer.from(valid);
    forged[1] = valid[1]! ^ 0xff; // re-identified without re-signing
    const reply = await firstReply(forged, valid, h.ports.acct);
    expect(reply[1]).toBe(valid[1]);
    expect(h.counters.snapshot()["radius.acct.bad_authenticator"]).toBe(1);
    expect(h.stored()).toHaveLength(1);
  });
});
