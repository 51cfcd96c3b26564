// Raw UDP (node:dgram) against the server: replays of radclient captures, exact retransmissions,
// forged and malformed datagrams, unknown sources. The server must keep serving throughout.
import { createSocket, type Socket } from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodePacket } from "../../../agent/radius/packet.ts";
import { fixture } from "./fixtures.ts";
import { startHarness, type Harness } from "./radius-harness.ts";

let h: Harness;
let client: Socket;
beforeEach(async () => {
  h = await startHarness();
  client = await udpClient("127.0.0.1");
});
afterEach(async () => {
  client.close();
  await h.close();
});

async function udpClient(address: string): Promise<Socket> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, address, resolve));
  return s;
}

/** Sends a datagram; resolves with the reply, or null when none came within `waitMs`. */
function exchange(
  socket: Socket,
  port: number,
  datagram: Buffer,
  waitMs = 300,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off("message", onMessage);
      resolve(null);
    }, waitMs);
    const onMessage = (msg: Buffer) => {
      clearTimeout(timer);
      socket.off("message", onMessage);
      resolve(msg);
    };
    socket.on("message", onMessage);
    socket.send(datagram, port, "127.0.0.1");
  });
}

describe("raw UDP", () => {
  it("answers an exact retransmission with the same bytes and records it once", async () => {
    const stop = fixture("acct-stop-reference");
    const first = await exchange(client, h.ports.acct, stop);
    const second = await exchange(client, h.ports.acct, stop);
    expect(first).not.toBeNull();
    expect(second).toEqual(first);
    expect(decodePacket(first!).code).toBe(5);
    expect(h.counters.snapshot()).toMatchObject({
      "radius.acct.stop": 1,
      "radius.acct.retransmission": 1,
    });
    expect(h.stored()).toHaveLength(1);
  });

  it("stores each vendor-shaped capture once, even from another source port", async () => {
    for (const name of ["acct-start-meraki", "acct-interim-aruba", "acct-start-unifi"]) {
      expect(await exchange(client, h.ports.acct, fixture(name))).not.toBeNull();
    }
    const other = await udpClient("127.0.0.1");
    expect(await exchange(other, h.ports.acct, fixture("acct-start-meraki"))).not.toBeNull();
    other.close();
    expect(h.stored().map((m) => m.properties?.sessionId)).toEqual([
      "meraki-0001",
      "aruba-0001",
      "unifi-0001",
    ]);
  });

  it.each<[string, (b: Buffer) => Buffer, string]>([
    [
      "a flipped attribute bit",
      (b) => {
        const c = Buffer.from(b);
        c[c.length - 1]! ^= 1;
        return c;
      },
      "radius.acct.bad_authenticator",
    ],
    [
      "a zeroed authenticator",
      (b) => {
        const c = Buffer.from(b);
        c.fill(0, 4, 20);
        return c;
      },
      "radius.acct.bad_authenticator",
    ],
    ["a truncated datagram", (b) => b.subarray(0, b.length - 5), "radius.acct.malformed"],
    ["a header only", (b) => b.subarray(0, 12), "radius.acct.malformed"],
    [
      "an attribute of length 1",
      (b) => {
        const c = Buffer.from(b);
        c[21] = 1;
        return c;
      },
      "radius.acct.malformed",
    ],
    [
      "an Access-Request code on the accounting port",
      (b) => {
        const c = Buffer.from(b);
        c[0] = 1;
        return c;
      },
      "radius.acct.unexpected_code",
    ],
    ["random bytes", () => Buffer.from("e4d1f0a97be30c55aa0012ff", "hex"), "radius.acct.malformed"],
  ])("drops %s, counts it, stores nothing, keeps serving", async (_name, mangle, counter) => {
    const stop = fixture("acct-stop-reference");
    expect(await exchange(client, h.ports.acct, mangle(stop), 150)).toBeNull();
    expect(h.counters.snapshot()[counter]).toBe(1);
    expect(h.outbox.stats().depth).toBe(0);
    expect(await exchange(client, h.ports.acct, stop)).not.toBeNull();
    expect(h.outbox.stats().depth).toBe(1);
  });

  it("drops Access-Requests with a forged Message-Authenticator or malformed bodies", async () => {
    const req = fixture("access-request-mac-auth");
    const forged = Buffer.from(req);
    forged[forged.length - 20]! ^= 0x40; // inside the Message-Authenticator or the attribute before it
    expect(await exchange(client, h.ports.auth, forged, 150)).toBeNull();
    expect(await exchange(client, h.ports.auth, req.subarray(0, 30), 150)).toBeNull();
    expect(h.counters.snapshot()).toMatchObject({
      "radius.auth.bad_message_authenticator": 1,
      "radius.auth.malformed": 1,
    });
    const reply = await exchange(client, h.ports.auth, req);
    expect(decodePacket(reply!).code).toBe(3); // a valid request still gets its (reject) answer
  });

  it("answers a retransmitted Access-Request from the cache and decides it once", async () => {
    const req = fixture("access-request-mac-auth");
    const first = await exchange(client, h.ports.auth, req);
    const second = await exchange(client, h.ports.auth, req);
    expect(second).toEqual(first);
    expect(h.counters.snapshot()).toMatchObject({
      "radius.auth.reject": 1,
      "radius.auth.retransmission": 1,
    });
  });

  it("drops packets from an unknown NAS address and counts them", async () => {
    const stranger = await udpClient("127.0.0.2");
    expect(await exchange(stranger, h.ports.acct, fixture("acct-stop-reference"), 150)).toBeNull();
    expect(
      await exchange(stranger, h.ports.auth, fixture("access-request-mac-auth"), 150),
    ).toBeNull();
    stranger.close();
    expect(h.counters.snapshot()).toMatchObject({
      "radius.acct.unknown_client": 1,
      "radius.auth.unknown_client": 1,
    });
    expect(h.outbox.stats().depth).toBe(0);
  });
});
